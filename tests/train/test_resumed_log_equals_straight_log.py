"""The log of an interrupted and resumed run holds the straight run's loss records: the
checkpoint keeps the losses of the block the stop cut short, so the resumed run's next record
is the mean of the whole block, and the cut-short record is marked `partial`."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import torch

from models.checkpoint import read_checkpoint
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_parsing
from tests.train.loop_helpers import CancelAfter, SignalAfter, adam_signalling_at

CPU = torch.device("cpu")
TIMING = ("elapsed_s", "time")

pytestmark = pytest.mark.usefixtures("one_thread")


def _run(data: Path, out: Path, **kwargs) -> None:
    settings = LoopSettings("parsing", steps=12, seed=1, log_every=5, checkpoint_every_s=3600)
    train_parsing([DataSpec(data, split="all")], out, settings, CPU, input_size=64, batch_size=2,
                  log_path=out.with_suffix(".jsonl"), **kwargs)


def _records(log: Path) -> list[dict]:
    records = [json.loads(line) for line in log.read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING} for r in records]


def _loss_records(log: Path) -> list[dict]:
    return [r for r in _records(log) if "event" not in r and not r.get("partial")]


@pytest.mark.parametrize("kind", ["cancel", "ctrl-c between steps", "ctrl-c in the update"])
@pytest.mark.parametrize("stopped_at", [3, 7])
def test_a_resumed_runs_log_holds_the_straight_runs_records(tiny_patients, tmp_path, monkeypatch, kind, stopped_at):
    straight = tmp_path / "straight.pt"
    _run(tiny_patients, straight)
    cut = tmp_path / "cut.pt"
    with monkeypatch.context() as patched:
        if kind == "cancel":
            _run(tiny_patients, cut, progress=CancelAfter(stopped_at))
        else:
            if kind == "ctrl-c in the update":  # as the update of step `stopped_at` ends, before the loop counts it
                patched.setattr(torch.optim, "Adam", adam_signalling_at(stopped_at, signal.SIGINT))
            with pytest.raises(KeyboardInterrupt):
                _run(tiny_patients, cut, progress=SignalAfter(stopped_at, signal.SIGINT) if kind.endswith("steps") else None)
    assert read_checkpoint(cut)["train_state"]["step"] == stopped_at
    _run(tiny_patients, cut, resume=cut)
    expected = _loss_records(straight.with_suffix(".jsonl"))
    assert [r["step"] for r in expected] == [5, 10, 12]
    assert _loss_records(cut.with_suffix(".jsonl")) == expected
    partial = [r for r in _records(cut.with_suffix(".jsonl")) if r.get("partial")]
    assert [r["step"] for r in partial] == [stopped_at]
