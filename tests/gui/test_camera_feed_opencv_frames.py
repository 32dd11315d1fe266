"""OpenCVSource checks a camera's raw frame before converting it: a 2-channel (YUYV) or empty
frame is said in words, not OpenCV's "something unexpected went wrong"; BGRA and grey frames are
converted; a frame under the least size Settings allow is refused. A camera that opens but never
gives a picture (held by another program) is not blamed on its cable."""

from __future__ import annotations

import numpy as np
import pytest

from app.camera.opencv_source import MIN_HEIGHT, MIN_WIDTH, OpenCVSource
from app.camera.source import CameraError


class FakeCapture:
    """cv2.VideoCapture stand-in that opens and answers each read with the next of `frames`
    (None: a failed read)."""

    def __init__(self, frames: list[np.ndarray | None]) -> None:
        self.frames = list(frames)

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return True

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self):
        frame = self.frames.pop(0) if self.frames else None
        return frame is not None, frame

    def release(self) -> None:
        pass


def _camera(monkeypatch: pytest.MonkeyPatch, *frames: np.ndarray | None) -> OpenCVSource:
    import cv2

    capture = FakeCapture(list(frames))
    monkeypatch.setattr(cv2, "VideoCapture", lambda *args: capture)
    source = OpenCVSource(index=0, width=640, height=480)
    source.open()
    return source


@pytest.mark.parametrize(("frame", "said"), [
    (np.zeros((480, 640, 2), np.uint8), "delivered an array of shape (480, 640, 2) instead of a colour image"),
    (np.zeros((0, 0, 3), np.uint8), "delivered an empty image instead of a colour image"),
])
def test_an_odd_raw_frame_is_said_in_words(monkeypatch: pytest.MonkeyPatch, frame: np.ndarray, said: str) -> None:
    source = _camera(monkeypatch, frame)
    with pytest.raises(CameraError) as error:
        source.read()
    assert str(error.value) == (f"The camera stopped: camera 0 {said} (8-bit RGB); check the camera and press Retry")


def test_bgra_and_grey_frames_are_made_rgb(monkeypatch: pytest.MonkeyPatch) -> None:
    bgra = np.zeros((480, 640, 4), np.uint8)
    bgra[..., 0], bgra[..., 2], bgra[..., 3] = 200, 10, 255  # blue, red, alpha in OpenCV's order
    grey = np.full((480, 640), 90, np.uint8)
    source = _camera(monkeypatch, bgra, grey, grey[:, :, None])
    rgb = source.read()
    assert rgb.shape == (480, 640, 3) and rgb[0, 0].tolist() == [10, 0, 200]
    for _ in range(2):
        rgb = source.read()
        assert rgb.shape == (480, 640, 3) and rgb[0, 0].tolist() == [90, 90, 90]


@pytest.mark.parametrize("shape", [(1, 614400), (1, 1843200, 3), (614400, 1)])
def test_a_raw_one_row_buffer_is_not_called_a_small_picture(monkeypatch: pytest.MonkeyPatch,
                                                            shape: tuple[int, ...]) -> None:
    # OpenCV hands back an undecoded MJPEG/YUYV buffer as a 1 x N array: raising the resolution mends nothing
    source = _camera(monkeypatch, np.zeros(shape, np.uint8))
    with pytest.raises(CameraError, match=rf"delivered {max(shape[:2])} undecoded bytes in one row instead of a picture") as error:
        source.read()
    assert "too small" not in str(error.value)


@pytest.mark.parametrize("shape", [(100, 160, 3), (120, 150, 3), (2, 2, 3)])
def test_a_frame_under_the_least_size_is_refused(monkeypatch: pytest.MonkeyPatch, shape: tuple[int, ...]) -> None:
    source = _camera(monkeypatch, np.zeros(shape, np.uint8))
    with pytest.raises(CameraError, match=rf"delivered a picture of {shape[1]} x {shape[0]} pixels, too small to use "
                                          rf"\(at least {MIN_WIDTH} x {MIN_HEIGHT}\)"):
        source.read()


@pytest.mark.parametrize("shape", [(MIN_HEIGHT, MIN_WIDTH, 3), (MIN_WIDTH, MIN_HEIGHT, 3)])  # either way up
def test_the_least_size_is_taken(monkeypatch: pytest.MonkeyPatch, shape: tuple[int, ...]) -> None:
    assert _camera(monkeypatch, np.zeros(shape, np.uint8)).read().shape == shape


def test_a_camera_that_opens_but_gives_no_picture_names_other_programs(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _camera(monkeypatch, None)
    with pytest.raises(CameraError) as error:
        source.read()
    assert str(error.value) == ("camera 0 opened but gives no picture: close any other program that may use it "
                                "(video calls, the Camera app), then press Retry; or check the cable")


def test_a_camera_that_gave_pictures_then_stops_is_its_cable(monkeypatch: pytest.MonkeyPatch) -> None:
    source = _camera(monkeypatch, np.zeros((480, 640, 3), np.uint8), None)
    source.read()
    with pytest.raises(CameraError, match="^camera 0 stopped delivering frames; check the cable and press Retry$"):
        source.read()
