"""The camera thread reads a source that answers at once (a photo folder's still photo, a video
file) at the source's own rate, or 30 times a second, not as fast as the CPU allows (it read a
still photo 370,000 times a second and played a 30 fps clip 134 times too fast), and never
holds back a camera, whose read waits for its next frame."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PIL import Image

from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.workers import DEFAULT_FRAME_RATE, frame_interval
from tests.gui.camera_fakes import camera_thread

WAIT_MS = 10000
FRAME = np.zeros((8, 8, 3), np.uint8)


class InstantSource:
    """Answers every read at once, as a photo folder does; reports `fps` when given one."""

    name = "still photo"

    def __init__(self, fps: float | None = None) -> None:
        if fps is not None:
            self.fps = fps

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        return FRAME

    def close(self) -> None:
        pass


class BlockingCamera:
    """A camera: each read waits for the next frame, 30 a second; records when reads start and end."""

    name = "camera 0"
    fps = 30

    def __init__(self) -> None:
        self.started: list[float] = []
        self.ended: list[float] = []

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.started.append(time.monotonic())
        time.sleep(1 / self.fps)
        self.ended.append(time.monotonic())
        return FRAME

    def close(self) -> None:
        pass


def _frames_per_second(qtbot, source: object, frames: int = 20) -> float:
    """How many frames a second the camera thread delivers from `source`, once it runs: the
    time `frames` more frames take, waited for as long as a busy machine needs (an upper bound
    on the rate, the pacing, holds on any machine; a lower one would time the machine)."""
    with camera_thread(source, WAIT_MS) as mailbox:
        qtbot.waitUntil(lambda: mailbox.puts > 0, timeout=WAIT_MS)
        first, started = mailbox.puts, time.monotonic()
        qtbot.waitUntil(lambda: mailbox.puts >= first + frames, timeout=WAIT_MS)  # frames keep coming
        return (mailbox.puts - first) / (time.monotonic() - started)


def test_a_source_that_answers_at_once_is_read_30_times_a_second(qtbot) -> None:
    assert _frames_per_second(qtbot, InstantSource()) <= DEFAULT_FRAME_RATE * 1.1


def test_a_source_is_read_at_its_own_frame_rate(qtbot) -> None:
    assert _frames_per_second(qtbot, InstantSource(fps=10)) <= 11


def test_a_photo_folder_is_paced(qtbot, tmp_path: Path) -> None:
    Image.fromarray(np.full((96, 128, 3), 120, np.uint8)).save(tmp_path / "rest.png")
    assert _frames_per_second(qtbot, PhotoFolderSource(tmp_path)) <= DEFAULT_FRAME_RATE * 1.1


def _clip(path: Path, fps: float, frames: int) -> Path:
    """A small MJPG clip whose header says `fps`, each frame a shade lighter."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
    for level in range(frames):
        writer.write(np.full((48, 64, 3), level * 5, np.uint8))
    writer.release()
    return path


def test_a_video_file_plays_at_its_own_speed(qtbot, tmp_path: Path) -> None:
    source = VideoFileSource(_clip(tmp_path / "clip.avi", 25.0, frames=50))
    rate = _frames_per_second(qtbot, source, frames=30)
    assert source.fps == 25.0
    assert rate <= 25 * 1.1  # real time, not 134 times faster


def test_a_clip_slower_than_one_frame_a_second_is_read_at_the_default_rate(tmp_path: Path) -> None:
    """At its own 0.4 fps the capture page would call it frozen between frames (2 s)."""
    source = VideoFileSource(_clip(tmp_path / "slow.avi", 0.4, frames=3))
    source.open()
    try:
        assert source.fps is None and frame_interval(source) == 1 / DEFAULT_FRAME_RATE
    finally:
        source.close()


def test_a_camera_is_never_held_back(qtbot) -> None:
    camera = BlockingCamera()
    _frames_per_second(qtbot, camera)
    # the next read starts as soon as the last ended: a wait after each read would lose frames
    gaps = sorted(start - end for end, start in zip(camera.ended, camera.started[1:], strict=False))
    assert len(gaps) > 10 and gaps[len(gaps) // 2] < 0.005


def test_a_live_camera_is_not_paced_at_the_rate_asked_of_it() -> None:
    from app.camera.opencv_source import OpenCVSource

    # its read waits for the next frame; a pace at 30 would fall behind a camera at 30.05
    assert frame_interval(OpenCVSource(fps=30)) == 0.0
