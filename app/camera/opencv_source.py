"""A real camera through OpenCV (device index, resolution and fps from Settings)."""

from __future__ import annotations

import sys
from dataclasses import fields

import numpy as np

from app.camera.source import CameraError, checked_array
from app.settings import CameraSettings


def _least(setting: str) -> int:
    """The least value Settings accept for the camera's `setting` (width, height)."""
    return int(next(f for f in fields(CameraSettings) if f.name == setting).metadata["range"].low)


# the smallest picture the app uses, as Settings ask it of a camera (upright or turned)
MIN_WIDTH, MIN_HEIGHT = _least("width"), _least("height")
NO_PICTURE = ("opened but gives no picture: close any other program that may use it (video calls, the Camera "
              "app), then press Retry; or check the cable")


class OpenCVSource:
    """cv2.VideoCapture wrapper; converts BGR (grey, BGRA) to RGB and never mirrors."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, fps: int = 30) -> None:
        self.index, self.width, self.height, self.fps = index, width, height, fps
        self.name = f"camera {index}"
        self._capture = None
        self._frames = 0  # frames read since the open

    def open(self) -> None:
        capture = _open_capture(self.index)
        if capture is None:
            raise CameraError(
                f"camera {self.index} could not be opened; check that it is connected and not used by "
                f"another program{_permission_hint()}, or choose another index in Settings"
            )
        import cv2

        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        capture.set(cv2.CAP_PROP_FPS, self.fps)
        self._capture = capture
        self._frames = 0

    def read(self) -> np.ndarray:
        if self._capture is None:
            raise CameraError(f"{self.name} is not open")
        ok, frame = self._capture.read()
        if not ok or frame is None:
            if self._frames == 0:  # none since the open: held by another program, seldom the cable
                raise CameraError(f"{self.name} {NO_PICTURE}")
            raise CameraError(f"{self.name} stopped delivering frames; check the cable and press Retry")
        self._frames += 1
        return _rgb(frame, self.name)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def _rgb(frame: object, name: str) -> np.ndarray:
    """An OpenCV frame (BGR, BGRA or grey) as RGB, checked before it is converted: a 2-channel
    (YUYV) or empty frame failed in the conversion with OpenCV's words, and a raw one-row buffer
    passed as a picture. A picture under MIN_WIDTH x MIN_HEIGHT (either way up) is refused."""
    import cv2

    array = checked_array(frame, name, channels=(1, 3, 4))
    h, w = array.shape[:2]
    if min(h, w) == 1 and max(h, w) > 1:  # no picture is one pixel high: the back-end's undecoded bytes
        raise CameraError(f"The camera stopped: {name} delivered {max(h, w)} undecoded bytes in one row instead of a "
                          "picture (its video format is not one OpenCV decodes here); choose another camera or "
                          "resolution in Settings, then press Retry")
    if min(h, w) < min(MIN_WIDTH, MIN_HEIGHT) or max(h, w) < max(MIN_WIDTH, MIN_HEIGHT):
        raise CameraError(f"The camera stopped: {name} delivered a picture of {w} x {h} pixels, too small to use "
                          f"(at least {MIN_WIDTH} x {MIN_HEIGHT}); choose a higher resolution or another camera in "
                          "Settings, then press Retry")
    if array.ndim == 2 or array.shape[2] == 1:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    return cv2.cvtColor(array, cv2.COLOR_BGRA2RGB if array.shape[2] == 4 else cv2.COLOR_BGR2RGB)


def preferred_backends(platform: str | None = None) -> list[str]:
    """OpenCV's capture backends to try first, by name (cv2.CAP_*), before its own choice:
    DirectShow on Windows (Media Foundation, OpenCV's default there, is often slow to open a
    camera and to change its resolution), then Media Foundation; AVFoundation on macOS.
    Linux: OpenCV's own choice (V4L2). `platform`: sys.platform's value now by default."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ["CAP_DSHOW", "CAP_MSMF"]
    if platform == "darwin":
        return ["CAP_AVFOUNDATION"]
    return []


def _open_capture(index: int, platform: str | None = None):  # noqa: ANN202 - cv2.VideoCapture or None
    """The first backend that opens camera `index` (`preferred_backends`, then OpenCV's own
    choice); None, every try released, when none does."""
    import cv2

    tries = [(getattr(cv2, name),) for name in preferred_backends(platform) if hasattr(cv2, name)] + [()]
    for api in tries:
        capture = cv2.VideoCapture(index, *api)
        if capture.isOpened():
            return capture
        capture.release()
    return None


def _permission_hint(platform: str | None = None) -> str:
    """Where a camera the system has not allowed this program is switched on (the first open
    fails while macOS asks)."""
    platform = platform or sys.platform
    if platform == "darwin":
        return ("; allow Palsy Grader (or the Terminal it was started from) in System Settings > Privacy & "
                "Security > Camera, then press Retry")
    if platform.startswith("win"):
        return "; in Windows Settings > Privacy > Camera, let desktop apps access the camera"
    return ""
