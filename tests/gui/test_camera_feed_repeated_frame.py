"""A live camera that repeats its last frame (OpenCV on several back-ends after an unplug: read()
answers True with the same pixels) sends no new packet, so the capture page calls it frozen and
refuses to capture it. Sources whose frames repeat by nature (a still photo, a video's still
scene, the demo patient's pre-rendered frames) say so (`repeats_frames`) and are never called
frozen; nor is a blank frame (a lens cap) held back, so that the page can say it is black. A
small change in a large frame (a blink) is a new picture, and a stale camera that answers at
once is not read in a busy loop."""

from __future__ import annotations

import threading
import time

import numpy as np

from app import workers
from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.pages.capture import FROZEN_S
from app.workers import frame_digest
from tests.gui.camera_fakes import DemoCamera, StillCamera, camera_thread
from tests.gui.capture_helpers import capture_ready, seconds_until, start
from tests.gui.gui_helpers import WAIT_MS

PICTURE = np.random.default_rng(1).integers(0, 256, (120, 160, 3), np.uint8)  # anything but blank


class SameFrameCamera:
    """A live camera (no `repeats_frames`) whose every read answers with the same pixels."""

    name = "camera 0"
    fps = 200.0  # read 200 times a second: the test need not wait

    def __init__(self, frame: np.ndarray) -> None:
        self.frame, self.reads = frame, 0

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.reads += 1
        time.sleep(0.005)
        return self.frame.copy()

    def close(self) -> None:
        pass


class RepeatingStill(SameFrameCamera):
    repeats_frames = True


def _packets(qtbot, source: object, reads: int = 40) -> int:
    """How many packets the camera thread delivers while `source` is read `reads` times."""
    with camera_thread(source, WAIT_MS) as mailbox:
        qtbot.waitUntil(lambda: source.reads >= reads, timeout=WAIT_MS)
    return mailbox.puts


def test_a_live_camera_repeating_its_frame_delivers_it_once(qtbot) -> None:
    assert _packets(qtbot, SameFrameCamera(PICTURE)) == 1


def test_a_source_that_repeats_by_nature_delivers_every_frame(qtbot) -> None:
    assert _packets(qtbot, RepeatingStill(PICTURE)) >= 40
    assert PhotoFolderSource.repeats_frames and VideoFileSource.repeats_frames and DemoPatientSource.repeats_frames


def test_a_blank_frame_is_delivered_though_it_repeats(qtbot) -> None:
    # a lens cap or a privacy shutter: the page must get it to say the picture is black
    assert _packets(qtbot, SameFrameCamera(np.zeros((120, 160, 3), np.uint8))) >= 40


class StaleAfterUnplug(DemoCamera):
    """The demo patient as live camera 0 with sensor noise; while `stale` is set, its read
    answers at once with its last frame again, as OpenCV does after an unplug."""

    repeats_frames = False

    def __init__(self, stale: threading.Event) -> None:
        super().__init__()
        self._stale = stale
        self._noise = np.random.default_rng(0)
        self._last: np.ndarray | None = None

    def read(self) -> np.ndarray:
        if self._stale.is_set() and self._last is not None:
            return self._last.copy()
        frame = super().read().copy()
        frame ^= self._noise.integers(0, 2, frame.shape, np.uint8)  # a real sensor's noise
        self._last = frame
        return frame


def test_a_camera_repeating_its_last_frame_is_said_frozen_and_not_captured(qtbot, open_window) -> None:
    stale = threading.Event()
    page = start(open_window(source_factory=lambda: StaleAfterUnplug(stale)), name="Ada Test").capture
    try:
        capture_ready(qtbot, page)
        assert seconds_until(qtbot, stale, page.error_box.isVisible) >= FROZEN_S - 0.2
        assert page.error_label.text().startswith("No new picture from camera 0 for ")
        assert not page.capture_button.isEnabled()
        assert not page.capture_now() and "rest" not in page.session.photos
        stale.clear()  # plugged back in: new pictures, and the page goes on by itself
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and not page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.capture_now() and "rest" in page.session.photos
    finally:
        stale.clear()


def test_a_small_change_in_a_large_frame_is_a_new_picture() -> None:
    # a live camera with temporal noise reduction on a still patient: frames differ only where
    # the patient blinked. Taken for repeats, they were dropped, and the working camera was said
    # frozen and refused to capture
    frame = np.random.default_rng(0).integers(0, 256, (1080, 1920, 3), np.uint8)
    blink = frame.copy()
    blink[400:420, 900:1000] ^= 8
    assert frame_digest(blink) != frame_digest(frame)
    assert frame_digest(frame.copy()) == frame_digest(frame)


STALE_READS_PER_S = 300  # the thread pauses 10 ms after a repeat: at most about 100 reads a second


def test_a_stale_camera_that_answers_at_once_does_not_spin_a_core(qtbot, monkeypatch) -> None:
    # without a pause after each repeat the thread read (and fingerprinted) it thousands of times
    # a second, a core held while the page said "No new picture…", slowing the analysis and the
    # window on the clinic's 2-4 core PCs. Only the upper bound is checked: a loaded machine reads less
    monkeypatch.setattr(workers, "frame_interval", lambda source: 0.0)  # as for an OpenCVSource: not paced
    # a live camera stuck on its last frame that answers every read at once, as OpenCV does after
    # an unplug; small, so that its reads cost next to nothing
    source = StillCamera(PICTURE[:16, :16].copy())
    with camera_thread(source, WAIT_MS) as mailbox:
        qtbot.waitUntil(lambda: mailbox.puts == 1, timeout=WAIT_MS)
        start_reads, started = source.reads, time.monotonic()
        time.sleep(0.5)
        reads, elapsed = source.reads - start_reads, time.monotonic() - started
    assert mailbox.puts == 1  # the same pixels again: no new picture
    assert reads <= STALE_READS_PER_S * elapsed + 5, f"{reads} reads in {elapsed:.2f} s"
