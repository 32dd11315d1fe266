"""Window sizes that fit the screen they open on: a window asked for 1360×860 opened past the
bottom of a 1366×768 laptop at 125 % (1093×614 to draw on), with Capture and Confirm off
screen."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QScreen


def opening_size(screen: QScreen | None, width: int, height: int, share: float = 0.92) -> QSize:
    """`width` × `height`, made smaller where the screen's available area (without taskbars)
    is: at most `share` of it each way."""
    if screen is None:
        return QSize(width, height)
    room = screen.availableGeometry()
    return QSize(min(width, int(room.width() * share)), min(height, int(room.height() * share)))
