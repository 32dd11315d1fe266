"""The same words are announced once: a failed analysis is said at once (assertive) and then
shown in the status bar, which announces its messages too; a reader heard it twice."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

import app.widgets.announce as announcing
from app.widgets.announce import ANNOUNCED, announce
from app.widgets.status_bar import StatusBar


def test_the_same_words_at_once_are_announced_once(qtbot, monkeypatch) -> None:
    ANNOUNCED.clear()
    bar = StatusBar()
    qtbot.addWidget(bar)
    announce(bar, "Analysis failed: no face in Rest", assertive=True)
    bar.showMessage("Analysis failed: no face in Rest")  # the status bar's polite announcement
    assert list(ANNOUNCED) == [("Analysis failed: no face in Rest", True)]
    bar.showMessage("Report saved")
    assert ANNOUNCED[-1] == ("Report saved", False)
    # the same words later are news again
    monkeypatch.setattr(announcing, "_last_at", announcing._last_at - announcing.REPEAT_S)
    bar.showMessage("Report saved")
    assert list(ANNOUNCED)[-2:] == [("Report saved", False), ("Report saved", False)]
    label = QLabel()
    qtbot.addWidget(label)
    announce(label, "   ")  # nothing to say
    assert len(ANNOUNCED) == 3
