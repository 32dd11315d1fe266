"""The progress/cancel protocol long work takes (STYLE rule 4): the GUI worker wraps it in
signals; the CLI and tests pass a plain object."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class Cancelled(Exception):
    """Raised between steps when the caller asked to stop."""


@runtime_checkable
class Progress(Protocol):
    """What a long function reports to and asks of its caller."""

    def report(self, fraction: float, message: str) -> None:
        """Work done so far in [0, 1] and what is happening now."""

    def cancelled(self) -> bool:
        """True once the caller wants the work to stop."""


class NullProgress:
    """Reports nowhere and never cancels."""

    def report(self, fraction: float, message: str) -> None:
        pass

    def cancelled(self) -> bool:
        return False


def checkpoint(progress: Progress, fraction: float, message: str) -> None:
    """Report, then raise Cancelled if the caller asked to stop."""
    progress.report(fraction, message)
    if progress.cancelled():
        raise Cancelled(f"cancelled at: {message}")
