"""Weights that hold face parsing only (stage 1: E2 never trained) grade nothing: `load_model`
(the app, `palsy assess`) and `palsy evaluate grading` refuse them with one line saying how to
train stage 2; parsing-only uses (`palsy evaluate parsing`, the measured grade from E1's masks)
still take them, and graded, untrained-test and shipped weights still load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from app.cli import main
from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import get_config
from models.errors import CheckpointError
from models.pipeline.loader import clear_model_cache, grading_never_trained, load_model
from models.resources import default_weights_path
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_grading, train_parsing
from tests.assess.conftest import write_rgb
from tests.assess.fakes import cartoon_photo
from tests.assess.masks import paint_patient
from tests.train.conftest import draw_patients

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def _one_thread_and_no_cache():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    clear_model_cache()
    yield
    clear_model_cache()
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two steps of each: stage 1 from scratch, stage 2 on it, and stage 1 again from the graded file."""
    root = tmp_path_factory.mktemp("stages")
    patients = draw_patients(root / "patients", 6, seed=7)
    quiet = {"progress": None, "batch_size": 2}
    stage1 = root / "stage1.pt"
    train_parsing([DataSpec(patients, split="all")], stage1, LoopSettings("parsing", steps=2), CPU, input_size=64, **quiet)
    graded = root / "graded.pt"
    train_grading(patients, graded, LoopSettings("grading", steps=2), CPU, init=stage1, patient_ids=None, **quiet)
    polished = root / "polished.pt"  # E1 trained on from graded weights keeps their trained E2
    train_parsing([DataSpec(patients, split="all")], polished, LoopSettings("parsing", steps=2), CPU, init=graded, **quiet)
    return {"patients": patients, "stage1": stage1, "graded": graded, "polished": polished}


def _message(path: Path | str) -> str:
    return (f"{path} holds face parsing only (stage 1): its grading network was never trained; "
            f"train stage 2 with `palsy train grading --init {path}`")


def test_load_model_refuses_a_stage_1_checkpoint(trained):
    with pytest.raises(CheckpointError) as caught:
        load_model(trained["stage1"], "cpu")
    assert str(caught.value) == _message(trained["stage1"])


def test_graded_and_polished_checkpoints_load(trained):
    for key in ("graded", "polished"):
        model, meta = load_checkpoint(trained[key])
        assert not grading_never_trained(model, meta), key
        assert load_model(trained[key], "cpu").model is not None


def test_untrained_test_networks_and_the_shipped_weights_load(tmp_path):
    # A checkpoint without a training record (tests' tiny_weights, a cascade the demo recipe
    # assembles) is not judged; the shipped weights record their recipe, not a stage.
    untrained = tmp_path / "tiny.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), untrained)
    assert load_model(untrained, "cpu").model is not None
    shipped = default_weights_path()
    if shipped.is_file():
        assert load_model(shipped, "cpu").model is not None


def test_a_stage_1_file_copied_under_another_name_is_still_refused(trained, tmp_path):
    copy = tmp_path / "weights.pt"
    shutil.copy(trained["stage1"], copy)
    with pytest.raises(CheckpointError, match="holds face parsing only"):
        load_model(copy, "cpu")


def test_evaluate_grading_refuses_stage_1_weights_but_parsing_and_measured_take_them(trained, capsys):
    data, stage1 = str(trained["patients"]), str(trained["stage1"])
    for level in ("patient", "photo"):
        assert main(["evaluate", "grading", "--data", data, "--weights", stage1, "--level", level]) == 2
        err = capsys.readouterr().err
        assert err == f"palsy: error: {_message(stage1)}\n"
    assert main(["evaluate", "grading", "--data", data, "--weights", stage1]) == 2  # the default level: patient
    assert "holds face parsing only" in capsys.readouterr().err
    assert main(["evaluate", "grading", "--data", data, "--weights", stage1, "--level", "measured", "--json"]) == 0
    assert main(["evaluate", "parsing", "--data", data, "--weights", stage1, "--json"]) == 0
    assert main(["evaluate", "grading", "--data", data, "--weights", str(trained["graded"]), "--json"]) == 0


def test_assess_refuses_stage_1_weights(trained, tmp_path, capsys):
    patient = trained["patients"] / sorted(p.name for p in trained["patients"].iterdir() if p.is_dir())[0]
    out = tmp_path / "out"
    assert main(["assess", str(patient), "--out", str(out), "--weights", str(trained["stage1"]), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "holds face parsing only (stage 1)" in err
    assert not (out / "assessment.json").exists()


def test_weights_whose_e1_was_trained_after_their_e2_say_so_in_every_assessment(trained, tmp_path, capsys):
    # paper-fidelity audit: `train parsing --init graded.pt` changed z under a kept E2, and the
    # assessments made with it carried no sign (E2 is trained on a fixed E1 in the paper)
    assert load_model(trained["polished"], "cpu").info.e2_on_other_e1
    assert not load_model(trained["graded"], "cpu").info.e2_on_other_e1
    shipped = default_weights_path()
    if shipped.is_file():
        assert not load_model(shipped, "cpu").info.e2_on_other_e1  # the recipe's polishes: its card says so
    patient = tmp_path / "patient"  # cartoon photos the face check takes (the training set's are not faces)
    for expression, mask in paint_patient((0.35, 1.0)).items():
        write_rgb(patient / f"{expression}.png", cartoon_photo(mask))
    for key, flagged in (("polished", True), ("graded", False)):
        out = tmp_path / key
        assert main(["assess", str(patient), "--out", str(out), "--weights", str(trained[key]), "--device", "cpu"]) == 0
        written = json.loads((out / "assessment.json").read_text())
        assert ("e2_on_other_e1" in [f["code"] for f in written["flags"]]) is flagged, key
        assert written["model"].get("e2_on_other_e1", False) is flagged, key
        assert ("flag e2_on_other_e1: " in capsys.readouterr().out) is flagged, key


def test_training_e1_on_graded_weights_says_that_stage_2_is_due(trained, tmp_path, capsys):
    data, out = str(trained["patients"]), tmp_path / "again.pt"
    assert main(["train", "parsing", "--data", data, "--init", str(trained["graded"]), "--epochs", "0.2", "--batch-size", "2",
                 "--out", str(out), "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert f"note: {out} keeps the grading network (E2) of its --init weights" in printed
    assert f"palsy train grading --init {out}" in printed
    assert main(["train", "parsing", "--data", data, "--init", str(trained["stage1"]), "--epochs", "0.2", "--batch-size", "2",
                 "--out", str(tmp_path / "plain.pt"), "--device", "cpu"]) == 0
    assert "note:" not in capsys.readouterr().out  # stage 1 on stage-1 weights: no E2 to speak of
