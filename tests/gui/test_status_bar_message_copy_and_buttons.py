"""The status bar's message is copied whole (shown shortened, a report's path could not be
read or selected), and a message's buttons go with it."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from app.widgets.status_bar import StatusBar

PATH = "Report for Bo Carlsson (MRN-1002) saved: /home/clinic/.local/share/palsy/data/reports/000002/000002_report_d448639318f6.pdf"


def test_copy_message_puts_the_whole_message_on_the_clipboard(qtbot) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.resize(300, 30)  # far too narrow: the bar shows it shortened
    bar.show()
    bar.showMessage(PATH, 8000)
    assert bar.message_label.text() != PATH
    bar.copy_message()
    assert QGuiApplication.clipboard().text() == PATH


def test_offered_buttons_last_as_long_as_their_message(qtbot) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    clicks: list[str] = []
    bar.showMessage(PATH, 8000)
    bar.offer([("Open report", lambda: clicks.append("open")), ("Save a copy\u2026", lambda: clicks.append("copy"))])
    assert [b.text() for b in bar.offered] == ["Open report", "Save a copy\u2026"]
    bar.offered[1].click()
    assert clicks == ["copy"]
    bar.showMessage("Grade II confirmed", 8000)
    assert not bar.offered
    bar.offer([("Open report", lambda: clicks.append("open"))])
    bar.clearMessage()  # its time ran out
    assert not bar.offered
