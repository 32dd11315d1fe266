"""clinic.pt, which may travel, carries no patient id in clear (docs/train.md): the held-out
photos where no face was found are counted in its metrics, not named (their names, patient id
first, stay in metrics.json beside the run); identical photos are counted in its cautions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch

from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import get_config
from models.data.patients import PatientDataset
from models.train.clinic import ClinicRecipe, run_clinic
from tests.train.framed_helpers import faceless, framed_set

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")
FACELESS = "syn7_00003/rest.png"  # a test photo turned into a blank grey frame


def _framed_set(root: Path) -> Path:
    """4 framed patients (2 train, val, test), the second training patient holding the first
    one's photos (one person under two ids), one test photo without a face."""
    framed_set(root, 4)
    for path in (root / "syn7_00000").glob("*.png"):
        shutil.copy(path, root / "syn7_00001" / path.name)
    faceless(root / FACELESS)
    return root


def _strings(value: Any) -> list[str]:
    """Every string in a checkpoint's metadata, keys included."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_clinic_pt_names_no_patient_while_the_run_folder_does(tmp_path, capsys):
    data = _framed_set(tmp_path / "data")
    weights = tmp_path / "w.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), weights)
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(data), init=str(weights), work=str(work), steps=1, batch_size=2), CPU)
    err = capsys.readouterr().err
    assert FACELESS in err and "syn7_00000" in err  # named on the command line
    _, meta = load_checkpoint(work / "clinic.pt")
    ids = PatientDataset(data).patient_ids()
    leaks = [(pid, s) for s in _strings(meta) for pid in ids if pid in s]
    assert leaks == []
    assert meta["metrics"]["grading"]["patient"]["no_face"] == 1
    assert json.loads((work / "metrics.json").read_text())["grading"]["patient"]["no_face"] == [FACELESS]
