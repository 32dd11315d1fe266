"""SIGTERM (`kill PID`, a scheduler's stop) is handled as Ctrl-C: the steps done are saved and
`--resume` goes on bit for bit; the previous handler is put back. A resumed run's `start`
record names the step it resumes from and counts the records of a killed run it supersedes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from models.checkpoint import read_checkpoint
from models.errors import Terminated
from models.train.loop import LoopSettings, unfinished_step
from models.train.stages import DataSpec, train_parsing
from tests.train.loop_helpers import CancelAfter, SignalAfter, adam_signalling_at

CPU = torch.device("cpu")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.usefixtures("one_thread"),
              pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="the platform has no SIGTERM")]


def _settings(steps: int = 5, **kwargs) -> LoopSettings:
    return LoopSettings("parsing", steps=steps, seed=1, checkpoint_every_s=3600, **kwargs)


@pytest.fixture
def spec(tiny_patients):
    return [DataSpec(tiny_patients, split="all")]


def _records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_sigterm_saves_the_steps_done_and_the_resumed_run_is_the_straight_run(spec, tmp_path):
    straight, _ = train_parsing(spec, tmp_path / "straight.pt", _settings(), CPU, input_size=64, batch_size=2)
    out, log = tmp_path / "cut.pt", tmp_path / "cut.jsonl"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    with pytest.raises(Terminated):
        train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2, progress=SignalAfter(2, signal.SIGTERM), log_path=log)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the loop's handler is gone again
    state = read_checkpoint(out)["train_state"]
    assert state["step"] == 2 and state["finished"] is False
    assert _records(log)[-1] == {"event": "interrupted", "stage": "parsing", "steps": 2, "signal": "SIGTERM"}
    resumed, summary = train_parsing(spec, out, _settings(), CPU, batch_size=2, resume=out, log_path=log)
    assert summary["steps"] == 5
    for name, tensor in straight.state_dict().items():
        assert torch.equal(tensor, resumed.state_dict()[name]), name


def test_sigterm_during_the_optimizer_update_waits_for_it(spec, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.optim, "Adam", adam_signalling_at(3, signal.SIGTERM))  # as update 3 ends
    out = tmp_path / "cut.pt"
    with pytest.raises(Terminated):
        train_parsing(spec, out, _settings(), CPU, input_size=64, batch_size=2)
    assert read_checkpoint(out)["train_state"]["step"] == 3


def test_a_sigterm_handler_the_caller_installed_is_left_alone(spec, tmp_path):
    seen = []

    def mine(signum, frame):
        seen.append(signum)

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        _, summary = train_parsing(spec, tmp_path / "p.pt", _settings(steps=4), CPU, input_size=64, batch_size=2,
                                   progress=SignalAfter(2, signal.SIGTERM))
        assert summary["steps"] == 4 and seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_command_saves_on_sigterm_and_says_how_to_resume(tiny_patients, tmp_path):
    out, log = tmp_path / "run.pt", tmp_path / "run.jsonl"
    command = [sys.executable, "-m", "app", "train", "parsing", "--data", str(tiny_patients), "--input-size", "64",
               "--batch-size", "2", "--epochs", "500", "--out", str(out), "--log", str(log), "--threads", "1"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (log.is_file() and any('"loss"' in line for line in log.read_text().splitlines())):
            assert process.poll() is None and time.monotonic() < deadline, "training did not start"
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143, err  # 128 + SIGTERM, as a program stopped by it
    assert f"add --resume {out}" in err
    step = unfinished_step(out, "parsing")
    assert step is not None and step >= 10
    assert _records(log)[-1] == {"event": "interrupted", "stage": "parsing", "steps": step, "signal": "SIGTERM"}


def test_a_resumed_start_names_its_step_and_counts_the_records_it_supersedes(spec, tmp_path):
    out, log = tmp_path / "p.pt", tmp_path / "p.jsonl"
    train_parsing(spec, out, _settings(steps=6, log_every=1), CPU, input_size=64, batch_size=2, progress=CancelAfter(2),
                  log_path=log)
    assert read_checkpoint(out)["train_state"]["step"] == 2
    # A run resumed from here and killed with kill -9 after logging steps 3 and 4, before its
    # next checkpoint: its start and step records stay in the log, the checkpoint is at step 2.
    with log.open("a") as handle:
        handle.write(json.dumps({"event": "start", "stage": "parsing", "step": 2, "resumed": True, "superseded": 0}) + "\n")
        for step in (3, 4):
            handle.write(json.dumps({"stage": "parsing", "step": step, "loss": 1.0, "lr": 1e-4, "elapsed_s": 1.0}) + "\n")
        handle.write('{"stage": "parsing", "st')  # the line the kill cut short
        handle.write("\n")
    train_parsing(spec, out, _settings(steps=6, log_every=1), CPU, batch_size=2, resume=out, log_path=log)
    starts = [r for r in _records_lenient(log) if r.get("event") == "start"]
    assert starts[0]["resumed"] is False and "superseded" not in starts[0]
    assert starts[-1]["step"] == 2 and starts[-1]["resumed"] is True and starts[-1]["superseded"] == 2


def _records_lenient(log: Path) -> list[dict]:
    records = []
    for line in log.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records
