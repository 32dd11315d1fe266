"""A clinic run started on frames with masks/EXPRESSION.png is refused on rerun, since this
version pairs that mask with the expression's first frame: the refusal names that cause
(review: it named only changed rows, photos or masks, none of which had changed)."""

from __future__ import annotations

import shutil

import pytest

from models.data.patients import PatientDataset
from models.errors import InputError
from models.train import clinic
from models.train.clinic import ClinicRecipe
from models.train.run_state import RunState

from .conftest import draw_patients


def test_the_refusal_names_the_first_frame_mask_pairing(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=5)
    dataset = PatientDataset(root)
    pid = next(p for p in dataset.patient_ids() if dataset.patients[p].split == "train")
    folder = root / pid
    shutil.copy(folder / "rest.png", folder / "rest_2.png")
    (folder / "rest.png").rename(folder / "rest_1.png")
    (folder / "masks" / "rest.png").rename(tmp_path / "rest_mask.png")  # as earlier versions saw it: unpaired
    work = tmp_path / "run"
    work.mkdir()
    recipe = ClinicRecipe(patients=str(root), work=str(work), init=None, steps=1)
    state = RunState(work / "state.json")
    state.record("recipe", clinic._plain(recipe))
    state.record("training_data", clinic._fingerprint(PatientDataset(root), ("train",)))
    state.record("scoring_data", clinic._fingerprint(PatientDataset(root), ("val", "test")))
    (work / "stage1.pt").write_bytes(b"x")  # a stage started
    clinic._same_run(state, work, recipe, PatientDataset(root))  # nothing changed: the run goes on
    (tmp_path / "rest_mask.png").rename(folder / "masks" / "rest.png")  # now paired with rest_1.png
    with pytest.raises(InputError, match=r"changed since this run started .*this version of Palsy Grader now pairs "
                                         r"masks/EXPRESSION\.png with the expression's first frame\): .*"
                                         r"start the run again in a new --out folder"):
        clinic._same_run(state, work, recipe, PatientDataset(root))
