"""Small QPainter illustrations of each expression for the capture instructions."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap


def expression_icon(expression: str, size: int = 120, dpr: float = 1.0) -> QPixmap:
    """A line drawing of a face doing `expression` (arrows show the movement), `size` logical
    pixels square, drawn at the screen's device pixel ratio `dpr` (drawn at 1x, it was blurry
    at 125-200 %)."""
    pixmap = QPixmap(QSize(round(size * dpr), round(size * dpr)))
    pixmap.setDevicePixelRatio(dpr)  # the painter draws in logical pixels, sharp in device ones
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 100.0
    ink = QColor(40, 50, 70)
    accent = QColor(20, 120, 200)
    p.setPen(QPen(ink, 2.2 * s))
    p.setBrush(QColor(250, 226, 200))
    p.drawEllipse(QRectF(18 * s, 8 * s, 64 * s, 84 * s))
    puff = 6 * s if expression == "puff_cheeks" else 0
    if puff:
        p.drawEllipse(QRectF(14 * s - puff / 2, 48 * s, 18 * s + puff, 26 * s))
        p.drawEllipse(QRectF(68 * s - puff / 2, 48 * s, 18 * s + puff, 26 * s))
    brow_y = 30 * s - (7 * s if expression == "raise_eyebrows" else 0)
    for x in (32, 58):
        p.drawLine(QPointF(x * s - 2 * s, brow_y), QPointF(x * s + 12 * s, brow_y - 2 * s))
        if expression == "close_eyes":
            path = QPainterPath(QPointF(x * s, 42 * s))
            path.quadTo(QPointF(x * s + 5 * s, 46 * s), QPointF(x * s + 10 * s, 42 * s))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
        else:
            p.setBrush(QColor(255, 255, 255))
            p.drawEllipse(QRectF(x * s, 38 * s, 10 * s, 7 * s))
            p.setBrush(ink)
            p.drawEllipse(QRectF(x * s + 3 * s, 39.5 * s, 4 * s, 4 * s))
    p.setBrush(Qt.BrushStyle.NoBrush)
    nose = QPainterPath(QPointF(50 * s, 46 * s))
    lift = 4 * s if expression == "wrinkle_nose" else 0
    nose.lineTo(QPointF(45 * s, 60 * s - lift))
    nose.lineTo(QPointF(55 * s, 60 * s - lift))
    p.drawPath(nose)
    if expression == "wrinkle_nose":
        for dy in (0, 4):
            p.drawLine(QPointF(46 * s, (48 + dy) * s), QPointF(54 * s, (48 + dy) * s))
    if expression == "open_mouth":
        p.setBrush(QColor(120, 30, 40))
        p.drawEllipse(QRectF(38 * s, 68 * s, 24 * s, 14 * s))
    elif expression == "puff_cheeks":
        p.drawLine(QPointF(44 * s, 74 * s), QPointF(56 * s, 74 * s))
    else:
        p.drawLine(QPointF(40 * s, 74 * s), QPointF(60 * s, 74 * s))
    p.setPen(QPen(accent, 2.5 * s))
    if expression == "raise_eyebrows":
        for x in (38, 64):
            p.drawLine(QPointF(x * s, 20 * s), QPointF(x * s, 10 * s))
            p.drawLine(QPointF(x * s - 3 * s, 13 * s), QPointF(x * s, 10 * s))
            p.drawLine(QPointF(x * s + 3 * s, 13 * s), QPointF(x * s, 10 * s))
    elif expression == "open_mouth":
        p.drawLine(QPointF(36 * s, 75 * s), QPointF(28 * s, 75 * s))
        p.drawLine(QPointF(64 * s, 75 * s), QPointF(72 * s, 75 * s))
    elif expression == "puff_cheeks":
        p.drawLine(QPointF(10 * s, 60 * s), QPointF(4 * s, 60 * s))
        p.drawLine(QPointF(90 * s, 60 * s), QPointF(96 * s, 60 * s))
    p.end()
    return pixmap
