"""The loop's own guarantees (models/train/loop.py): Ctrl-C anywhere in a step leaves the state
of the last completed step, so a resumed run is the straight run bit for bit (parameters and
buffers); budgets that never end are refused; the checkpoint says whether its run finished;
the log marks each start and keeps the last partial block of steps."""

from __future__ import annotations

import json
import math
import signal

import pytest
import torch

import models.train.stages as stages
from models.checkpoint import read_checkpoint
from models.errors import CheckpointError, InputError
from models.train.loop import LoopSettings, check_output_paths, unfinished_step
from models.train.stages import DataSpec, train_grading, train_parsing
from tests.train.loop_helpers import CancelAfter, adam_signalling_at

CPU = torch.device("cpu")

pytestmark = pytest.mark.usefixtures("one_thread")




def _settings(**kwargs) -> LoopSettings:
    return LoopSettings("parsing", steps=kwargs.pop("steps", 5), seed=1, checkpoint_every_s=3600, **kwargs)


def _assert_same_state(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for name in sa:  # parameters and buffers (batch-norm statistics, num_batches_tracked)
        assert torch.equal(sa[name], sb[name]), name


@pytest.fixture
def spec(tiny_patients):
    return [DataSpec(tiny_patients, split="all")]


@pytest.fixture
def straight(spec, tmp_path):
    model, summary = train_parsing(spec, tmp_path / "straight.pt", _settings(), CPU, input_size=64, batch_size=2)
    assert summary["steps"] == 5
    return model


def test_ctrl_c_inside_a_step_keeps_the_last_completed_step(spec, straight, tmp_path, monkeypatch):
    # Ctrl-C in the loss of step 3, after E1's forward pass has updated batch norm's running
    # statistics with that step's batch: the checkpoint must not hold them.
    original = stages.partial_label_cross_entropy
    calls = []

    def interrupted_in_step_3(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(stages, "partial_label_cross_entropy", interrupted_in_step_3)
    out = tmp_path / "cut.pt"
    with pytest.raises(KeyboardInterrupt):
        train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2, log_path=tmp_path / "cut.jsonl")
    monkeypatch.undo()
    state = read_checkpoint(out)["train_state"]
    assert state["step"] == 2 and state["finished"] is False
    resumed, summary = train_parsing(spec, out, _settings(), CPU, batch_size=2, resume=out)
    assert summary["steps"] == 5
    _assert_same_state(straight, resumed)


def test_ctrl_c_during_the_optimizer_update_waits_for_it(spec, straight, tmp_path, monkeypatch):
    # SIGINT arrives while Adam updates the parameters of step 3: the update and the step
    # count finish first, so the checkpoint is step 3 exactly (not step 2 with step 3's weights).
    monkeypatch.setattr(torch.optim, "Adam", adam_signalling_at(3, signal.SIGINT))  # Ctrl-C as update 3 ends
    out = tmp_path / "cut.pt"
    with pytest.raises(KeyboardInterrupt):
        train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2)
    monkeypatch.undo()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the loop's handler is gone again
    assert read_checkpoint(out)["train_state"]["step"] == 3
    resumed, _ = train_parsing(spec, out, _settings(), CPU, batch_size=2, resume=out)
    _assert_same_state(straight, resumed)



def test_a_diverged_step_stops_the_run_with_the_last_good_weights(spec, straight, tmp_path, monkeypatch):
    # The loss of step 4 is NaN (as a too-high learning rate makes it): the update would write
    # NaN into every weight and the file would grade every face "I". The run stops in one line
    # and its checkpoint holds the weights after step 3, equal to the straight run's there.
    original = stages.partial_label_cross_entropy
    calls = []

    def nan_at_step_4(*args, **kwargs):
        calls.append(1)
        loss = original(*args, **kwargs)
        return loss * math.nan if len(calls) == 4 else loss

    monkeypatch.setattr(stages, "partial_label_cross_entropy", nan_at_step_4)
    out, log = tmp_path / "diverged.pt", tmp_path / "diverged.jsonl"
    with pytest.raises(InputError, match=r"training diverged at step 4: the loss became nan .*weights after step 3.*lower --lr"):
        train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2, log_path=log)
    monkeypatch.undo()
    payload = read_checkpoint(out)
    assert payload["train_state"]["step"] == 3 and payload["train_state"]["finished"] is False
    assert all(torch.isfinite(t).all() for t in payload["state_dict"].values() if t.is_floating_point())
    assert json.loads(log.read_text().splitlines()[-1])["event"] == "diverged"
    # exactly the straight run's step 3 (the NaN step's batch-norm statistics undone): going on
    # from it without the NaN gives the straight run bit for bit
    resumed, _ = train_parsing(spec, out, _settings(), CPU, batch_size=2, resume=out)
    _assert_same_state(straight, resumed)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"minutes": -1.0}, "--minutes must be a finite number above 0"),
        ({"minutes": math.nan}, "--minutes must be a finite number above 0"),
        ({"minutes": math.inf}, "--minutes must be a finite number above 0"),
        ({"steps": -1}, "step budget must be a whole number of 1 or more"),
        ({"steps": 0}, "step budget must be a whole number of 1 or more"),
        ({"steps": 2, "lr": -1.0}, "--lr must be a finite number above 0"),
        ({"steps": 2, "lr": math.nan}, "--lr must be a finite number above 0"),
    ],
)
def test_budgets_that_never_end_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        LoopSettings("parsing", **kwargs)


@pytest.mark.parametrize("epochs", [-1.0, math.nan, math.inf])
def test_bad_epochs_are_refused(spec, tmp_path, epochs):
    with pytest.raises(InputError, match="--epochs must be a finite number above 0"):
        train_parsing(spec, tmp_path / "x.pt", LoopSettings("parsing", steps=1), CPU, input_size=64, epochs=epochs)


def test_the_checkpoint_says_whether_its_run_finished(spec, tmp_path):
    out = tmp_path / "c.pt"
    train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2, progress=CancelAfter(2))
    assert read_checkpoint(out)["train_state"]["finished"] is False
    assert unfinished_step(out, "parsing") == 2
    assert unfinished_step(out, "grading") is None  # another mode's run
    train_parsing(spec, out, _settings(), CPU, batch_size=2, resume=out)
    assert read_checkpoint(out)["train_state"]["finished"] is True
    assert unfinished_step(out, "parsing") is None
    assert unfinished_step(tmp_path / "missing.pt", "parsing") is None


def test_an_older_checkpoint_without_the_flag_is_judged_by_its_budget(spec, tmp_path):
    out = tmp_path / "c.pt"
    train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2, progress=CancelAfter(2))
    payload = torch.load(out, weights_only=True)
    del payload["train_state"]["finished"]
    torch.save(payload, out)
    assert unfinished_step(out, "parsing") == 2  # 2 of 5 steps
    payload["train_state"]["step"] = 5
    torch.save(payload, out)
    assert unfinished_step(out, "parsing") is None


def test_resuming_another_stage_is_refused(spec, tiny_patients, tmp_path):
    out = tmp_path / "p.pt"
    train_parsing(spec, out, _settings(steps=2), CPU, input_size=64, batch_size=2)
    for stage, cascaded in (("grading", True), ("end-to-end", False)):
        with pytest.raises(InputError, match=f"holds a checkpoint of palsy train parsing, not {stage}"):
            train_grading(tiny_patients, tmp_path / "g.pt", LoopSettings(stage, steps=2), CPU, cascaded=cascaded, resume=out)


def test_resuming_at_another_input_size_is_refused(spec, tmp_path):
    out = tmp_path / "p.pt"
    train_parsing(spec, out, _settings(steps=2), CPU, input_size=64, batch_size=2)
    with pytest.raises(InputError, match="trains at 64 px; drop --input-size 128"):
        train_parsing(spec, out, _settings(steps=4), CPU, input_size=128, batch_size=2, resume=out)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"step": "x"}, "train_state step is 'x'"),
        ({"step": -3}, "train_state step is '-3'"),
        ({"optimizer": None}, "train_state has no optimizer state"),
        ({"optimizer": {"state": {}}}, "train_state optimizer is not an optimizer state"),
        ({"elapsed_s": "long"}, "train_state elapsed_s is 'long'"),
        ({"stage": 3}, "train_state stage has type int"),
        ({"running_losses": [1.5, "x"]}, "train_state running_losses holds something other than finite losses"),
    ],
)
def test_an_edited_train_state_is_one_checkpoint_error(spec, tmp_path, change, message):
    out = tmp_path / "p.pt"
    train_parsing(spec, out, _settings(steps=2), CPU, input_size=64, batch_size=2)
    payload = torch.load(out, weights_only=True)
    for key, value in change.items():
        if value is None:
            del payload["train_state"][key]
        else:
            payload["train_state"][key] = value
    torch.save(payload, out)
    with pytest.raises(CheckpointError, match=message):
        train_parsing(spec, tmp_path / "r.pt", _settings(steps=4), CPU, batch_size=2, resume=out)


def test_the_log_marks_each_start_and_keeps_the_last_partial_block(spec, tmp_path):
    out, log = tmp_path / "p.pt", tmp_path / "p.jsonl"
    train_parsing(spec, out, _settings(steps=7, log_every=5), CPU, input_size=64, batch_size=2, log_path=log)
    train_parsing(spec, out, _settings(steps=7, log_every=5), CPU, input_size=64, batch_size=2, log_path=log)  # a fresh run again
    records = [json.loads(line) for line in log.read_text().splitlines()]
    starts = [i for i, r in enumerate(records) if r.get("event") == "start"]
    assert len(starts) == 2 and starts[0] == 0
    assert records[0]["step"] == 0 and records[0]["resumed"] is False and records[0]["time"]
    first_run = records[: starts[1]]
    assert [r["step"] for r in first_run if "loss" in r] == [5, 7]  # steps 6-7 logged at the end
    assert first_run[-1]["event"] == "end"


def test_output_paths_are_checked_before_training(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(InputError, match=r"--out .*folder is a folder"):
        check_output_paths(folder)
    with pytest.raises(InputError, match=r"--log .*folder is a folder"):
        check_output_paths(tmp_path / "x.pt", folder)
    with pytest.raises(InputError, match=r"--out .*afile is a file, not a folder"):
        check_output_paths(afile / "sub" / "x.pt")
    with pytest.raises(InputError, match="--out and --log both name"):
        check_output_paths(tmp_path / "x.pt", tmp_path / "x.pt")
    check_output_paths(tmp_path / "new" / "deeper" / "x.pt", tmp_path / "x.jsonl")  # folders to be made are fine
