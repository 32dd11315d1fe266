"""A 4K frame is scaled for the preview on the camera thread (a1 D11): each packet carries a
display copy at most DISPLAY_MAX_WIDTH wide, which the preview shows, while a capture (and its
checks) take the full frame."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from app.pages.capture import CapturePage
from app.pages.capture_logic import CaptureSession
from app.records_gateway import PatientInfo
from app.workers import DISPLAY_MAX_WIDTH, CameraWorker, LatestFrame, retire_worker, start_worker
from tests.doubles import MemoryRecords
from tests.gui.camera_fakes import StillCamera
from tests.gui.gui_helpers import WAIT_MS

FOUR_K = (2160, 3840, 3)


def still_scene(shape: tuple[int, int, int] = FOUR_K) -> StillCamera:
    """A camera giving one noisy frame of `shape` again and again (a still scene)."""
    frame = np.random.default_rng(7).integers(0, 255, shape, np.uint8)
    return StillCamera(frame, "camera 4k", repeats_frames=True)


def _packet(qtbot, source: StillCamera):
    mailbox, failures = LatestFrame(), []
    worker = CameraWorker(source, mailbox)
    worker.failed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: source.reads > 1, timeout=WAIT_MS)
    worker.stop()
    assert retire_worker(worker, thread, WAIT_MS)
    assert failures == []
    return mailbox.take()


def test_a_4k_packet_carries_a_small_display_copy(qtbot) -> None:
    packet = _packet(qtbot, still_scene())
    assert packet.frame.shape == FOUR_K  # the full frame, for a capture and the checks
    assert packet.display.shape == (720, DISPLAY_MAX_WIDTH, 3)
    assert abs(int(packet.display.mean()) - int(packet.frame.mean())) <= 2  # the same picture, smaller


def test_a_small_frame_needs_no_copy(qtbot) -> None:
    packet = _packet(qtbot, still_scene((240, 320, 3)))
    assert packet.display is None and packet.frame.shape == (240, 320, 3)


def test_the_preview_shows_the_copy_and_capture_stores_the_full_frame(qtbot) -> None:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)
    page = CapturePage()
    qtbot.addWidget(page)
    source = still_scene()
    try:
        page.begin(session, lambda: source)
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.preview._image.width() == DISPLAY_MAX_WIDTH  # scaled on the camera thread
        assert page.preview._frame_size == (3840, 2160)  # the face box is in the full frame's pixels
        assert page.capture_now()
        qtbot.waitUntil(lambda: not session.pending, timeout=WAIT_MS)
        stored = records.photos[(session.assessment_id, "rest")]
        assert stored.shape == FOUR_K and np.array_equal(stored, source.frame)
    finally:
        page.stop_camera(wait=True)
        page.shutdown_saver()
