"""Owns the camera thread: start/stop a CameraWorker and hand out the newest frame (GUI side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QThread, Signal

from app.camera.source import FrameSource
from app.workers import CameraWorker, FramePacket, LatestFrame, retire_worker, start_worker


class CameraController(QObject):
    """Starts a source on its own QThread; `failed` carries a message for the Retry banner."""

    failed = Signal(str)
    step_failed = Signal(str, str)  # expression, message: only that step has no frame
    opened = Signal(str)
    stopped = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mailbox = LatestFrame()
        self._worker: CameraWorker | None = None
        self._thread: QThread | None = None
        self._retiring: list[tuple[CameraWorker, QThread]] = []  # stopping, not yet finished
        self.source_name = ""

    @property
    def running(self) -> bool:
        return self._thread is not None and shiboken6.isValid(self._thread) and self._thread.isRunning()

    def start(self, source: FrameSource, analyse: Callable[[np.ndarray], Any] | None = None) -> None:
        """Stop any running source, then open `source` on a fresh thread (after the previous
        one released the device, so a real camera is never opened twice)."""
        self.stop(wait=True)
        self.mailbox.clear()
        worker = CameraWorker(source, self.mailbox, analyse)
        worker.failed.connect(self.failed)
        worker.step_failed.connect(self.step_failed)
        worker.opened.connect(self._on_opened)
        worker.finished.connect(self.stopped)
        self._worker = worker
        self.source_name = source.name
        self._thread = start_worker(worker)

    def _on_opened(self, name: str) -> None:
        self.source_name = name
        self.opened.emit(name)

    def request_expression(self, expression: str) -> None:
        if self._worker is not None and shiboken6.isValid(self._worker):
            self._worker.request_expression(expression)

    def set_checks_enabled(self, enabled: bool) -> None:
        """Pause or resume the live quality checks (they compete with an analysis for CPU)."""
        if self._worker is not None and shiboken6.isValid(self._worker):
            if enabled:
                self._worker.checks_enabled.set()
            else:
                self._worker.checks_enabled.clear()

    def take(self) -> FramePacket | None:
        """The newest frame not yet shown, or None."""
        return self.mailbox.take()

    def stop(self, wait: bool = True, timeout_ms: int = 3000) -> None:
        """Ask the camera loop to end; its thread closes the source. With `wait`, block until
        every camera thread has quit (shutdown, restart); without, return at once so the GUI
        never stalls on a slow driver or a running quality check."""
        worker, thread = self._worker, self._thread
        self._worker = self._thread = None
        if worker is not None and shiboken6.isValid(worker):
            worker.stop()
        if thread is not None and shiboken6.isValid(thread):
            thread.quit()
            self._retiring.append((worker, thread))
        still = []
        for old_worker, old_thread in self._retiring:
            if wait and shiboken6.isValid(old_thread):
                old_thread.quit()
            if not retire_worker(old_worker, old_thread, timeout_ms if wait else 0):
                still.append((old_worker, old_thread))  # deleting a running thread would abort
        self._retiring = still
