"""Worker threads and the headless analysis function."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.analysis import load_model, run_analysis
from app.camera.source import CameraError, checked_frame
from app.camera_controller import CameraController
from app.progress import Cancelled, ProgressState
from app.workers import CameraWorker, FunctionWorker, LatestFrame, retire_worker, start_worker
from models.labels import EXPRESSIONS, GRADES

WAIT_MS = 10000


def _photos() -> dict[str, np.ndarray]:
    """Frames of the demo patient at the peak of each expression."""
    from app.camera.demo_source import CYCLE_S, DemoPatientSource

    now = [0.0]
    source = DemoPatientSource(grade=3, side="left", seed=2, frame_size=(160, 120), clock=lambda: now[0])
    source.open()
    photos = {}
    for expression in EXPRESSIONS:
        source.set_expression(expression)
        now[0] += CYCLE_S * 10 + CYCLE_S * 0.5
        photos[expression] = source.read()
    source.close()
    return photos


def test_run_analysis_returns_arrays_for_every_expression(tiny_weights: Path) -> None:
    handle = load_model(str(tiny_weights), "cpu")
    assert not handle.is_demo and handle.input_size == 64 and len(handle.sha256) == 64
    reports: list[tuple[float, str]] = []
    result = run_analysis(_photos(), handle, ProgressState(on_report=lambda f, m: reports.append((f, m))))
    assert set(result.expressions) == set(EXPRESSIONS)
    first = result.expressions["rest"]
    assert first.photo.shape == (64, 64, 3) and first.mask.shape == (64, 64)
    assert set(first.attention) == {"spatial_3", "spatial_5", "spatial_7", "channel"}
    assert abs(sum(result.probabilities.values()) - 1.0) < 1e-4 and result.grade in GRADES
    assert reports[-1][0] == 1.0 and all(b[0] >= a[0] for a, b in zip(reports, reports[1:], strict=False))
    body = result.to_json()
    assert body["grade"] == result.grade and set(body["expressions"]) == set(EXPRESSIONS)


def test_run_analysis_parses_single_pass_when_the_handle_says_so(tiny_weights: Path, monkeypatch) -> None:
    import models.pipeline.assess as assess_module

    seen: list[bool] = []
    real = assess_module.assess

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(kwargs["mirror"])
        return real(*args, **kwargs)

    monkeypatch.setattr(assess_module, "assess", spy)
    photos = _photos()
    assert load_model(str(tiny_weights), "cpu").mirror_parsing is True
    run_analysis(photos, load_model(str(tiny_weights), "cpu"), ProgressState())
    run_analysis(photos, load_model(str(tiny_weights), "cpu", mirror_parsing=False), ProgressState())
    assert seen == [True, False]


def test_run_analysis_stops_when_cancelled(tiny_weights: Path) -> None:
    handle = load_model(str(tiny_weights), "cpu")
    progress = ProgressState()
    progress.cancel()
    with pytest.raises(Cancelled):
        run_analysis(_photos(), handle, progress)


def test_function_worker_returns_errors_and_cancels(qtbot) -> None:
    results: dict[str, object] = {}

    def run(fn, key):  # noqa: ANN001, ANN202
        worker = FunctionWorker(fn)
        worker.returned.connect(lambda v: results.__setitem__(key, v))
        worker.errored.connect(lambda m: results.__setitem__(key, "error: " + m))
        worker.cancelled.connect(lambda: results.__setitem__(key, "cancelled"))
        thread = start_worker(worker)
        if key == "cancel":
            worker.cancel()
        qtbot.waitUntil(lambda: key in results, timeout=WAIT_MS)
        assert retire_worker(worker, thread)
        assert not shiboken6.isValid(worker) and not shiboken6.isValid(thread)

    def slow(progress: ProgressState) -> int:
        for _ in range(500):
            progress.check()
            time.sleep(0.01)
        return 1

    def broken(progress: ProgressState) -> None:
        raise CameraError("no camera")

    run(lambda p: 42, "ok")
    run(broken, "bad")
    run(slow, "cancel")
    assert results == {"ok": 42, "bad": "error: no camera", "cancel": "cancelled"}


class ThreadRecordingSource:
    name = "recording"

    def __init__(self) -> None:
        self.opened_on = self.closed_on = None

    def open(self) -> None:
        self.opened_on = threading.get_ident()

    def read(self) -> np.ndarray:
        time.sleep(0.005)
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        self.closed_on = threading.get_ident()


def test_camera_is_opened_and_released_on_its_own_thread(qtbot) -> None:
    source, mailbox = ThreadRecordingSource(), LatestFrame()
    worker = CameraWorker(source, mailbox, analyse=lambda frame: "ok", analyse_every_s=0.0)
    # (pytest-qt's waitSignal on a worker-thread signal runs its slot on that thread in
    # PySide6, so wait on state instead)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: getattr(mailbox.take(), "quality", None) == "ok", timeout=WAIT_MS)
    worker.stop()
    assert retire_worker(worker, thread, WAIT_MS)
    main = threading.get_ident()
    assert source.opened_on is not None and source.opened_on != main
    assert source.closed_on == source.opened_on


def test_retire_worker_never_deletes_a_running_thread(qtbot) -> None:
    """Python owns a worker and its thread; they are deleted on the calling thread, and only
    once the thread has ended (deleting a running QThread aborts the process)."""
    release = threading.Event()
    worker = FunctionWorker(lambda progress: release.wait(WAIT_MS / 1000))
    thread = start_worker(worker)
    qtbot.waitUntil(thread.isRunning, timeout=WAIT_MS)
    assert not retire_worker(worker, thread, timeout_ms=50)
    assert shiboken6.isValid(worker) and shiboken6.isValid(thread) and thread.isRunning()
    release.set()
    assert retire_worker(worker, thread, timeout_ms=WAIT_MS)
    assert not shiboken6.isValid(worker) and not shiboken6.isValid(thread)
    assert retire_worker(worker, thread, timeout_ms=0)  # retiring twice is harmless


def test_ended_worker_threads_stay_alive_until_retired(qtbot) -> None:
    """No deleteLater: a finished worker and thread are still valid objects (nothing deletes
    them behind Python's back, on the worker thread) until the owner retires them."""
    worker = FunctionWorker(lambda progress: 7)
    thread = start_worker(worker)
    qtbot.waitUntil(thread.isFinished, timeout=WAIT_MS)
    for _ in range(3):
        qtbot.wait(20)  # deferred deletes and queued signals get every chance to run
    assert shiboken6.isValid(worker) and shiboken6.isValid(thread)
    assert retire_worker(worker, thread)


def test_camera_controller_retires_its_threads(qtbot) -> None:
    controller = CameraController()
    controller.start(ThreadRecordingSource())
    qtbot.waitUntil(lambda: controller.take() is not None, timeout=WAIT_MS)
    worker, thread = controller._worker, controller._thread
    controller.start(ThreadRecordingSource())  # a restart stops and retires the first thread
    assert not shiboken6.isValid(worker) and not shiboken6.isValid(thread)
    assert controller.running
    worker, thread = controller._worker, controller._thread
    controller.stop(wait=False)  # returns at once; the ending thread is kept until it has ended
    assert controller._retiring == [] or controller._retiring == [(worker, thread)]
    controller.stop(wait=True)
    assert controller._retiring == []
    assert not shiboken6.isValid(worker) and not shiboken6.isValid(thread)


class OddFrameSource:
    """Delivers two good frames, then frames of the wrong kind (audit: the camera ran on and every
    display tick raised in the GUI thread)."""

    name = "odd camera"

    def __init__(self, odd: object) -> None:
        self.odd, self.count, self.closed = odd, 0, False

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.count += 1
        time.sleep(0.005)
        return np.zeros((8, 8, 3), np.uint8) if self.count <= 2 else self.odd

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("odd", [None, np.zeros((8, 8, 3), np.float64), np.zeros((8, 8, 4), np.uint8),
                                 np.zeros((0, 8, 3), np.uint8), "frame"], ids=["none", "float", "rgba", "empty", "str"])
def test_a_frame_of_the_wrong_kind_stops_the_camera_with_retry(qtbot, odd: object) -> None:
    source, mailbox, failures = OddFrameSource(odd), LatestFrame(), []
    worker = CameraWorker(source, mailbox)
    worker.failed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert retire_worker(worker, thread, WAIT_MS)
    [message] = failures
    assert message.startswith("The camera stopped: odd camera delivered ") and message.endswith("press Retry")
    assert source.closed
    packet = mailbox.take()  # only good frames reached the display
    assert packet is None or (packet.frame.dtype == np.uint8 and packet.frame.shape == (8, 8, 3))


@pytest.mark.parametrize("grey", [np.full((6, 8), 7, np.uint8), np.full((6, 8, 1), 7, np.uint8)])
def test_a_grey_frame_is_made_rgb(qtbot, grey: np.ndarray) -> None:
    source, mailbox, failures = OddFrameSource(grey), LatestFrame(), []
    worker = CameraWorker(source, mailbox)
    worker.failed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: source.count > 5, timeout=WAIT_MS)
    packet = mailbox.take()
    worker.stop()
    assert retire_worker(worker, thread, WAIT_MS)
    assert failures == [] and packet.frame.shape == (6, 8, 3) and packet.frame.dtype == np.uint8
    assert (packet.frame == 7).all() and packet.frame.flags.c_contiguous


def test_a_grey_frame_is_converted_by_opencv(monkeypatch: pytest.MonkeyPatch) -> None:
    # review: np.repeat took 6 ms per 1080p grey frame on the camera thread; OpenCV's conversion
    import cv2

    grey = np.random.default_rng(0).integers(0, 256, (1080, 1920), np.uint8)
    calls = []
    real = cv2.cvtColor
    monkeypatch.setattr(cv2, "cvtColor", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    for frame in (grey, grey[:, :, None], grey[:, ::2]):
        rgb = checked_frame(frame, "grey camera")
        assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous
        assert np.array_equal(rgb, np.repeat(np.asarray(frame).reshape(frame.shape[:2])[:, :, None], 3, axis=2))
    assert calls == [cv2.COLOR_GRAY2RGB] * 3
