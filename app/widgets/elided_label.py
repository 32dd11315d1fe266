"""A one-line label that never widens its window: text that does not fit is shortened with an
ellipsis (at the end, or in the middle for a path), and the whole text is in the tooltip (a
110-character patient name made the results page wider than the screen). `set_parts` shortens
only the middle part (a name) so that the parts around it (the page, the patient ID) stay
readable. Its text is a name, a path or a message: shown as typed, never as HTML (plain_text)."""

from __future__ import annotations

import re

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
        """Show head + middle + tail; when it does not fit, a date of birth (", born …") in
        `tail` goes first, then `middle` is shortened (a long patient name pushed the ID off the
        page title), and only then the ID (`_fit_parts`). The middle is shown isolated
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
        if self._parts is not None and shown != self._full:
            shown = _fit_parts(metrics, width, *self._parts)
        elif self._parts is not None:
            head, middle, tail = self._parts
            shown = head + ISOLATE + middle + END_ISOLATE + tail
        super().setText(shown)


def _fit_parts(metrics: QFontMetrics, width: int, head: str, middle: str, tail: str) -> str:
    """head + middle + tail in `width`. The date of birth (", born …") is kept only beside the
    whole name: it goes first, then the middle (a name) is shortened down to "…", and only then
    is the tail (the ID) shortened, in its middle: the ID was the first thing cut at 150 %
    ("Patient: Maria Guadalupe Fernández de la Concepción…"), and keeping the date of birth cut
    the name to "…" where a narrower line, without it, showed the name whole."""
    ellipsis = "\u2026"
    if metrics.horizontalAdvance(head + middle + tail) <= width:
        return head + ISOLATE + middle + END_ISOLATE + tail
    part = _without_birth(tail)
    room = width - metrics.horizontalAdvance(head + part)
    name = metrics.elidedText(middle, Qt.TextElideMode.ElideRight, room) if room > 0 else ""
    if not middle or _shows_some_of(name):
        return head + ISOLATE + name + END_ISOLATE + part
    name = ellipsis if middle else ""
    room = max(0, width - metrics.horizontalAdvance(head + name))
    ident = part[:part.find(")") + 1] or part  # " (MRN-1)" of " (MRN-1) – photos from …"
    if metrics.horizontalAdvance(ident + ellipsis) <= room:  # the ID whole, what follows it shortened
        return head + ISOLATE + name + END_ISOLATE + metrics.elidedText(part, Qt.TextElideMode.ElideRight, room)
    return head + ISOLATE + name + END_ISOLATE + metrics.elidedText(ident, Qt.TextElideMode.ElideMiddle, room)


def _shows_some_of(name: str) -> bool:
    """Whether an elided name shows any of the name: not "", "…", nor the zero-width joiner
    and "…" that Qt gives an Arabic name."""
    return bool(name.replace("\u2026", "").strip("\u200c\u200d\u200e\u200f"))


def _without_birth(tail: str) -> str:
    """The tail without its date of birth: " (MRN-1, born 1951-02-03)" -> " (MRN-1)"."""
    return re.sub(r", born [^)]*", "", tail, count=1)
