"""One person under two IDs: identical photos of two patients are found by the photo check
(audit_cml finding 2)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.data.patients import PatientDataset, SharedPhoto
from models.errors import InputError
from models.labels import EXPRESSIONS
from models.train.clinic import shared_photo_note
from tests.train.conftest import draw_patients


def _with_copy(root: Path, source: str, new_id: str, split: str | None) -> None:
    """`source`'s folder copied as patient `new_id` (a row with `split`, or the source's split)."""
    shutil.copytree(root / source, root / new_id)
    with (root / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = dict(next(r for r in rows if r["patient_id"] == source), patient_id=new_id)
    if split is not None:
        row["split"] = split
    rows.append(row)
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_one_person_in_two_splits_is_refused_naming_both(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=3, split_column=True)
    source = PatientDataset(root).patient_ids("train")[0]
    _with_copy(root, source, "MRN-7", "test")
    with pytest.raises(InputError, match=rf"^{source} \(train\) and MRN-7 \(test\) have an identical photo "
                                         rf"\({source}/close_eyes.png = MRN-7/close_eyes.png\).*keep one ID per person"):
        PatientDataset(root).check_files()


def test_one_person_twice_in_one_split_is_listed_not_refused(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=3, split_column=True)
    source = PatientDataset(root).patient_ids("train")[0]
    _with_copy(root, source, "MRN-7", None)
    dataset = PatientDataset(root)
    assert dataset.check_files() == 42
    assert dataset.shared_photos == [SharedPhoto("MRN-7", "train", source, "train", "MRN-7/close_eyes.png",
                                                 f"{source}/close_eyes.png")]  # patients in sorted order
    note = shared_photo_note(dataset.shared_photos[0])
    assert note.startswith(f"MRN-7 (train) and {source} (train) have an identical photo")
    assert "keep one ID per person" in note


def test_identical_blank_frames_of_two_patients_are_not_one_person(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=3, split_column=True)
    dataset = PatientDataset(root)
    blank = Image.fromarray(np.zeros((64, 64, 3), np.uint8))
    for pid in (dataset.patient_ids("train")[0], dataset.patient_ids("test")[0]):
        (root / pid / "masks" / "puff_cheeks.png").unlink()
        blank.save(root / pid / "puff_cheeks.png")
    assert dataset.check_files() == 6 * len(EXPRESSIONS)
    assert dataset.shared_photos == []


def test_a_clinic_run_warns_of_one_person_twice_on_the_command_line_and_the_card(tmp_path, tiny_weights):
    import contextlib
    import io

    import torch

    from models.train.clinic import ClinicRecipe, run_clinic

    root = draw_patients(tmp_path / "p", 6, seed=3, split_column=True)
    source = PatientDataset(root).patient_ids("train")[0]
    _with_copy(root, source, "MRN-7", None)
    err = io.StringIO()
    recipe = ClinicRecipe(patients=str(root), init=str(tiny_weights), work=str(tmp_path / "run"), steps=1, batch_size=2)
    with contextlib.redirect_stderr(err):
        results = run_clinic(recipe, torch.device("cpu"))
    line = f"MRN-7 (train) and {source} (train) have an identical photo"
    assert f"palsy: warning: {line}" in err.getvalue()
    assert f"> **Warning:** {line}" in (tmp_path / "run" / "clinic.md").read_text()
    # the weights' cautions go onto every report they grade: counted, no patient named there
    from models.checkpoint import load_checkpoint
    from models.resources import weights_cautions

    cautions = weights_cautions(load_checkpoint(tmp_path / "run" / "clinic.pt")[1])
    assert cautions == results["cautions"]
    assert "1 pair of this clinic's patients share an identical photo: probably one person under two IDs, counted " \
           "twice (the run's clinic.md names them)." in cautions
    assert not any("MRN-7" in c or source in c for c in cautions)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):  # a rerun decodes nothing and still says it
        run_clinic(recipe, torch.device("cpu"))
    assert f"palsy: warning: {line}" in err.getvalue() and line in (tmp_path / "run" / "clinic.md").read_text()
