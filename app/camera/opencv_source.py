"""A real camera through OpenCV (device index, resolution and fps from Settings)."""

from __future__ import annotations

import numpy as np

from app.camera.source import CameraError


class OpenCVSource:
    """cv2.VideoCapture wrapper; converts BGR to RGB and never mirrors."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720, fps: int = 30) -> None:
        self.index, self.width, self.height, self.fps = index, width, height, fps
        self.name = f"camera {index}"
        self._capture = None

    def open(self) -> None:
        import cv2

        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise CameraError(
                f"camera {self.index} could not be opened; check that it is connected and not used by "
                "another program, or choose another index in Settings"
            )
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
