"""Window sizes that fit the screen they open on: a window asked for 1360×860 opened past the
bottom of a 1366×768 laptop at 125 % (1093×614 to draw on), with Capture and Confirm off
screen; and not narrower than its widest page where the screen has room for it (at 150 % on a
1280×800 screen it opened 784 wide, the capture page needed 815 and scrolled sideways, its
instructions and Next cut)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QScreen

# What a window's frame (borders, title bar) adds to the size given to `resize`, which sizes the
# inside only: unknown before the window is shown, so estimated (Windows draws 8 px a side, a
# title bar about 31 px). A window as wide as the screen's room ran its right edge off it.
FRAME_ALLOWANCE = QSize(16, 40)


def fitted_size(room: QSize, width: int, height: int, share: float = 0.92, at_least: QSize | None = None) -> QSize:
    """`width` × `height` within `room` (a screen's available area): at most `share` of it each
    way, but `at_least` as large as it asks where `room`, less the window's frame
    (FRAME_ALLOWANCE), holds it."""
    need = at_least if at_least is not None else QSize(0, 0)
    wide = max(int(room.width() * share), min(need.width(), room.width() - FRAME_ALLOWANCE.width()))
    high = max(int(room.height() * share), min(need.height(), room.height() - FRAME_ALLOWANCE.height()))
    return QSize(min(width, wide), min(height, high))


def opening_size(screen: QScreen | None, width: int, height: int, share: float = 0.92,
                 at_least: QSize | None = None) -> QSize:
    """`width` × `height`, made smaller where the screen's available area (without taskbars)
    is: at most `share` of it each way, yet not under `at_least` (the content's minimum) where
    the area has room for that."""
    if screen is None:
        return QSize(width, height)
    return fitted_size(screen.availableGeometry().size(), width, height, share, at_least)
