"""Cancel during a network pass stops before the next layer (the paper's network on a CPU
took about 70 s a pass, and Cancel waited for all of it), and leaves the network as it was."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models.cascade import build_model
from models.config import COMPACT
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from models.pipeline.progress import Cancelled
from tests.assess.fakes import cartoon_photo
from tests.assess.masks import paint_patient


class CancelDuringPass:
    """Asks to stop once the network pass has begun: after the "Outlining" step's own check."""

    def __init__(self) -> None:
        self.in_pass = False
        self.asked = False
        self.checks_in_pass = 0

    def report(self, fraction: float, message: str) -> None:
        self.in_pass = self.in_pass or message.startswith("Outlining")

    def cancelled(self) -> bool:
        if self.in_pass:
            self.checks_in_pass += 1
            self.asked = self.checks_in_pass > 3  # the step's check, then two layers run
        return self.asked


def _leaves(net: torch.nn.Module) -> list[torch.nn.Module]:
    return [m for m in net.modules() if next(m.children(), None) is None]


def test_cancel_stops_the_pass_before_the_next_layer_and_removes_its_hooks() -> None:
    net = build_model(COMPACT.with_input_size(64), seed=0).eval()
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    progress = CancelDuringPass()
    ran_after_cancel = []
    counters = [m.register_forward_hook(lambda *_: ran_after_cancel.append(1) if progress.asked else None)
                for m in _leaves(net)]
    with pytest.raises(Cancelled, match="during the network pass"):
        assess(photos, wrap_model(net), progress)
    for counter in counters:
        counter.remove()
    assert ran_after_cancel == []
    assert all(not m._forward_pre_hooks for m in net.modules())
    again = assess(photos, wrap_model(net))  # the same network grades as before
    assert again.grade in ("I", "II", "III", "IV", "V", "VI") and np.isfinite(again.probabilities).all()


def test_cancelling_one_pass_leaves_another_thread_on_the_same_network_running() -> None:
    import threading

    from models.pipeline.cancel_in_pass import cancellable_pass
    from tests.doubles import RecordingProgress

    net = build_model(COMPACT.with_input_size(64), seed=0).eval()
    x = torch.rand(1, 3, 64, 64)
    other_ran = threading.Event()
    outcome: list[object] = []

    def overlays_beside_it() -> None:  # as the history page recomputing a visit's overlays
        other_ran.wait(10)
        try:
            with torch.inference_mode():
                outcome.append(net.e1(x, with_attention=True)["attention"].shape)
        except Cancelled as exc:
            outcome.append(exc)

    beside = threading.Thread(target=overlays_beside_it)
    beside.start()
    with cancellable_pass(net, RecordingProgress(cancel_after=0)):  # this pass is cancelled
        other_ran.set()
        beside.join(30)
    assert len(outcome) == 1 and not isinstance(outcome[0], Cancelled)
