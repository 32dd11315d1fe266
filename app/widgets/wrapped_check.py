"""A check box whose words wrap: a QCheckBox's text never does, and at an 18 pt font the
Settings dialog's long ones ("Parse and grade each photo and its mirror (steadier grades; …")
made the dialog scroll sideways, their ends cut."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

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


class _Row(QWidget):
    """The box and its words: as tall as the words at the width it has. A form sizes a row by
    its hint, taken at the hint's own (narrow) width: one line got two lines' height, a wider
    gap under it than between the form's other rows."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        hint = super().sizeHint()
        if self.testAttribute(Qt.WidgetAttribute.WA_Resized) and self.width() > 0:
            return QSize(hint.width(), self.heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # its hint's height follows its width


def wrapped_check(text: str) -> tuple[QCheckBox, QWidget]:
    """A bare check box named `text` (a screen reader's name) with `text` word-wrapped beside
    it, and the row holding both, to put in a layout. Its words line up with a plain
    QCheckBox's in the same column: their left edge where the style puts a check box's text,
    their first line centred on the box (they sat ~6 px low and 1-2 px right of the plain
    "Auto-capture…" box under them in Settings)."""
    box = QCheckBox()
    box.setAccessibleName(text)
    label = plain(_BoxLabel(text, box))
    label.setWordWrap(True)
    label.setBuddy(box)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    indicator, text_left = _check_box_metrics(box)
    row = _Row()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(max(0, text_left - box.sizeHint().width()))
    column = QVBoxLayout()  # the box, lowered where a line is taller than it
    column.setContentsMargins(0, 0, 0, 0)
    line = label.fontMetrics().height()
    centre = indicator.top() + indicator.height() / 2
    lower = round(line / 2 - centre)  # > 0: the line is taller than the box, the box moves down
    column.addSpacing(max(0, lower))
    column.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)  # no stretch: it made the row grow in height
    label.setContentsMargins(0, max(0, -lower), 0, 0)
    layout.addLayout(column)
    layout.addWidget(label, 1)
    row.label = label  # type: ignore[attr-defined]
    return box, row


def _check_box_metrics(box: QCheckBox) -> tuple[QRect, int]:
    """The style's indicator rectangle of a check box with text, and where its text begins."""
    option = QStyleOptionButton()
    box.initStyleOption(option)
    option.text = "x"
    option.rect = QRect(QPoint(0, 0), box.sizeHint())
    style = box.style()
    indicator = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    contents = style.subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, box)
    return indicator, contents.left()
