"""Type sizes relative to the application's font: headings set in pixels stayed 18 px when a
clinic set a larger system font (14 pt), ending up smaller than the body text."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

HEADING = 1.35  # page titles ("Results – …", "Step 3 of 6: …")
EMPHASIS = 1.15  # the model and measured grade lines
SMALL = 0.85  # a checksum


def scale_font(widget: QWidget, factor: float, bold: bool = False) -> None:
    """Give `widget` the application font times `factor` (bold if asked)."""
    font = QFont(QApplication.font())
    size = font.pointSizeF()
    if size > 0:
        font.setPointSizeF(size * factor)
    else:  # a font given in pixels
        font.setPixelSize(max(1, round(font.pixelSize() * factor)))
    font.setBold(bold)
    widget.setFont(font)
