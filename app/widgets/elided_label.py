"""A one-line label that never widens its window: text that does not fit is shortened with an
ellipsis (at the end, or in the middle for a path), and the whole text is in the tooltip (a
110-character patient name made the results page wider than the screen). `set_parts` shortens
only the middle part (a name) so that the parts around it (the page, the patient ID) stay
readable. Its text is a name, a path or a message: shown as typed, never as HTML (plain_text)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.widgets.plain_text import plain, plain_tooltip

ISOLATE, END_ISOLATE = "\u2068", "\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE


class ElidedLabel(QLabel):
    full_text_changed = Signal(str)

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        plain(self)  # a patient named '<font color=red>…' showed coloured text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self._mode = mode
        self._full = ""
        self._parts: tuple[str, str, str] | None = None
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def full_width(self) -> int:
        """Pixels the whole text needs (with the label's margins)."""
        margins = self.contentsMargins()
        return (QFontMetrics(self.font()).horizontalAdvance(self._full) + margins.left() + margins.right()
                + 2 * self.margin() + 2)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """The whole text's size (a layout that has the room shows it whole)."""
        return QSize(self.full_width(), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        """Any width: the text is shortened to fit."""
        return QSize(0, super().minimumSizeHint().height())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self._parts = None
        self._set_full(text)

    def set_parts(self, head: str, middle: str, tail: str) -> None:
        """Show head + middle + tail; when it does not fit, `middle` is shortened first
        (a long patient name pushed the ID off the page title). The middle is shown isolated
        (FSI ... PDI): a right-to-left name no longer pulls the ID after it to its other side."""
        self._parts = (head, middle, tail)
        self._set_full(head + middle + tail)

    def _set_full(self, text: str) -> None:
        self._full = text
        self.setToolTip(plain_tooltip(text))
        self._elide()
        self.updateGeometry()
        self.full_text_changed.emit(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        width = max(self.contentsRect().width(), 1)
        shown = metrics.elidedText(self._full, self._mode, width)
        if self._parts is not None:
            head, middle, tail = self._parts
            if shown != self._full:
                room = width - metrics.horizontalAdvance(head + tail)
                middle = metrics.elidedText(middle, Qt.TextElideMode.ElideRight, room) if room > 0 else ""
            if middle or not self._parts[1]:  # else head and tail alone do not fit: the whole line is shortened
                shown = head + ISOLATE + middle + END_ISOLATE + tail
        super().setText(shown)
