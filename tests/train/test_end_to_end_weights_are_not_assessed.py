"""The paper's end-to-end baseline (`palsy train end-to-end`) trains E1's backbone and E2 on the
grade loss only: E1's face parser (attention head, pixel classifier) never gets a gradient, so
its masks, overlays and measured grade would be random. `load_model` (the app, `palsy assess`)
refuses such weights with one line saying what they are good for; `palsy evaluate grading`, which
scores their grades, still takes them."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from app.cli import main
from models.checkpoint import load_checkpoint
from models.errors import CheckpointError
from models.pipeline.loader import (
    clear_model_cache,
    load_model,
    parser_trained,
    parsing_never_trained,
)
from models.train.loop import LoopSettings
from models.train.stages import train_grading

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(autouse=True)
def _no_cache():
    clear_model_cache()
    yield
    clear_model_cache()


def _message(path: Path) -> str:
    return (f"{path} holds the paper's end-to-end baseline: its face parser was never trained, so its masks and "
            "overlays would be random; score it with `palsy evaluate grading` only, and assess with weights "
            "trained in stages (`palsy train parsing`, then `grading`)")


@pytest.fixture
def end_to_end(tiny_patients: Path, tmp_path: Path) -> Path:
    """Three end-to-end steps on the compact network at 64 px (the audit's run)."""
    path = tmp_path / "e2e.pt"
    train_grading(tiny_patients, path, LoopSettings("end-to-end", steps=3), CPU, cascaded=False, input_size=64,
                  batch_size=2, progress=None)
    return path


def test_load_model_and_the_app_refuse_end_to_end_weights(end_to_end):
    from app.analysis import load_model as app_load_model

    model, meta = load_checkpoint(end_to_end)
    assert not parser_trained(model) and parsing_never_trained(model, meta)
    with pytest.raises(CheckpointError) as caught:
        load_model(end_to_end, "cpu")
    assert str(caught.value) == _message(end_to_end)
    with pytest.raises(CheckpointError) as caught:  # the window's banner shows this message
        app_load_model(str(end_to_end), "cpu")
    assert str(caught.value) == _message(end_to_end)


def test_a_stage_2_trained_on_end_to_end_weights_is_refused_too(end_to_end, tiny_patients, tmp_path):
    # E1 frozen on the baseline's: its parser is still the untrained one
    graded = tmp_path / "graded.pt"
    train_grading(tiny_patients, graded, LoopSettings("grading", steps=1), CPU, init=end_to_end, batch_size=2, progress=None)
    with pytest.raises(CheckpointError, match="end-to-end baseline: its face parser was never trained"):
        load_model(graded, "cpu")


def test_assess_refuses_and_evaluate_grading_scores_end_to_end_weights(end_to_end, tiny_patients, tmp_path, capsys):
    patient = next(p for p in sorted(tiny_patients.iterdir()) if p.is_dir())
    out = tmp_path / "out"
    assert main(["assess", str(patient), "--out", str(out), "--weights", str(end_to_end), "--device", "cpu"]) == 2
    assert capsys.readouterr().err == f"palsy: error: {_message(end_to_end)}\n"
    assert not (out / "assessment.json").exists()
    for level in ("patient", "photo"):
        assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(end_to_end),
                     "--level", level, "--json"]) == 0
        capsys.readouterr()


def test_evaluate_refuses_to_score_the_never_trained_parser_of_end_to_end_weights(end_to_end, tiny_patients, capsys):
    """`palsy evaluate parsing` and `--level measured` read E1's masks: for the baseline they
    scored a random parser as ordinary figures (mean F1 0.01, exit 0; audit a2 #4)."""
    for task, extra, named in (("parsing", [], "`palsy evaluate parsing`"),
                               ("grading", ["--level", "measured"], "`palsy evaluate grading --level measured`")):
        assert main(["evaluate", task, "--data", str(tiny_patients), "--weights", str(end_to_end), *extra, "--json"]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (f"palsy: error: {end_to_end} holds the paper's end-to-end baseline: its face parser "
                                f"was never trained, so its masks are random and {named} would score noise; score "
                                "its grades with `palsy evaluate grading` (--level patient or photo)\n")
    # the exact masks involve no network: still scored
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(end_to_end),
                 "--level", "measured-exact", "--json"]) == 0
