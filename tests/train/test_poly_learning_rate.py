"""The learning rate decays as training goes (poly: base x (1 - fraction done) ** power), as the
loop's doc, the model card ("poly LR") and DESIGN §6 say: a rate left at its base trains as
well as the tests could tell, and ends noisier."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from models.train.loop import LoopSettings
from models.train.stages import DataSpec, train_parsing

pytestmark = pytest.mark.usefixtures("one_thread")

STEPS, BASE = 8, 1e-3


def recording_adam(rates: list[float]) -> type[torch.optim.Adam]:
    """torch.optim.Adam that records the rate of its first parameter group at each update: the
    rate the update uses (monkeypatch it over torch.optim.Adam)."""

    class RecordingAdam(torch.optim.Adam):
        def step(self, closure: Callable[[], float] | None = None) -> float | None:
            rates.append(self.param_groups[0]["lr"])
            return super().step(closure)

    return RecordingAdam


def test_each_update_uses_the_poly_decayed_rate(tiny_patients: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rates: list[float] = []
    monkeypatch.setattr(torch.optim, "Adam", recording_adam(rates))
    settings = LoopSettings(stage="parsing", steps=STEPS, lr=BASE, power=0.9, log_every=STEPS, seed=0)
    train_parsing([DataSpec(tiny_patients, split="all")], tmp_path / "p.pt", settings, torch.device("cpu"),
                  input_size=64, batch_size=2)
    # update s (from 0) is set before it runs, from the fraction done s / STEPS
    assert rates == pytest.approx([BASE * (1 - s / STEPS) ** 0.9 for s in range(STEPS)])
    assert rates[0] == pytest.approx(BASE) and rates[-1] < BASE / 5
