"""Weights trained on from weights that carry cautions (a clinic's clinic.pt: not validated,
trained on a handful of patients) keep them, and say they were trained further (audit a2
finding 3: `palsy train grading --init clinic.pt` wrote weights the app, `palsy assess` and the
report showed with no caution at all). Weights started from ones without cautions get none
written: `models.resources.shown_cautions` says what such weights need when they are loaded."""

from __future__ import annotations

import pytest
import torch

from app.cli import main
from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import get_config
from models.pipeline.loader import clear_model_cache, load_model
from models.resources import CAUTIONS, UNVALIDATED_CAUTION, weights_cautions
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_grading, train_parsing

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")
CLINIC = ["Trained on 8 patients of this clinic, tested on 1 (test accuracy 0.000, kappa not defined); not a "
          "validated medical device.", "Very short training (stage 2 2 steps; fewer than 50): the weights mostly show "
          "where they started from."]


def _further(mode: str) -> str:
    return (f"Trained further from clinic.pt with palsy train {mode}: the cautions above are that file's, and no test "
            "has checked these weights since.")


def _start_weights(path, cautions=None):
    """Compact 64-px start weights whose face parser counts as trained (a batch counted), so
    that weights graded from them load as `palsy assess` and the app load them."""
    model = build_model(get_config("compact").with_input_size(64), seed=0)
    for name, buffer in model.e1.head.named_buffers():
        if name.endswith("num_batches_tracked"):
            buffer.fill_(1)
    save_checkpoint(model, path, extra={CAUTIONS: cautions} if cautions else None)
    return path


@pytest.fixture
def clinic_weights(tmp_path):
    return _start_weights(tmp_path / "clinic.pt", CLINIC)


def test_palsy_train_grading_from_clinic_weights_keeps_their_cautions(tiny_patients, clinic_weights, tmp_path, capsys):
    out = tmp_path / "g.pt"
    argv = ["train", "grading", "--data", str(tiny_patients), "--init", str(clinic_weights), "--epochs", "0.01",
            "--batch-size", "2", "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    _, meta = load_checkpoint(out)
    assert weights_cautions(meta) == [*CLINIC, _further("grading")]
    assert meta["training"]["init"][CAUTIONS] == CLINIC  # the start's record keeps them (a resume reads them there)
    clear_model_cache()
    assert load_model(out, "cpu").info.cautions == [*CLINIC, _further("grading")]  # what assess, the app, the report show


def test_end_to_end_and_parsing_keep_them_too(tiny_patients, clinic_weights, tmp_path):
    train_grading(tiny_patients, tmp_path / "e.pt", LoopSettings("end-to-end", steps=1), CPU, cascaded=False,
                  init=clinic_weights, batch_size=2)
    assert weights_cautions(load_checkpoint(tmp_path / "e.pt")[1]) == [*CLINIC, _further("end-to-end")]
    train_parsing([DataSpec(tiny_patients, split="all")], tmp_path / "p.pt", LoopSettings("parsing", steps=1), CPU,
                  init=clinic_weights, batch_size=2)
    assert weights_cautions(load_checkpoint(tmp_path / "p.pt")[1]) == [*CLINIC, _further("parsing")]


def test_a_resumed_run_keeps_them(tiny_patients, clinic_weights, tmp_path):
    out = tmp_path / "g.pt"
    train_grading(tiny_patients, out, LoopSettings("grading", steps=1), CPU, init=clinic_weights, batch_size=2)
    train_grading(tiny_patients, out, LoopSettings("grading", steps=2), CPU, resume=out, batch_size=2)
    _, meta = load_checkpoint(out)
    assert meta["train_state"]["step"] == 2
    assert weights_cautions(meta) == [*CLINIC, _further("grading")]


def test_weights_without_cautions_give_none_to_write(tiny_patients, tmp_path):
    out = tmp_path / "g.pt"
    train_grading(tiny_patients, out, LoopSettings("grading", steps=1), CPU, init=_start_weights(tmp_path / "research.pt"),
                  batch_size=2)
    _, meta = load_checkpoint(out)
    assert CAUTIONS not in meta and CAUTIONS not in meta["training"]["init"]
    clear_model_cache()
    assert load_model(out, "cpu").info.cautions == [UNVALIDATED_CAUTION]  # said at load time, not written


@pytest.mark.usefixtures("whole_photos")
def test_a_clinic_run_from_another_clinics_weights_keeps_their_cautions_after_its_own(tiny_patients, clinic_weights,
                                                                                       tmp_path):
    from models.train.clinic import ClinicRecipe, run_clinic

    work = tmp_path / "run"
    results = run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(clinic_weights), work=str(work), steps=2,
                                      batch_size=2), CPU)
    cautions = weights_cautions(load_checkpoint(work / "clinic.pt")[1])
    assert cautions == results["cautions"]
    # this run's own first (the amber banner shows the first), then the start file's, said to be that file's
    assert cautions[0].startswith("Trained on 12 patients of this clinic")
    lead = cautions.index(next(c for c in cautions if c.startswith("Started from clinic.pt")))
    assert "2 cautions of its own" in cautions[lead]
    assert cautions[lead + 1:] == CLINIC
    # a rerun (nothing trained again) writes the same
    assert run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(clinic_weights), work=str(work), steps=2,
                                   batch_size=2), CPU)["cautions"] == cautions


@pytest.mark.usefixtures("whole_photos")
def test_a_rerun_of_a_clinic_run_an_earlier_version_started_reads_the_start_cautions(tiny_patients, clinic_weights,
                                                                                      tmp_path):
    """A run started before the start weights' cautions were recorded (no `init_cautions` in
    its state.json), rerun: they are read from the --init file then (review r1 D5: its
    clinic.pt kept dropping them, though its stage files had them)."""
    import json

    from models.train.clinic import INIT_CAUTIONS, ClinicRecipe, run_clinic

    work = tmp_path / "run"
    recipe = ClinicRecipe(patients=str(tiny_patients), init=str(clinic_weights), work=str(work), steps=2, batch_size=2)
    run_clinic(recipe, CPU)
    state = json.loads((work / "state.json").read_text())
    del state[INIT_CAUTIONS]  # as an earlier version left it
    (work / "state.json").write_text(json.dumps(state))
    results = run_clinic(recipe, CPU)
    assert results["cautions"][-len(CLINIC):] == CLINIC
    assert weights_cautions(load_checkpoint(work / "clinic.pt")[1]) == results["cautions"]
