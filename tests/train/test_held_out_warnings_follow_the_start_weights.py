"""The held-out warnings (`palsy evaluate`'s, the clinic card's) count what the weights a run
started from trained on, as `palsy evaluate`'s scored line does: the demo weights trained on every
`palsy synth --seed 1` patient, so that set's test patients are no held-out patients for them, nor
for a clinic run fine-tuned from them. What a record does not tell stays unknown, not held out."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import torch

from app.cli import main
from models.cascade import build_model
from models.checkpoint import read_checkpoint, save_checkpoint
from models.config import get_config
from models.data.patients import PatientDataset, held_out_seen, patient_digest
from models.resources import default_weights_path
from models.train.clinic import ClinicRecipe, init_overlap, run_clinic
from tests.train.training_record_helpers import DEMO_RECORD, synth_set

pytestmark = pytest.mark.usefixtures("one_thread")

SEEN = "these weights were trained on 2 of this set's held-out patients (1 val and 1 test): their figures overstate"
UNKNOWN = "whether this set's held-out patients were among them is unknown"
START_SEEN = "The start weights (--init) were trained on 2 of this run's held-out patients (1 val and 1 test): their"



def _clinic_record(init_sha256: str | None, trained: list[str] | None = None, **start: dict) -> dict:
    """A clinic run's record whose own training patients are `trained` (none of the set's by default)."""
    listed = [patient_digest(pid) for pid in trained or ["p001_000"]]
    return {"command": "palsy train clinic", "splits": {"train": listed, "val": [], "test": []},
            "init_sha256": init_sha256, **start}


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PatientDataset]:
    root = tmp_path_factory.mktemp("synth")
    return {"trained_on": PatientDataset(synth_set(root / "seed1", 1, patients=6)),
            "held_out": PatientDataset(synth_set(root / "seed900001", 900001, patients=6))}


def test_the_demo_weights_and_weights_fine_tuned_from_them_warn_on_seed_1s_held_out_patients(sets) -> None:
    trained_on_set, held_out = sets["trained_on"], sets["held_out"]
    assert SEEN in held_out_seen(DEMO_RECORD, trained_on_set)
    assert held_out_seen(DEMO_RECORD, held_out) is None
    shipped = read_checkpoint(default_weights_path())["training"]
    assert SEEN in held_out_seen(shipped, trained_on_set) and held_out_seen(shipped, held_out) is None
    from_demo = _clinic_record("ab" * 32, init_training=DEMO_RECORD)
    assert SEEN in held_out_seen(from_demo, trained_on_set)
    assert held_out_seen(from_demo, held_out) is None
    from_clinic = _clinic_record("cd" * 32, init_training=from_demo)  # down the chain
    assert SEEN in held_out_seen(from_clinic, trained_on_set)


def test_what_the_start_weights_trained_on_stays_unknown_where_it_is_not_recorded(sets) -> None:
    held_out = sets["held_out"]
    for unrecorded in (_clinic_record("ab" * 32, init_training={}), _clinic_record("ab" * 32)):
        assert UNKNOWN in held_out_seen(unrecorded, held_out)
        assert "whether this run's held-out patients were among them is unknown" in init_overlap(unrecorded, held_out)
    # its own training patients held out here: a lower bound, said as one
    test_patient = held_out.patient_ids("test")
    own = held_out_seen(_clinic_record("ab" * 32, test_patient), held_out)
    assert "trained on 1 of this set's held-out patients (1 test) or more (what the weights they were fine-tuned " \
           "from trained on is not recorded)" in own
    assert held_out_seen(_clinic_record(None), held_out) is None  # from scratch: its own patients are all of it
    assert held_out_seen({}, held_out) is None  # a record that names nothing: the scored line keeps its hint


def test_init_overlap_counts_what_the_start_weights_started_from(sets) -> None:
    trained_on_set, held_out = sets["trained_on"], sets["held_out"]
    assert START_SEEN in init_overlap(DEMO_RECORD, trained_on_set)
    assert init_overlap(DEMO_RECORD, held_out) is None
    assert START_SEEN in init_overlap(_clinic_record("ab" * 32, init_training=DEMO_RECORD), trained_on_set)


def test_evaluate_on_the_demos_training_set_warns_with_split_test(sets, tmp_path: Path, capsys) -> None:
    weights = tmp_path / "demo.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), weights, training=DEMO_RECORD)
    for data, said in ((sets["trained_on"], f"palsy: warning: {SEEN}"), (sets["held_out"], None)):
        capsys.readouterr()
        assert main(["evaluate", "grading", "--data", str(data.root), "--weights", str(weights), "--split", "test"]) == 0
        err = capsys.readouterr().err
        assert (said in err) if said else err == ""


def test_a_clinic_card_warns_when_its_test_patients_trained_the_start_weights(sets, tmp_path: Path,
                                                                            whole_photos) -> None:
    start = tmp_path / "demo.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), start, training=DEMO_RECORD)
    work = tmp_path / "clinic"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        run_clinic(ClinicRecipe(patients=str(sets["trained_on"].root), init=str(start), work=str(work), steps=1,
                                batch_size=2), torch.device("cpu"))
    assert f"palsy: warning: {START_SEEN}" in err.getvalue()
    assert START_SEEN in (work / "clinic.md").read_text(encoding="utf-8")
