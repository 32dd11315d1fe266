"""The split a clinic run used is written down (OUT/splits.csv, the checkpoint's training
record), and a start checkpoint that trained on this run's held-out patients is warned of
(audit_cml finding 3)."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
import torch

from models.checkpoint import load_checkpoint
from models.data.patients import PatientDataset, patient_digest, split_digests
from models.train.clinic import ClinicRecipe, init_overlap, run_clinic
from tests.train.conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")


def _resplit(root, splits: dict[str, str]) -> None:
    with (root / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["split"] = splits.get(row["patient_id"], row["split"])
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_split_is_written_and_an_init_that_saw_held_out_patients_is_warned_of(tmp_path, tiny_weights):
    data = draw_patients(tmp_path / "data", 9, seed=5, split_column=True)
    first = run_clinic(ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(tmp_path / "base"),
                                    steps=1, batch_size=2), CPU)
    dataset = PatientDataset(data)
    with (tmp_path / "base" / "splits.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["patient_id"]: r["split"] for r in rows} == {p.patient_id: p.split for p in dataset.patients.values()}
    assert rows[0].keys() == {"patient_id", "grade", "split"} and rows[0]["grade"] in ("I", "II", "III", "IV", "V", "VI")
    _, meta = load_checkpoint(tmp_path / "base" / "clinic.pt")
    assert meta["training"]["splits"] == split_digests(dataset)
    assert not any(pid in str(meta["training"]["splits"]) for pid in dataset.patient_ids())  # no ids in clear
    assert "init_overlap" not in first["state"] or first["state"]["init_overlap"] is None
    # the grown set moves two of the base run's training patients to val and test
    trained = dataset.patient_ids("train")
    _resplit(data, {trained[0]: "val", trained[1]: "test"})
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        run_clinic(ClinicRecipe(patients=str(data), init=str(tmp_path / "base" / "clinic.pt"),
                                work=str(tmp_path / "grown"), steps=1, batch_size=2), CPU)
    expected = "The start weights (--init) were trained on 2 of this run's held-out patients (1 val and 1 test)"
    assert f"palsy: warning: {expected}" in err.getvalue()
    assert "add a split column to labels.csv" in err.getvalue()
    assert expected in (tmp_path / "grown" / "clinic.md").read_text()


def test_init_overlap_needs_a_list_of_training_patients(tmp_path):
    data = draw_patients(tmp_path / "data", 6, seed=5, split_column=True)
    dataset = PatientDataset(data)
    assert init_overlap({}, dataset) is None  # the shipped demo weights: no clinic patients
    assert init_overlap({"splits": {"train": [patient_digest("someone else")]}}, dataset) is None
    test_id = dataset.patient_ids("test")[0]
    assert "trained on 1 of this run's held-out patients (1 test)" in init_overlap(
        {"splits": {"train": [patient_digest(test_id)]}}, dataset)
