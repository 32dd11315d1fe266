"""The wait cursor while the GUI thread does a short piece of work the user asked for (reading
a visit's stored photos back: about 0.4 s at 1920x1080), so the pause reads as "working"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


@contextmanager
def busy_cursor() -> Iterator[None]:
    """The wait cursor for the block, the previous cursor back after it, even on an error (none
    without an application: Qt aborts the process on a cursor set before one exists)."""
    if QApplication.instance() is None:
        yield
        return
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
