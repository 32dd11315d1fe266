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
