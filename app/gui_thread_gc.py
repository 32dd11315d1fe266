"""Python's cyclic garbage collection on the GUI thread only, while the window runs.

The automatic collector runs on whichever thread happens to allocate when a threshold is
passed: a model load, an analysis or the photo saver. A Qt object caught in a reference cycle
(a page, a timer, a worker held by a lambda connected to its own signal) is then destroyed
on that thread, which Qt does not allow for widgets and timers and which can crash the
process at any later point. pyqtgraph's GarbageCollector does the same for the same reason.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


def collect_due() -> int:
    """Collect the generations whose counts passed their thresholds, as the automatic
    collector would have; the number of unreachable objects found."""
    young, middle, old = gc.get_count()
    first, second, third = gc.get_threshold()
    found = 0
    if young > first:
        found += gc.collect(0)
        if middle > second:
            found += gc.collect(1)
            if old > third:
                found += gc.collect(2)
    return found


class GuiThreadCollector(QObject):
    """Turns the automatic collector off and collects on a timer of the thread it lives on
    (create it on the GUI thread); `stop` collects what is due and leaves the automatic
    collector as it found it."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_due)
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        collect_due()
        if self._was_enabled:
            gc.enable()
