"""Windows never delivers SIGTERM: Ctrl+Break (SIGBREAK) stops a training run as SIGTERM does,
with the steps done saved (models/train/loop.py). Simulated here by standing in SIGUSR1 as the
platform's SIGBREAK."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import torch

from models.checkpoint import read_checkpoint
from models.errors import Terminated
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_parsing
from tests.train.loop_helpers import SignalAfter

CPU = torch.device("cpu")
FAKE_SIGBREAK = signal.SIGUSR1  # a signal this platform can deliver, with the default action

pytestmark = pytest.mark.usefixtures("one_thread")


class BreakAfter(SignalAfter):
    """SignalAfter, but it first checks that the loop handles the signal: without a handler
    the default action would end the test process instead of failing the test."""

    def cancelled(self) -> bool:
        if self.asked + 1 == self.steps + 1:
            assert signal.getsignal(self.signum) is not signal.SIG_DFL, "the loop does not handle SIGBREAK"
        return super().cancelled()


@pytest.fixture
def windows_signals(monkeypatch: pytest.MonkeyPatch) -> int:
    """signal.SIGBREAK as on Windows (where Ctrl+Break sends it)."""
    monkeypatch.setattr(signal, "SIGBREAK", FAKE_SIGBREAK, raising=False)
    assert signal.getsignal(FAKE_SIGBREAK) is signal.SIG_DFL
    return FAKE_SIGBREAK


def test_ctrl_break_saves_the_steps_done(windows_signals, tiny_patients, tmp_path: Path) -> None:
    out, log = tmp_path / "cut.pt", tmp_path / "cut.jsonl"
    settings = LoopSettings("parsing", steps=5, seed=1, checkpoint_every_s=3600)
    with pytest.raises(Terminated):
        train_parsing([DataSpec(tiny_patients, split="all")], out, settings, CPU, input_size=64, batch_size=2,
                      progress=BreakAfter(2, windows_signals), log_path=log)
    assert signal.getsignal(windows_signals) is signal.SIG_DFL  # the loop's handler is gone again
    state = read_checkpoint(out)["train_state"]
    assert state["step"] == 2 and state["finished"] is False
    last = json.loads(log.read_text().splitlines()[-1])
    assert last == {"event": "interrupted", "stage": "parsing", "steps": 2, "signal": "SIGBREAK"}
