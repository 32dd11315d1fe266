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

PHOTO_H, PHOTO_W = 80, 96  # above the 64 px a patient photo needs on its shorter side


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
        Image.fromarray(np.full((PHOTO_H, PHOTO_W, 3), value, np.uint8)).save(tmp_path / name)
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert source.read()[0, 0, 0] == 10
    source.set_expression("open_mouth")
    assert abs(int(source.read()[0, 0, 0]) - 200) < 4


def test_photo_folder_never_shows_another_expressions_photo(tmp_path: Path) -> None:
    """A named folder without an expression's photo, or with a damaged one, fails that step
    only (StepUnavailable); a folder of camera names is still shown photo by photo, and one of
    other names is refused (`test_photo_folder_names`)."""
    Image.fromarray(np.full((PHOTO_H, PHOTO_W, 3), 10, np.uint8)).save(tmp_path / "rest.png")
    (tmp_path / "open_mouth.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert source.read()[0, 0, 0] == 10
    source.set_expression("puff_cheeks")
    with pytest.raises(StepUnavailable, match="no puff_cheeks photo"):
        source.read()
    source.set_expression("open_mouth")
    with pytest.raises(StepUnavailable, match="open_mouth.png is not an image file .*; replace the file and press Retry"):
        source.read()
    source.set_expression("rest")  # the source itself still works
    assert source.read()[0, 0, 0] == 10

    unnamed = tmp_path / "unnamed"
    unnamed.mkdir()
    for value, name in ((30, "IMG_0001.png"), (60, "IMG_0002.png")):
        Image.fromarray(np.full((PHOTO_H, PHOTO_W, 3), value, np.uint8)).save(unnamed / name)
    source = PhotoFolderSource(unnamed)
    source.open()
    source.set_expression("close_eyes")  # the second step: the second photo
    assert source.read()[0, 0, 0] == 60


def _rest_photo_of(folder: Path, image: Image.Image, name: str = "rest.png") -> np.ndarray:
    """What the folder source shows for `image` saved as the rest photo (an expression name,
    so a bad file is that step's error)."""
    folder.mkdir()
    image.save(folder / name)
    source = PhotoFolderSource(folder)
    source.open()
    source.set_expression("rest")
    return source.read()


def _png_header(path: Path, width: int, height: int) -> None:
    """A PNG whose header declares width x height RGB pixels, with no pixel data: a
    decompression bomb as Pillow sees it when it opens the file."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def test_photo_folder_converts_like_palsy_assess(tmp_path: Path) -> None:
    """16-bit, float and transparent photos were shown white, black or with the alpha
    dropped (plain Pillow `convert("RGB")`); they are read as `load_image` reads them."""
    grey16 = _rest_photo_of(tmp_path / "a", Image.fromarray(np.full((PHOTO_H, PHOTO_W), 40000, np.uint16)))
    assert grey16.shape == (PHOTO_H, PHOTO_W, 3) and grey16.dtype == np.uint8
    assert abs(int(grey16[0, 0, 0]) - round(40000 / 65535 * 255)) <= 1  # was 255: all white

    grey_float = _rest_photo_of(tmp_path / "b", Image.fromarray(np.full((PHOTO_H, PHOTO_W), 0.5, np.float32)), "rest.tif")
    assert abs(int(grey_float[0, 0, 0]) - 128) <= 1  # was 0: all black

    rgba = np.zeros((PHOTO_H, PHOTO_W, 4), np.uint8)
    rgba[..., 3] = 128  # black at half opacity over white: mid grey
    over_white = _rest_photo_of(tmp_path / "c", Image.fromarray(rgba, "RGBA"))
    assert abs(int(over_white[0, 0, 0]) - 127) <= 1  # was 0: alpha dropped


def test_photo_folder_refuses_what_palsy_assess_refuses_on_that_step_only(tmp_path: Path) -> None:
    """Over 40 MP, a decompression bomb (it escaped as DecompressionBombError and failed the
    whole camera) and a thumbnail are StepUnavailable for their step; the others go on."""
    Image.fromarray(np.full((PHOTO_H, PHOTO_W, 3), 10, np.uint8)).save(tmp_path / "rest.png")
    Image.new("1", (7000, 6000), 1).save(tmp_path / "close_eyes.png")  # 42 MP, a small file
    _png_header(tmp_path / "open_mouth.png", 20000, 20000)  # 400 MP declared
    Image.fromarray(np.full((32, 32, 3), 90, np.uint8)).save(tmp_path / "puff_cheeks.png")
    source = PhotoFolderSource(tmp_path)
    source.open()
    for expression, words in (("close_eyes", "close_eyes.png is too large .*42 megapixels, limit 40"),
                              ("open_mouth", "open_mouth.png is too large"),
                              ("puff_cheeks", "puff_cheeks.png is too small")):
        source.set_expression(expression)
        with pytest.raises(StepUnavailable, match=words):
            source.read()
        source.set_expression("rest")  # the source itself still works
        assert source.read()[0, 0, 0] == 10


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
        frame = np.zeros((120, 160, 3), np.uint8)  # the smallest picture a camera may give
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
    assert first.shape == (120, 160, 3) and first[0, 0].tolist() == [0, 0, 200]  # BGR turned into RGB
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
