"""numpy RGB -> QImage/QPixmap on the GUI thread, always copying the buffer."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPixmap


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage that owns a copy of `rgb` (H x W x 3 uint8), safe after the array dies."""
    array = np.ascontiguousarray(rgb, dtype=np.uint8)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an RGB image H x W x 3, got shape {array.shape}")
    h, w = array.shape[:2]
    return QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def rgb_to_pixmap(rgb: np.ndarray, max_side: int | None = None, dpr: float | None = None) -> QPixmap:
    """A pixmap of `rgb`, scaled down to `max_side` logical pixels when given, at the device
    pixel ratio `dpr` (None: the highest of the screens', sharp on any of them; scaled to
    logical pixels, a thumbnail was blurry at 125-200 %)."""
    pixmap = QPixmap.fromImage(rgb_to_qimage(rgb))
    if max_side is not None:
        if dpr is None:
            app = QGuiApplication.instance()
            dpr = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
        side = round(max_side * dpr)
        pixmap = pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        pixmap.setDevicePixelRatio(dpr)
    return pixmap
