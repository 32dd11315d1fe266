"""The frame source interface: open / read / close; failures raise CameraError.

Frames are RGB uint8 arrays (H x W x 3), never mirrored (DESIGN §3): mirroring for the
preview is the view's business. A source is used from one thread at a time; whichever
thread opened it must close it (cameras are released on the thread that owns them).
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
    what = _frame_problem(frame)
    if what is not None:
        raise CameraError(f"The camera stopped: {source_name} delivered {what} instead of a colour image "
                          "(8-bit RGB); check the camera and press Retry")
    array: np.ndarray = frame  # type: ignore[assignment]  # checked by _frame_problem
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2:
        import cv2  # loaded with the camera sources already; kept out of this interface's import

        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)  # np.repeat took 6 ms per 1080p frame
    return np.ascontiguousarray(array)


def _frame_problem(frame: object) -> str | None:
    """What is wrong with a frame, in words, or None when it is (or can simply be made) RGB uint8."""
    if frame is None:
        return "no image"
    if not isinstance(frame, np.ndarray):
        return f"a {type(frame).__name__}"
    if frame.dtype != np.uint8:
        return f"{frame.dtype} values"
    if frame.ndim not in (2, 3) or (frame.ndim == 3 and frame.shape[2] not in (1, 3)):
        return f"an array of shape {frame.shape}"
    if frame.size == 0:
        return "an empty image"
    return None
