"""Progress / cancel object handed to long-running plain functions (no Qt).

A long task is a plain function `run(..., progress)`; it calls `progress.report(fraction,
message)` and asks `progress.cancelled()` between steps, raising `Cancelled` (the
pipeline's exception, so the worker recognises both). The worker thread only wraps it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from models.pipeline.progress import Cancelled

__all__ = ["Cancelled", "ProgressState"]


class ProgressState:
    """Thread-safe progress/cancel state; `on_report` is called from the working thread."""

    def __init__(self, on_report: Callable[[float, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_report = on_report
        self.fraction = 0.0
        self.message = ""

    def report(self, fraction: float, message: str = "") -> None:
        """Record progress (0..1) and forward it."""
        self.fraction = max(0.0, min(1.0, float(fraction)))
        self.message = message
        if self._on_report is not None:
            self._on_report(self.fraction, message)

    def cancel(self) -> None:
        """Ask the task to stop at its next check."""
        self._cancel.set()

    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled when cancelled (call between steps)."""
        if self._cancel.is_set():
            raise Cancelled("cancelled")
