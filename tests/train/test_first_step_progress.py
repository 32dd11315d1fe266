"""The first step of a run is reported at once, not after the first block of ten: one step of
the paper network on a CPU takes about a minute and a half, and the terminal stayed silent for
a quarter of an hour."""

from __future__ import annotations

import io

import pytest
import torch

from models.train.loop import LoopSettings, PrintProgress
from models.train.stages import DataSpec, train_parsing

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("resume", [False, True])
def test_the_first_step_of_a_run_is_reported_at_once(tiny_patients, tmp_path, resume: bool) -> None:
    spec, out = [DataSpec(tiny_patients, split="all")], tmp_path / "run.pt"
    if resume:  # a resumed run reports its own first step (step 4) too
        train_parsing(spec, out, LoopSettings("parsing", steps=3, seed=1), torch.device("cpu"), input_size=64, batch_size=2)
    stream = io.StringIO()
    progress = PrintProgress(every_s=3600.0, stream=stream)
    settings = LoopSettings("parsing", steps=6 if resume else 3, seed=1)
    train_parsing(spec, out, settings, torch.device("cpu"), input_size=64, batch_size=2, progress=progress,
                  resume=out if resume else None)
    lines = stream.getvalue().splitlines()
    first = 4 if resume else 1
    assert lines[0].startswith(f"[parsing] step {first} ") and "loss=" in lines[0], lines
    assert lines[-1].startswith("[parsing] step " + ("6" if resume else "3") + " 100.0%"), lines
