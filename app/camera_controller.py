"""Owns the camera thread: start/stop a CameraWorker and hand out the newest frame (GUI side)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.camera.source import FrameSource
from app.workers import CameraWorker, FramePacket, LatestFrame, retire_worker, start_worker

QUICK_RELEASE_MS = 100  # a restart waits this long for the old camera to close, then defers the new one
STUCK_MS = 5000  # an old connection to the same source not closed by then: `still_waiting` says why


class _Relay(QObject):
    """Forwards one worker's signals to the controller on the GUI thread, naming the worker they
    came from: a failure queued by a worker already replaced must not stop the new one.

    It lives on the GUI thread (the worker's signals reach it queued) and goes once its worker
    is retired."""

    def __init__(self, controller: CameraController, worker: CameraWorker) -> None:
        super().__init__(controller)
        # weak: the relay must not keep its parent alive (deleting the relay would then delete
        # the controller, and the controller its children, this relay among them, twice)
        self._controller = weakref.ref(controller)
        self.worker = worker
        worker.failed.connect(self._failed)
        worker.step_failed.connect(self._step_failed)
        worker.opened.connect(self._opened)
        worker.finished.connect(self._finished)

    @Slot(str)
    def _failed(self, message: str) -> None:
        controller = self._controller()
        if controller is not None:
            controller._worker_failed(self.worker, message)

    @Slot(str, str)
    def _step_failed(self, expression: str, message: str) -> None:
        controller = self._controller()
        if controller is not None:
            controller._worker_step_failed(self.worker, expression, message)

    @Slot(str)
    def _opened(self, name: str) -> None:
        controller = self._controller()
        if controller is not None:
            controller._worker_opened(self.worker, name)

    @Slot()
    def _finished(self) -> None:
        controller = self._controller()
        if controller is not None:
            controller._worker_finished(self.worker)

    @Slot()
    def _thread_ended(self) -> None:
        controller = self._controller()
        if controller is not None:
            controller._worker_released(self.worker)


class CameraController(QObject):
    """Starts a source on its own QThread; `failed` carries a message for the Retry banner.

    Only the current worker's signals are passed on. A restart never blocks the GUI thread on
    a slow driver: while the old worker still holds the device, the new source waits
    (`waiting`) and opens when the old one's `finished` arrives, so a real camera is never
    opened twice. Only an old connection to the same source (its name: "camera 0", "video
    x.mp4") holds up a start; another source opens at once. Each worker has its own frame slot
    (`mailbox` is the current one's): a frame the old camera read while being replaced is never
    shown or captured. A source still waiting after `STUCK_MS` says why (`still_waiting`); it
    opens when the old connection closes."""

    failed = Signal(str)
    step_failed = Signal(str, str)  # expression, message: only that step has no frame
    opened = Signal(str)
    stopped = Signal()
    still_waiting = Signal(str)  # the old connection to this source does not close: why we wait

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mailbox = LatestFrame()
        self._worker: CameraWorker | None = None
        self._thread: QThread | None = None
        self._retiring: list[tuple[CameraWorker, QThread]] = []  # stopping, not yet finished
        self._relays: list[_Relay] = []
        self._pending: tuple[FrameSource, Callable[[np.ndarray], Any] | None] | None = None
        self._expression: str | None = None  # the step asked for, handed to the next worker too
        self._checks_enabled = True
        self.source_name = ""

    @property
    def running(self) -> bool:
        """A source runs, or is about to open once the old one has closed."""
        if self._pending is not None:
            return True
        return self._thread is not None and shiboken6.isValid(self._thread) and self._thread.isRunning()

    @property
    def waiting(self) -> bool:
        """A new source waits for the old worker to release the camera."""
        return self._pending is not None

    def start(self, source: FrameSource, analyse: Callable[[np.ndarray], Any] | None = None) -> None:
        """Stop any running source, then open `source` on a fresh thread once the previous one
        released the device (at once when it closes within QUICK_RELEASE_MS; else when its
        `finished` arrives, without blocking the GUI thread meanwhile)."""
        self.stop(wait=False)
        # a new frame slot: the old worker keeps its own, so nothing it reads late is shown
        # while the new source waits, nor after
        self.mailbox = LatestFrame()
        self._pending = (source, analyse)
        self.source_name = source.name
        self._retire(QUICK_RELEASE_MS)
        self._launch_if_released()
        if self._pending is not None:
            pending = self._pending
            QTimer.singleShot(STUCK_MS, self, lambda: self._still_waiting(pending))

    def _still_waiting(self, pending: tuple[FrameSource, Any]) -> None:
        """STUCK_MS after a deferred start: the old connection to the source has not closed, or
        (no old worker of it ever opened) the earlier try is still opening it."""
        if self._pending is not pending:
            return  # opened, stopped or replaced meanwhile
        name = pending[0].name
        camera = name.startswith("camera ")
        what = ("unplug the camera and plug it back in, or restart Palsy Grader" if camera
                else "restart Palsy Grader")  # a video or a folder has no plug
        old = [worker for worker, _thread in self._retiring if getattr(worker.source, "name", None) == name]
        if old and not any(worker.has_opened.is_set() for worker in old):
            held = (": close any other program that may use it (video calls, the Camera app)" if camera else "")
            self.still_waiting.emit(f"{name[:1].upper()}{name[1:]} is still opening from the earlier try and does not "
                                    f"answer after {STUCK_MS // 1000} s{held}; it opens as soon as it answers. "
                                    f"If it does not, {what}.")
            return
        self.still_waiting.emit(f"The previous connection to {name} has not closed after {STUCK_MS // 1000} s "
                                f"(it does not answer); it opens as soon as it lets go. If it does not, {what}.")

    def _launch_if_released(self) -> None:
        """Open the pending source unless an old connection to it (same name) is still closing:
        a stuck old camera holds up only itself, not a video, a folder or another camera."""
        if self._pending is None:
            return
        name = self._pending[0].name
        if any(getattr(worker.source, "name", None) == name for worker, _thread in self._retiring):
            return
        source, analyse = self._pending
        self._pending = None
        worker = CameraWorker(source, self.mailbox, analyse)
        if self._expression is not None:
            worker.request_expression(self._expression)
        if not self._checks_enabled:
            worker.checks_enabled.clear()
        relay = _Relay(self, worker)
        self._relays.append(relay)
        self._worker = worker
        # also when its thread has ended: a thread slow to end after `finished` still frees the
        # device (connected before the thread starts, so a worker that ends at once is heard of)
        self._thread = start_worker(worker, on_finished=relay._thread_ended)

    def _worker_failed(self, worker: CameraWorker, message: str) -> None:
        if worker is self._worker:
            self.failed.emit(message)

    def _worker_step_failed(self, worker: CameraWorker, expression: str, message: str) -> None:
        if worker is self._worker:
            self.step_failed.emit(expression, message)

    def _worker_opened(self, worker: CameraWorker, name: str) -> None:
        if worker is self._worker:
            self.source_name = name
            self.opened.emit(name)

    def _worker_finished(self, worker: CameraWorker) -> None:
        """A worker closed its source: retire it, and open the source waiting for the device."""
        if worker is self._worker:
            self.stopped.emit()
            return
        self._worker_released(worker)

    def _worker_released(self, worker: CameraWorker) -> None:
        if worker is self._worker:
            return
        self._retire(QUICK_RELEASE_MS, released=worker)
        self._launch_if_released()

    def request_expression(self, expression: str) -> None:
        self._expression = expression
        if self._worker is not None and shiboken6.isValid(self._worker):
            self._worker.request_expression(expression)

    def set_checks_enabled(self, enabled: bool) -> None:
        """Pause or resume the live quality checks (they compete with an analysis for CPU)."""
        self._checks_enabled = enabled
        if self._worker is not None and shiboken6.isValid(self._worker):
            if enabled:
                self._worker.checks_enabled.set()
            else:
                self._worker.checks_enabled.clear()

    def unfinished(self) -> list[tuple[QThread, CameraWorker]]:
        """Camera threads asked to stop that have not ended (after `stop(wait=True)`: stuck in
        a driver); the caller keeps them referenced, as deleting a running QThread aborts."""
        return [(thread, worker) for worker, thread in self._retiring
                if shiboken6.isValid(thread) and thread.isRunning()]

    def take(self) -> FramePacket | None:
        """The newest frame not yet shown, or None."""
        return self.mailbox.take()

    def stop(self, wait: bool = True, timeout_ms: int = 3000) -> None:
        """Ask the camera loop to end (and drop a source waiting to open); its thread closes the
        source. With `wait`, block until every camera thread has quit (shutdown); without,
        return at once so the GUI never stalls on a slow driver or a running quality check."""
        self._pending = None
        worker, thread = self._worker, self._thread
        self._worker = self._thread = None
        if worker is not None and shiboken6.isValid(worker):
            worker.stop()
        if thread is not None and shiboken6.isValid(thread):
            thread.quit()
            self._retiring.append((worker, thread))
        self._retire(timeout_ms if wait else 0, quit_threads=wait)

    def _retire(self, timeout_ms: int, quit_threads: bool = False, released: CameraWorker | None = None) -> None:
        """Delete the stopped workers whose threads have ended (waiting up to `timeout_ms` for
        each; `released` has closed its source, so its thread ends at once)."""
        still = []
        for old_worker, old_thread in self._retiring:
            if quit_threads and shiboken6.isValid(old_thread):
                old_thread.quit()
            if not retire_worker(old_worker, old_thread, timeout_ms if released in (None, old_worker) else 0):
                still.append((old_worker, old_thread))  # deleting a running thread would abort
        self._retiring = still
        live = [self._worker, *(w for w, _t in still)]
        relays = []
        for relay in self._relays:
            if any(relay.worker is w for w in live):
                relays.append(relay)
            elif shiboken6.isValid(relay):
                # later, not now: this may run in one of its own slots; what its worker still had
                # queued is ignored (not the current worker) or dropped with it
                relay.deleteLater()
        self._relays = relays
