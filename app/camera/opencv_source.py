"""A real camera through OpenCV (device index, resolution and fps from Settings)."""

from __future__ import annotations

import sys

import numpy as np

from app.camera.source import CameraError


class OpenCVSource:
    """cv2.VideoCapture wrapper; converts BGR to RGB and never mirrors."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, fps: int = 30) -> None:
        self.index, self.width, self.height, self.fps = index, width, height, fps
        self.name = f"camera {index}"
        self._capture = None

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

    def read(self) -> np.ndarray:
        import cv2

        if self._capture is None:
            raise CameraError(f"{self.name} is not open")
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraError(f"{self.name} stopped delivering frames; check the cable and press Retry")
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


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
