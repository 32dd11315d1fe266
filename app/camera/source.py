"""The frame source interface: open / read / close; failures raise CameraError.

Frames are RGB uint8 arrays (H x W x 3), never mirrored (DESIGN §3): mirroring for the
preview is the view's business. A source is used from one thread at a time; whichever
thread opened it must close it (cameras are released on the thread that owns them).

A source whose frames may repeat byte for byte while it works (a still photo, a file, the demo
patient's pre-rendered frames) says so with a class attribute `repeats_frames = True`. Any other
source is live: the camera thread takes a frame identical to the one before for a feed stuck on
its last frame and sends nothing, so that the page calls it frozen (`repeats_frames`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from models.errors import PalsyError


class CameraError(PalsyError):
    """The source cannot be opened or stopped delivering frames."""


class StepUnavailable(CameraError):
    """The source works but has no usable frame for the requested expression (a photo
    folder without that expression's photo, or with a damaged one). The camera keeps
    running; other steps still get their frames."""


@runtime_checkable
class FrameSource(Protocol):
    """Anything that yields RGB frames."""

    name: str

    def open(self) -> None:
        """Acquire the device or file; raise CameraError with a hint on failure."""

    def read(self) -> np.ndarray:
        """The next frame (RGB uint8, H x W x 3); raise CameraError when none can be had."""

    def close(self) -> None:
        """Release the device; safe to call twice."""


def repeats_frames(source: object) -> bool:
    """Whether `source` may deliver the same pixels again while it works (its `repeats_frames`);
    False for a live camera, whose sensor noise changes every frame."""
    return bool(getattr(source, "repeats_frames", False))


def set_expression_hint(source: FrameSource, expression: str) -> None:
    """Tell sources that can act (the demo patient) which expression the wizard asks for."""
    setter = getattr(source, "set_expression", None)
    if callable(setter):
        setter(expression)


def checked_frame(frame: object, source_name: str) -> np.ndarray:
    """`frame` as the contiguous RGB uint8 H x W x 3 array the preview and the store expect.

    A grey frame (H x W, or H x W x 1, uint8) is made RGB: nothing is guessed. Anything else
    (no frame, another type, float or 16-bit values, another channel count, no pixels) is a
    CameraError: the camera thread stops and the page offers Retry, where such a frame used to
    reach the display and fail on every tick."""
    array = checked_array(frame, source_name)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        import cv2  # loaded with the camera sources already; kept out of this interface's import

        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)  # np.repeat took 6 ms per 1080p frame
    return np.ascontiguousarray(array)


def checked_array(frame: object, source_name: str, channels: tuple[int, ...] = (1, 3)) -> np.ndarray:
    """`frame` itself when it is a uint8 image with pixels, grey (H x W) or of one of `channels`
    (a camera's BGRA frame: 4), else the CameraError `checked_frame` raises: a source checks a
    frame before converting it (OpenCV's own error for a 2-channel frame said nothing)."""
    what = _frame_problem(frame, channels)
    if what is not None:
        raise CameraError(f"The camera stopped: {source_name} delivered {what} instead of a colour image "
                          "(8-bit RGB); check the camera and press Retry")
    return frame  # type: ignore[return-value]  # checked by _frame_problem


def _frame_problem(frame: object, channels: tuple[int, ...]) -> str | None:
    """What is wrong with a frame, in words, or None when it is (or can simply be made) RGB uint8."""
    if frame is None:
        return "no image"
    if not isinstance(frame, np.ndarray):
        return f"a {type(frame).__name__}"
    if frame.dtype != np.uint8:
        return f"{frame.dtype} values"
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in channels):
        return f"an array of shape {frame.shape}"
    if frame.size == 0:
        return "an empty image"
    return None
