"""Green/red badges for the live quality checks."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.pages.quality_logic import LABELS, LiveQuality

_STYLE = "QLabel {{ background: {bg}; color: white; border-radius: 9px; padding: 3px 9px; font-weight: 600; }}"
GREEN, RED, GREY = "#2e8b57", "#c0392b", "#7f8c8d"
PER_ROW = 3


class QualityBadges(QWidget):
    """One badge per check; text says the check, colour says pass/fail, tooltip the value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # rows of three: six badges in one row made the capture page, and so the window,
        # wider than a 1024-pixel screen
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: dict[str, QLabel] = {}
        for i, (name, text) in enumerate(LABELS.items()):
            label = QLabel(text)
            label.setStyleSheet(_STYLE.format(bg=GREY))
            layout.addWidget(label, i // PER_ROW, i % PER_ROW)
            self.labels[name] = label
        layout.setColumnStretch(PER_ROW, 1)

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
