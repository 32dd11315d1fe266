"""Test doubles of the training loop shared by tests/train."""

from __future__ import annotations


class CancelAfter:
    """A progress object that asks the loop to stop after `steps` steps."""

    def __init__(self, steps: int) -> None:
        self.steps, self.asked = steps, 0

    def update(self, stage, step, fraction, metrics) -> None:
        pass

    def cancelled(self) -> bool:
        self.asked += 1
        return self.asked > self.steps


class SignalAfter(CancelAfter):
    """A progress object that sends this process `signum` when the loop asks about step
    `steps` (and never cancels itself)."""

    def __init__(self, steps: int, signum: int) -> None:
        super().__init__(steps)
        self.signum = signum

    def cancelled(self) -> bool:
        import os

        super().cancelled()
        if self.asked == self.steps + 1:
            os.kill(os.getpid(), self.signum)
        return False


def adam_signalling_at(call: int, signum: int):
    """torch.optim.Adam that raises `signum` as its `call`-th update ends, before the loop
    counts the step (monkeypatch it over torch.optim.Adam)."""
    import signal

    import torch

    calls = []

    class SignalledAdam(torch.optim.Adam):
        def step(self, closure=None):
            result = super().step(closure)
            calls.append(1)
            if len(calls) == call:
                signal.raise_signal(signum)
            return result

    return SignalledAdam
