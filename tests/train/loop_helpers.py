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
