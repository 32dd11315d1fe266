"""Worker objects on QThreads (the napari/superqt pattern).

A `FunctionWorker` wraps a plain function `fn(progress)` and is moved to a QThread:
`thread.started -> worker.work`, `worker.finished -> thread.quit`. Python owns both
objects and only `retire_worker` deletes them, on the GUI thread, after the thread has
ended (see `start_worker`). Cancel only sets a flag the function checks between steps. Workers emit
numpy arrays and dataclasses; QImages are built on the GUI thread only.

`CameraWorker` owns a frame source on its own thread: it opens, reads and closes it
there (the camera is released on the thread that owns it) and keeps only the newest
frame, which the GUI pulls with a QTimer at display rate. A live camera's frame identical to the
one before is not passed on (`frame_digest`): the page then calls the feed frozen.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.camera.source import (
    CameraError,
    FrameSource,
    StepUnavailable,
    checked_frame,
    repeats_frames,
    set_expression_hint,
)
from app.progress import Cancelled, ProgressState
from models.errors import PalsyError

log = logging.getLogger(__name__)


class FunctionWorker(QObject):
    """Runs `fn(progress)` once on its thread; emits progressed/returned/errored/cancelled, then finished."""

    progressed = Signal(float, str)
    returned = Signal(object)
    errored = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn: Callable[[ProgressState], Any]) -> None:
        super().__init__()
        self._fn = fn
        self.progress = ProgressState(on_report=self.progressed.emit)

    def cancel(self) -> None:
        """Ask the function to stop at its next check (thread-safe)."""
        self.progress.cancel()

    @Slot()
    def work(self) -> None:
        try:
            result = self._fn(self.progress)
        except Cancelled:
            self.cancelled.emit()
        except PalsyError as exc:
            self.errored.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - shown to the user, logged with its traceback
            log.error("worker failed: %s", traceback.format_exc())
            self.errored.emit(worker_error_text(exc))
        else:
            if self.progress.cancelled():
                self.cancelled.emit()
            else:
                self.returned.emit(result)
        finally:
            self.finished.emit()


def worker_error_text(exc: BaseException) -> str:
    """What the window shows for an unexpected failure: the clear line where one is known
    (`known_fault_text`), else a plain sentence naming the log, which holds the traceback. A
    Python class name and an allocator's words ("RuntimeError: [enforce fail at alloc_cpu.cpp]")
    tell a therapist nothing."""
    from app.gui_main import log_file

    known = known_fault_text(exc)
    if known is not None:
        return known
    logged = log_file()
    if logged is None:
        return "something unexpected went wrong, and no log is being kept to hold the details"
    return f"something unexpected went wrong; the details are in the log file {logged}"


def known_fault_text(exc: BaseException) -> str | None:
    """The line for a failure whose cause a user can act on, None for any other: PyTorch kept
    from loading by a memory limit, memory running out, a file or disk fault (`palsy` words them
    the same way, app/cli.py)."""
    from app.cli import is_out_of_memory, os_error_line, torch_load_failure_line

    if (line := torch_load_failure_line(exc)) is not None:
        return line
    if is_out_of_memory(exc) or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM):
        return "the computer ran out of memory; close other programs and try again"
    if isinstance(exc, OSError):
        return os_error_line(exc)
    return None


def start_worker(worker: QObject, parent: QObject | None = None,
                 on_finished: Callable[[], Any] | None = None) -> QThread:
    """Move `worker` to a new QThread, start it and return the thread; `on_finished` is
    connected to the thread's `finished` before it starts (a worker that ends at once would
    otherwise beat the connection, and its thread's end would never be heard of).

    The caller keeps both until the thread has ended, then calls `retire_worker` on the
    GUI thread. Nothing is deleted with deleteLater: a worker deleted by its own thread as
    it ended, while the GUI thread (or the garbage collector, on any thread) dropped the
    last Python reference, was deleted twice now and then (a segfault at window close).
    """
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.work)
    # direct: quit() is thread-safe, and the loop ends even while the GUI thread waits for it
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    if on_finished is not None:
        thread.finished.connect(on_finished)
    thread.start()
    return thread


def retire_worker(worker: QObject | None, thread: QThread, timeout_ms: int = 10000) -> bool:
    """Delete `worker` and `thread` on the calling thread once `thread` has ended.

    Returns False, deleting nothing, while the thread still runs after `timeout_ms`: keep
    the references and retire them later (deleting a running QThread aborts the process).
    """
    if shiboken6.isValid(thread):
        if not thread.wait(timeout_ms):
            return False
        shiboken6.delete(thread)
    if worker is not None and shiboken6.isValid(worker):
        shiboken6.delete(worker)
    return True


@dataclass
class FramePacket:
    """The newest frame and what the camera thread measured on it."""

    frame: np.ndarray
    index: int
    timestamp: float
    quality: Any = None
    expression: str | None = None  # the step the source was asked for when it read the frame
    # `frame` at most DISPLAY_MAX_WIDTH wide, made on the camera thread for the preview (None:
    # show `frame`); captures and the checks take the full frame
    display: np.ndarray | None = None


DISPLAY_MAX_WIDTH = 1280


def display_copy(frame: np.ndarray) -> np.ndarray | None:
    """`frame` scaled down to DISPLAY_MAX_WIDTH wide for the preview, or None when it is no
    wider: a 4K frame converted and scaled on the GUI thread dropped the preview to 6 fps."""
    height, width = frame.shape[:2]
    if width <= DISPLAY_MAX_WIDTH:
        return None
    import cv2

    size = (DISPLAY_MAX_WIDTH, max(1, round(height * DISPLAY_MAX_WIDTH / width)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


class LatestFrame:
    """A one-slot mailbox: the camera thread overwrites, the GUI thread takes the newest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._packet: FramePacket | None = None

    def put(self, packet: FramePacket) -> None:
        with self._lock:
            self._packet = packet

    def take(self) -> FramePacket | None:
        """The newest packet not yet taken, else None."""
        with self._lock:
            packet, self._packet = self._packet, None
            return packet

    def clear(self) -> None:
        with self._lock:
            self._packet = None


@dataclass
class _Repeats:
    """One kind of failure `RepeatedFailureLog` has logged: when its last line was written, and
    its repeats since."""

    logged_at: float
    unlogged: int = 0


class RepeatedFailureLog:
    """Logs a check that fails over and over (the live quality check, 5 times a second) without
    flooding the log: a line per failure replaced the whole 4 MB log history in about two hours.

    A kind of failure is its exception type and where it was raised (file and line), not its
    text, which may name a frame number. Each kind is logged with its traceback when first seen,
    then with its count at most once every `every_s` seconds; one line says when the check works
    again after such lines, with the failures not yet counted. A kind is forgotten (its next
    failure has its traceback again) once the check works and the kind has had no line for
    `every_s`. So a changing text, two failures taking turns, or a check failing on every other
    frame stay a few lines a minute."""

    def __init__(self, what: str, every_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._what = what
        self._every_s = every_s
        self._clock = clock
        self._seen: dict[tuple, _Repeats] = {}  # the kinds of failure logged and not yet forgotten
        self._said_failing = False  # a failure line was written since the last "works again"

    def failed(self, exc: Exception) -> None:
        text = f"{type(exc).__name__}: {exc}"
        now = self._clock()
        kind = _failure_kind(exc)
        repeats = self._seen.get(kind)
        if repeats is None:
            log.warning("%s failed: %s", self._what, text, exc_info=exc)
            self._seen[kind] = _Repeats(now)
        else:
            repeats.unlogged += 1
            if now - repeats.logged_at < self._every_s:
                return
            log.warning("%s failed %d more times: %s", self._what, repeats.unlogged, text)
            repeats.unlogged, repeats.logged_at = 0, now
        self._said_failing = True

    def succeeded(self) -> None:
        now = self._clock()
        stale = [kind for kind, repeats in self._seen.items() if now - repeats.logged_at >= self._every_s]
        if self._said_failing or any(self._seen[kind].unlogged for kind in stale):
            unlogged = sum(repeats.unlogged for repeats in self._seen.values())
            log.info("%s works again (it failed %d more times since the last line)", self._what, unlogged)
            for repeats in self._seen.values():
                repeats.unlogged = 0
            self._said_failing = False
        for kind in stale:
            del self._seen[kind]


def _failure_kind(exc: BaseException) -> tuple:
    """The exception's type and the file and line its traceback ends at (where it was raised)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return (type(exc), None, None)
    return (type(exc), tb.tb_frame.f_code.co_filename, tb.tb_lineno)


class _Analyser:
    """Runs `analyse(frame)` on a helper thread over the newest frame, so slow checks (face
    and eye detection) neither stall the GUI thread nor the camera's frame rate."""

    def __init__(self, analyse: Callable[[np.ndarray], Any], every_s: float) -> None:
        self._analyse = analyse
        self._every_s = every_s
        self._pending: np.ndarray | None = None
        self._result: Any = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="quality-checks", daemon=True)
        self.error: str | None = None
        self._failures = RepeatedFailureLog("live quality check")

    def start(self) -> None:
        self._thread.start()

    def offer(self, frame: np.ndarray) -> None:
        with self._lock:
            self._pending = frame
        self._wake.set()

    @property
    def result(self) -> Any:
        with self._lock:
            return self._result

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(0.5)
            self._wake.clear()
            with self._lock:
                frame, self._pending = self._pending, None
            if frame is None:
                continue
            started = time.monotonic()
            try:
                result = self._analyse(frame)
            except Exception as exc:  # noqa: BLE001 - a failing check must not kill the preview
                self._failures.failed(exc)
                self.error = str(exc)
                result = None
            else:
                self._failures.succeeded()
            with self._lock:
                self._result = result
            self._stop.wait(max(0.0, self._every_s - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(5.0)


DEFAULT_FRAME_RATE = 30.0  # reads a second of a source that reports no rate of its own (a photo folder)


def frame_interval(source: FrameSource) -> float:
    """The least time between two reads of `source`: one over its own `fps` where it reports
    one (a video file's rate), else DEFAULT_FRAME_RATE. A photo folder returns its still photo at
    once: read in a plain loop it was read 370,000 times a second, a core busy and the analysis
    on that page 4-8 times slower. A live camera is not paced: its read waits for its next frame,
    and a pace at the rate asked of it would fall behind a camera whose clock runs a little
    fast, while its driver queued ever older frames."""
    from app.camera.opencv_source import OpenCVSource

    if isinstance(source, OpenCVSource):
        return 0.0
    fps = getattr(source, "fps", None)
    if isinstance(fps, (int, float)) and 0 < fps < float("inf"):
        return 1.0 / fps
    return 1.0 / DEFAULT_FRAME_RATE


DIGEST_STRIDE = 8  # `frame_digest` reads every 8th pixel of every 8th row
REPEAT_PAUSE_S = 0.01  # the camera thread's pause after a repeated frame


def frame_digest(frame: np.ndarray) -> int:
    """A cheap fingerprint of a frame's pixels (a strided sample, about 0.1 ms at 1080p). A live
    camera's sensor noise changes it at every frame; the same fingerprint again is a feed stuck
    on its last frame (OpenCV after an unplug on several back-ends: read() answers True with it)."""
    return hash((frame.shape, frame[::DIGEST_STRIDE, ::DIGEST_STRIDE].tobytes()))


def _blank(frame: np.ndarray) -> bool:
    """A frame with nothing in it (a lens cap, a privacy shutter: `quality.blank_kind`): its
    repeats are passed on, so that the page says the picture is black, not the cable."""
    from models.pipeline.quality import blank_kind

    return blank_kind(frame) is not None


def camera_fault_text(source: FrameSource, exc: BaseException) -> str:
    """What the page shows after "The camera stopped: " for an unexpected failure of `source`.
    An OSError of a camera (ENODEV, its driver after an unplug) is the camera's fault: the file
    wording ("... or choose another folder") sent the user to a folder. A source over files
    keeps that wording: its OSError is a file's or a folder's."""
    from app.camera.file_sources import PhotoFolderSource, VideoFileSource

    if (not isinstance(exc, OSError) or exc.errno == errno.ENOMEM
            or isinstance(source, (PhotoFolderSource, VideoFileSource))):
        return worker_error_text(exc)
    code = f"OS error {exc.errno}: " if exc.errno is not None else "OS error: "
    return f"{source.name} stopped working ({code}{exc.strerror or exc}); check its cable, then press Retry"


class CameraWorker(QObject):
    """Reads a FrameSource in a loop on its own thread until stopped or the source fails.

    Reads are at least `frame_interval(source)` apart: a source that answers at once (a photo
    folder, a video file) is paced to its rate; a read that blocks until the next frame is
    never held back.

    `analyse(frame) -> quality` (optional) runs on a helper thread over the newest frame,
    at most every `analyse_every_s` seconds; packets carry the latest result.

    A frame of a live source (not `repeats_frames`) with the same pixels as the one before is
    dropped, unless it is blank: a feed that repeats its last frame sends no packet, so the
    page's freeze check (no new packet for FROZEN_S) says so and refuses to capture it.
    `has_opened` is set once the source has opened (read from any thread).
    """

    failed = Signal(str)
    step_failed = Signal(str, str)  # expression, message: the source runs on, this step has no frame
    opened = Signal(str)
    finished = Signal()

    def __init__(
        self,
        source: FrameSource,
        mailbox: LatestFrame,
        analyse: Callable[[np.ndarray], Any] | None = None,
        analyse_every_s: float = 0.2,
    ) -> None:
        super().__init__()
        self.source = source
        self.mailbox = mailbox
        self._analyse = analyse
        self._analyse_every_s = analyse_every_s
        self._stop = threading.Event()
        self.checks_enabled = threading.Event()
        self.checks_enabled.set()
        self._expression_lock = threading.Lock()
        self._expression: str | None = None
        self.has_opened = threading.Event()

    def stop(self) -> None:
        """Ask the loop to end; the source is closed on the camera thread (thread-safe)."""
        self._stop.set()

    def request_expression(self, expression: str) -> None:
        """Forward the wizard's step to sources that act on it (applied on the camera thread)."""
        with self._expression_lock:
            self._expression = expression

    @Slot()
    def work(self) -> None:
        opened = False
        analyser = _Analyser(self._analyse, self._analyse_every_s) if self._analyse is not None else None
        try:
            self.source.open()
            opened = True
            self.has_opened.set()
            self.opened.emit(self.source.name)
            if analyser is not None:
                analyser.start()
            index = 0
            current: str | None = None  # the expression last asked of the source
            unavailable = False  # the source has no frame for `current`: wait for another step
            interval, read_at = frame_interval(self.source), -float("inf")
            live, last_digest = not repeats_frames(self.source), None
            # waits out the rest of the interval since the last read (none after a blocking read)
            while not self._stop.wait(max(0.0, read_at + interval - time.monotonic())):
                with self._expression_lock:
                    expression, self._expression = self._expression, None
                if expression is not None:
                    set_expression_hint(self.source, expression)
                    if expression != current:  # the page asks again on every refresh: only a new step retries
                        current, unavailable = expression, False
                if unavailable:
                    self._stop.wait(0.05)
                    continue
                read_at = time.monotonic()
                try:
                    frame = self.source.read()
                except StepUnavailable as exc:
                    unavailable = True
                    self.step_failed.emit(current or "", str(exc))
                    continue
                # grey made RGB; anything else a CameraError here, never a failure on every display tick
                frame = checked_frame(frame, self.source.name)
                if live:
                    digest = frame_digest(frame)
                    if digest == last_digest and not _blank(frame):
                        self._stop.wait(REPEAT_PAUSE_S)  # a stale feed may answer at once: no busy loop
                        continue  # the same pixels again: no new picture
                    last_digest = digest
                quality = None
                if analyser is not None:
                    if self.checks_enabled.is_set():  # paused while an analysis needs the CPU
                        analyser.offer(frame)
                    quality = analyser.result
                self.mailbox.put(FramePacket(frame=frame, index=index, timestamp=time.monotonic(), quality=quality,
                                             expression=current, display=display_copy(frame)))
                index += 1
        except CameraError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a broken driver must not crash the app
            log.error("camera thread failed: %s", traceback.format_exc())
            self.failed.emit(camera_fault_text(self.source, exc))  # shown after "The camera stopped: "
        finally:
            if analyser is not None:
                analyser.stop()
            if opened:
                try:
                    self.source.close()
                except Exception:  # noqa: BLE001 - closing must not mask the original error
                    log.warning("closing %s failed", self.source.name, exc_info=True)
            self.finished.emit()
