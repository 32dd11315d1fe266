"""A check box whose words wrap: a QCheckBox's text never does, and at an 18 pt font the
Settings dialog's long ones ("Parse and grade each photo and its mirror (steadier grades; …")
made the dialog scroll sideways, their ends cut."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QWidget

from app.widgets.plain_text import plain


class _BoxLabel(QLabel):
    """The box's words: a click on them ticks the box, as on a check box's own text."""

    def __init__(self, text: str, box: QCheckBox) -> None:
        super().__init__(text)
        self._box = box

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt naming
        if event.button() == Qt.MouseButton.LeftButton and self._box.isEnabled() and self.rect().contains(event.position().toPoint()):
            self._box.toggle()
            self._box.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


def wrapped_check(text: str) -> tuple[QCheckBox, QWidget]:
    """A bare check box named `text` (a screen reader's name) with `text` word-wrapped beside
    it, and the row holding both, to put in a layout."""
    box = QCheckBox()
    box.setAccessibleName(text)
    label = plain(_BoxLabel(text, box))
    label.setWordWrap(True)
    label.setBuddy(box)
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
    layout.addWidget(label, 1)
    row.label = label  # type: ignore[attr-defined]
    return box, row
