"""The window's status bar: a message that the labels on its right never cover.

QStatusBar paints its message across the whole bar, under the permanent labels: at a 15 pt
font "Report saved: /tm…" was cut and "Confirm the grade" ran into "data: /tmp…". Here the
message is a label of its own, left of the permanent labels, and it comes first: the labels
that may give way (the data folder, the source) are shortened in the middle, down to
`MIN_LABEL_CHARS`, before the message is; a message still too long is shortened in the
middle, and reads in full in the tooltip, as the label's accessible name and a polite
announcement (a screen reader), in `recent` (View → Recent messages) and on the clipboard (the
label's context menu: Copy message). A message may come with buttons (`offer`: "Report saved"
with Open report), shown until the message changes. `currentMessage`, `showMessage` and
`clearMessage` keep QStatusBar's meaning, so callers and tests use them as before.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QStatusBar, QToolButton, QWidget

from app.widgets.announce import announce
from app.widgets.elided_label import ElidedLabel
from app.widgets.plain_text import plain_tooltip

MIN_LABEL_CHARS = 16  # average characters a label that gives way keeps ("data: /ho…/records")
RECENT = 20  # messages kept for View → Recent messages
STICKY_AFTER_MS = 8000  # a message shown longer than this (or with no timeout) is one to act on


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_label = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.message_label.setObjectName("statusMessage")
        self.message_label.setMinimumWidth(0)
        # the room left of the labels, and no more (an Ignored policy let the layout squeeze
        # the labels on the right over each other)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.message_label.setAccessibleName("")
        # a path in it ("Report saved: /…/000017_report_….pdf") was cut short and could not be selected
        self.message_label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.message_label.customContextMenuRequested.connect(self._message_menu)
        self.addWidget(self.message_label, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clearMessage)
        self._shown_at = 0.0
        self._sticky = False
        self._yielding: list[ElidedLabel] = []  # shortened before the message, in this order
        self.offered: list[QToolButton] = []  # the message's buttons (`offer`)
        self.recent: deque[tuple[str, str]] = deque(maxlen=RECENT)  # (local time, message), oldest first
        self._details: str = ""  # the message on show in full (with a path), when it is longer
        self._keep_offer_height()

    def _keep_offer_height(self) -> None:
        """The bar as tall as with an offer's buttons, always: when "Report saved" brought its
        buttons, the bar grew and the whole page above moved up 4 px, and back 8 s later."""
        probe = QToolButton()
        probe.setText("Open report")
        self.setMinimumHeight(0)
        self.addWidget(probe)  # measured in the bar's own layout, then taken out
        height = self.sizeHint().height()
        self.removeWidget(probe)
        probe.setParent(None)
        self.setMinimumHeight(height)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._keep_offer_height()

    def add_label(self, label: QLabel, gives_way: bool = False) -> None:
        """A permanent label on the right; `gives_way` (an ElidedLabel) is shortened first
        when the message needs the room."""
        self.addPermanentWidget(label)
        self._keep_offer_height()
        if gives_way and isinstance(label, ElidedLabel):
            # at most the width `_fit` gives it, at least MIN_LABEL_CHARS: never a fixed width (a
            # width fixed while the window had room became the window's minimum, wider than a
            # 1024-pixel screen with a long data folder)
            label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
            self._yielding.append(label)
            label.full_text_changed.connect(lambda _text: self._fit())
        self._fit()

    def offer(self, choices: Sequence[tuple[str, Callable[[], object]]]) -> None:
        """Buttons (text, what a click does) right of the message on show, until it changes or is
        cleared: what to do with what it reports, within reach while it is read."""
        self._drop_offer()
        for text, slot in choices:
            button = QToolButton()
            button.setText(text)
            button.clicked.connect(slot)
            self.insertWidget(1 + len(self.offered), button)  # after the message, before the labels
            self.offered.append(button)
        self._fit()

    def _drop_offer(self) -> None:
        for button in self.offered:
            self.removeWidget(button)
            button.deleteLater()
        self.offered = []

    def copy_message(self) -> None:
        """The whole message on the clipboard (the bar may show it shortened)."""
        QGuiApplication.clipboard().setText(self._details or self.message_label.full_text())

    def current_details(self) -> str:
        """The message on show in full (with the path the bar leaves to its tooltip)."""
        return self._details if self.message_label.full_text() else ""

    def _message_menu(self, where: QPoint) -> None:
        menu = QMenu(self)
        copy = menu.addAction("Copy message", self.copy_message)
        copy.setEnabled(bool(self.message_label.full_text()))
        menu.exec(self.message_label.mapToGlobal(where))
        menu.deleteLater()

    # -- QStatusBar's message API --------------------------------------------------------
    def showMessage(self, text: str, timeout: int = 0, spoken: str | None = None,  # noqa: N802 - Qt naming
                    details: str | None = None) -> None:
        """`text` in the bar; a screen reader is told `spoken` instead when given (the message
        without a long file path it would spell out). `details`: the message in full ("Report
        saved for …: /path/….pdf"), in the tooltip, View → Recent messages and Copy message,
        where the bar shows the short `text`."""
        self._drop_offer()  # they belonged to the message replaced
        full = details or text
        self._details = full
        self.message_label.setText(text)
        self.message_label.setToolTip(plain_tooltip(full))
        self.message_label.setAccessibleName(text)  # a screen reader reads it whole
        self.message_label.setAccessibleDescription(full if full != text else "")
        self.setToolTip(plain_tooltip(full))  # a message may name a patient or a clinician: read as typed
        self._shown_at = time.monotonic()
        self._sticky = bool(text) and (timeout <= 0 or timeout > STICKY_AFTER_MS)
        if text:
            self.recent.append((datetime.now().astimezone().strftime("%H:%M:%S"), full))
            announce(self, spoken or text)  # polite: the label's name changed unspoken ("Report saved", a failure)
        if timeout > 0:
            self._timer.start(timeout)
        else:
            self._timer.stop()
        self._fit()
        self.messageChanged.emit(text)

    def clearMessage(self) -> None:  # noqa: N802 - Qt naming
        self._timer.stop()
        self._sticky = False
        self._drop_offer()
        self._details = ""
        if self.message_label.full_text():
            self.message_label.setText("")
            self.message_label.setAccessibleName("")
            self.message_label.setAccessibleDescription("")
            self.setToolTip("")
            self._fit()
            self.messageChanged.emit("")

    def currentMessage(self) -> str:  # noqa: N802 - Qt naming
        return self.message_label.full_text()

    def message_age(self) -> float:
        """Seconds since the message on show was shown."""
        return time.monotonic() - self._shown_at

    def is_sticky(self) -> bool:
        """The message on show is one the user must act on (shown with no timeout or one over
        STICKY_AFTER_MS: crash recovery, "Settings NOT saved"): a page change leaves it."""
        return self._sticky

    # -- room for the message ------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Give the message its width: the labels that give way keep theirs when there is room,
        and are shortened when not, the widest first, down to MIN_LABEL_CHARS."""
        if not self._yielding:
            return
        others = [w for w in self.findChildren(QLabel) if w.parent() is not None and w.isVisibleTo(self)
                  and w is not self.message_label and w not in self._yielding]
        spacing = 8 * (len(others) + len(self._yielding) + 1)  # the layout's gaps and margins, roughly
        grip = 16 if self.isSizeGripEnabled() else 0
        spacing += 8 * len(self.offered)
        room = (self.width() - grip - spacing - sum(w.sizeHint().width() for w in others)
                - sum(button.sizeHint().width() for button in self.offered))
        message = self.message_label.full_width() if self.message_label.full_text() else 0
        widths = [label.full_width() if label.full_text() else 0 for label in self._yielding]
        floors = [min(w, label.fontMetrics().averageCharWidth() * MIN_LABEL_CHARS)
                  for w, label in zip(widths, self._yielding, strict=True)]

        def total(level: int) -> int:  # the labels' widths when none is wider than `level`
            return sum(max(floor, min(w, level)) for w, floor in zip(widths, floors, strict=True))

        budget = max(0, room - message)
        if total(max(widths, default=0)) > budget:  # the widest give way first, to a common width
            low, high = 0, max(widths)
            while low < high:  # the widest level that fits
                mid = (low + high + 1) // 2
                low, high = (mid, high) if total(mid) <= budget else (low, mid - 1)
            widths = [max(floor, min(w, low)) for w, floor in zip(widths, floors, strict=True)]
        for label, width, floor in zip(self._yielding, widths, floors, strict=True):
            label.setMinimumWidth(floor)  # the bar's (and the window's) minimum counts only this
            label.setMaximumWidth(width)

