"""The signals that stop a command as Ctrl-C does, with its clean-up: SIGTERM (`kill PID`,
`timeout`, a job scheduler's or a container's stop) and SIGBREAK (Ctrl+Break in a Windows
console; Windows never delivers SIGTERM). Each raises `models.errors.Terminated`, a
KeyboardInterrupt. No torch: the command line installs them for every command, and the
training loop for a run started from code."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from models.errors import Terminated

# Only those the platform has, looked up at each use.
STOP_SIGNAL_NAMES = ("SIGTERM", "SIGBREAK")


def stop_signals() -> dict[int, str]:
    """The platform's stop signals, number -> name."""
    found: dict[int, str] = {}
    for name in STOP_SIGNAL_NAMES:
        number = getattr(signal, name, None)
        if number is not None:
            found.setdefault(number, name)
    return found


def raise_terminated(signum: int, frame: Any) -> None:
    """The stop signals' handler: Terminated, naming the signal (a training log's
    `interrupted` record says which)."""
    stop = Terminated(f"signal {signum}")
    stop.signal_name = stop_signals().get(signum, "SIGTERM")  # type: ignore[attr-defined]
    raise stop


@contextmanager
def stop_signals_as_interrupt() -> Iterator[None]:
    """Inside the block the stop signals raise `Terminated`; the default action is put back
    after. Only in the main thread (where Python delivers signals) and only over the default
    action: a handler the caller installed, or SIG_IGN, is left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [n for n in stop_signals() if signal.getsignal(n) is signal.SIG_DFL]
    for number in numbers:
        signal.signal(number, raise_terminated)
    try:
        yield
    finally:
        for number in numbers:
            signal.signal(number, signal.SIG_DFL)
