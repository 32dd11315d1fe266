"""Camera sources without Qt: demo patient, photo folder, video file, factory errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.demo_source import CYCLE_S, DemoPatientSource
from app.camera.factory import make_source
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.camera.source import CameraError, FrameSource, StepUnavailable
from app.settings import CameraSettings


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_demo_source_animates_the_requested_expression() -> None:
    clock = FakeClock()
    source = DemoPatientSource(grade=3, side="left", seed=1, frame_size=(160, 120), clock=clock)
    assert isinstance(source, FrameSource)
    source.open()
    rest = source.read()
    assert rest.shape == (120, 160, 3) and rest.dtype == np.uint8
    source.set_expression("open_mouth")
    start = source.read()
    clock.t += CYCLE_S * 0.5  # the hold phase: peak intensity
    peak = source.read()
    assert source.intensity_at(CYCLE_S * 0.5) == 1.0 and source.intensity_at(0.0) == 0.0
    assert np.abs(peak.astype(int) - start.astype(int)).mean() > np.abs(start.astype(int) - rest.astype(int)).mean()
    source.close()
    with pytest.raises(CameraError):
        source.read()


def test_demo_source_can_simulate_a_disconnect() -> None:
    source = DemoPatientSource(frame_size=(64, 48), clock=FakeClock(), fail_after=2)
    source.open()
    source.read()
    source.read()
    with pytest.raises(CameraError, match="disconnected"):
        source.read()


def test_photo_folder_shows_the_photo_of_each_expression(tmp_path: Path) -> None:
    for value, name in ((10, "rest.png"), (200, "open_mouth_1.jpg")):
        Image.fromarray(np.full((20, 30, 3), value, np.uint8)).save(tmp_path / name)
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert source.read()[0, 0, 0] == 10
    source.set_expression("open_mouth")
    assert abs(int(source.read()[0, 0, 0]) - 200) < 4


def test_photo_folder_never_shows_another_expressions_photo(tmp_path: Path) -> None:
    """A named folder without an expression's photo, or with a damaged one, fails that step
    only (StepUnavailable); an unnamed folder is still shown photo by photo."""
    Image.fromarray(np.full((20, 30, 3), 10, np.uint8)).save(tmp_path / "rest.png")
    (tmp_path / "open_mouth.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert source.read()[0, 0, 0] == 10
    source.set_expression("puff_cheeks")
    with pytest.raises(StepUnavailable, match="no puff_cheeks photo"):
        source.read()
    source.set_expression("open_mouth")
    with pytest.raises(StepUnavailable, match="open_mouth.png is not a readable image"):
        source.read()
    source.set_expression("rest")  # the source itself still works
    assert source.read()[0, 0, 0] == 10

    unnamed = tmp_path / "unnamed"
    unnamed.mkdir()
    for value, name in ((30, "a.png"), (60, "b.png")):
        Image.fromarray(np.full((20, 30, 3), value, np.uint8)).save(unnamed / name)
    source = PhotoFolderSource(unnamed)
    source.open()
    source.set_expression("close_eyes")  # the second step: the second photo
    assert source.read()[0, 0, 0] == 60


def test_photo_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraError, match="not found"):
        PhotoFolderSource(tmp_path / "missing").open()
    with pytest.raises(CameraError, match="no photos"):
        PhotoFolderSource(tmp_path).open()


def test_video_file_loops_and_converts_to_rgb(tmp_path: Path) -> None:
    import cv2

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (32, 24))
    for _ in range(3):
        writer.write(np.dstack([np.full((24, 32), 250, np.uint8), np.zeros((24, 32), np.uint8), np.zeros((24, 32), np.uint8)]))  # BGR blue
    writer.release()
    source = VideoFileSource(path)
    source.open()
    frames = [source.read() for _ in range(5)]  # more than the file holds: it loops
    assert all(f.shape == (24, 32, 3) for f in frames)
    assert frames[0][..., 2].mean() > 200 and frames[0][..., 0].mean() < 50  # blue in RGB
    source.close()


def test_factory_explains_missing_paths() -> None:
    with pytest.raises(CameraError, match="no video file"):
        make_source(CameraSettings(source="video"))
    with pytest.raises(CameraError, match="no photo folder"):
        make_source(CameraSettings(source="folder"))
    assert isinstance(make_source(CameraSettings(source="demo", demo_grade=5)), DemoPatientSource)


class FakeCapture:
    """cv2.VideoCapture stand-in: opens or not, then delivers `frames` BGR frames and dies."""

    def __init__(self, opens: bool, frames: int) -> None:
        self.opens, self.frames_left, self.released, self.props = opens, frames, False, {}

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.opens

    def set(self, prop: int, value: float) -> bool:
        self.props[prop] = value
        return True

    def read(self):
        if self.frames_left == 0:
            return False, None
        self.frames_left -= 1
        frame = np.zeros((4, 6, 3), np.uint8)
        frame[..., 0] = 200  # blue in OpenCV's BGR order
        return True, frame

    def release(self) -> None:
        self.released = True


def _fake_cv2(monkeypatch, capture: FakeCapture) -> list[int]:
    import cv2

    opened: list[int] = []

    def video_capture(index: int) -> FakeCapture:
        opened.append(index)
        return capture

    monkeypatch.setattr(cv2, "VideoCapture", video_capture)
    return opened


def test_opencv_camera_unplugged_mid_session_raises_a_clear_error(monkeypatch) -> None:
    from app.camera.opencv_source import OpenCVSource

    capture = FakeCapture(opens=True, frames=2)
    opened = _fake_cv2(monkeypatch, capture)
    source = OpenCVSource(index=3, width=640, height=480, fps=15)
    source.open()
    assert opened == [3] and sorted(capture.props.values()) == [15, 480, 640]
    first = source.read()
    assert first.shape == (4, 6, 3) and first[0, 0].tolist() == [0, 0, 200]  # BGR turned into RGB
    source.read()
    with pytest.raises(CameraError, match="camera 3 stopped delivering frames; check the cable"):
        source.read()
    source.close()
    assert capture.released
    with pytest.raises(CameraError, match="is not open"):
        source.read()


def test_opencv_camera_that_cannot_open_is_released_and_explained(monkeypatch) -> None:
    from app.camera.opencv_source import OpenCVSource

    capture = FakeCapture(opens=False, frames=0)
    _fake_cv2(monkeypatch, capture)
    with pytest.raises(CameraError, match="camera 0 could not be opened; check that it is connected"):
        OpenCVSource().open()
    assert capture.released
