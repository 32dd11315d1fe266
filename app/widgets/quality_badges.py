"""Green/red badges for the live quality checks."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.pages.quality_logic import LABELS, LiveQuality

_STYLE = "QLabel {{ background: {bg}; color: white; border-radius: 9px; padding: 3px 9px; font-weight: 600; }}"
# white text on each at least 4.5:1 (WCAG AA): #7f8c8d grey was 3.48:1, #2e8b57 green 4.25:1
GREEN, RED, GREY = "#23784a", "#c0392b", "#5d6d6e"
PER_ROW = 3
MAX_WIDTH = 400  # pixels three a row may take; wider (a large font), two a row


def badges_per_row(widest: int) -> int:
    """Badges a row for the widest badge `widest` pixels wide: three while they fit in
    MAX_WIDTH, else two (three a row at 15 pt made the capture page 1209 pixels wide, more
    than a 1280-pixel screen at 150 % leaves it)."""
    return PER_ROW if PER_ROW * widest <= MAX_WIDTH else PER_ROW - 1


class QualityBadges(QWidget):
    """One badge per check; text says the check, colour says pass/fail, tooltip the value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # rows of three: six badges in one row made the capture page, and so the window,
        # wider than a 1024-pixel screen
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        for name, text in LABELS.items():
            label = QLabel(text)
            label.setStyleSheet(_STYLE.format(bg=GREY))
            self.labels[name] = label
        self.per_row = 0
        self._placed: tuple[str, ...] = ()  # the badges on show, in their order in the grid
        self._arrange()

    def _arrange(self) -> None:
        """Put the badges in rows of `badges_per_row` for the font in use (the application's
        when the page is built: a style sheet's font does not follow a later change)."""
        widest = 0
        for name, label in self.labels.items():
            shown = label.text()
            label.setText(f"\u2713 {LABELS[name]}")  # as wide as a checked badge
            label.ensurePolished()  # the style sheet's padding counts
            widest = max(widest, label.sizeHint().width())
            label.setText(shown)
        self.per_row = badges_per_row(widest)
        self._grid.setColumnStretch(self.per_row, 1)
        self._place(tuple(self.labels))

    def _place(self, shown: tuple[str, ...]) -> None:
        """The badges `shown` one after another, those hidden after them: a check a frame
        does not carry (Resolution) left a hole in the rows."""
        if shown == self._placed:
            return  # as they are (asked on every frame)
        order = [*shown, *(name for name in self.labels if name not in shown)]
        for i, name in enumerate(order):
            self._grid.addWidget(self.labels[name], i // self.per_row, i % self.per_row)  # moves it
        self._placed = shown

    def show_quality(self, quality: LiveQuality | None) -> None:
        """Colour the badges; checks the quality does not carry are hidden."""
        seen = set()
        for badge in quality.badges if quality else ():
            label = self.labels.get(badge.name)
            if label is None:
                continue
            seen.add(badge.name)
            mark = "\u2713" if badge.passed else "\u2717"
            label.setText(f"{mark} {badge.label}")
            label.setToolTip(badge.detail)
            label.setStyleSheet(_STYLE.format(bg=GREEN if badge.passed else RED))
            label.setProperty("passed", badge.passed)
            label.setVisible(True)
        for name, label in self.labels.items():
            if name not in seen:
                label.setText(LABELS[name])
                label.setToolTip("no frame checked")
                label.setVisible(quality is None)
                label.setStyleSheet(_STYLE.format(bg=GREY))
                label.setProperty("passed", None)
        self._place(tuple(name for name in self.labels if name in seen) if quality else tuple(self.labels))
