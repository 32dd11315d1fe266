"""Visual audit v2 (s15): layout defects a person saw on screen, checked with font metrics and
widget geometry rather than pictures."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel

from app.widgets.elided_label import END_ISOLATE, ISOLATE, ElidedLabel

NAME = "Maria Guadalupe Fernández de la Concepción Álvarez-Núñez"
ID = "MRN-0000000000000000001"
TAIL = f" ({ID}, born 1951-02-03)"


def _shown_at(qtbot, width: int) -> str:  # noqa: ANN001
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.setContentsMargins(0, 0, 0, 0)
    label.set_parts("Patient: ", NAME, TAIL)
    label.resize(width, 30)
    label._elide()  # noqa: SLF001 - the width given, as after a resize on screen
    return label.text().replace(ISOLATE, "").replace(END_ISOLATE, "")


def test_a_narrow_patient_line_keeps_the_id_and_shortens_the_name(qtbot) -> None:  # noqa: ANN001
    """#9: at 150 % head and tail alone did not fit and the whole line was cut at the right,
    the ID first ("Patient: Maria Guadalupe Fernández de la Concepción…")."""
    metrics = QFontMetrics(QApplication.font())
    short_tail = f" ({ID})"
    # room for the head, a few letters of the name and the ID, not for the date of birth too
    width = metrics.horizontalAdvance("Patient: Maria G\u2026" + short_tail) + 4
    assert width < metrics.horizontalAdvance("Patient: " + TAIL)
    shown = _shown_at(qtbot, width)
    assert ID in shown and shown.endswith(short_tail)
    assert shown.startswith("Patient: Ma") and "\u2026" in shown and NAME not in shown


def test_the_id_is_shortened_only_once_the_name_is_an_ellipsis(qtbot) -> None:  # noqa: ANN001
    metrics = QFontMetrics(QApplication.font())
    width = metrics.horizontalAdvance("Patient: \u2026 (MRN-00\u202600001)") + 2
    shown = _shown_at(qtbot, width)
    assert shown.startswith("Patient: \u2026 (MRN-") and shown.endswith("1)")


def test_a_wide_patient_line_shows_everything(qtbot) -> None:  # noqa: ANN001
    assert _shown_at(qtbot, 2000) == "Patient: " + NAME + TAIL


def test_the_window_opens_larger_on_a_large_screen() -> None:
    """#14: on a 1920x1080 screen the window opened at 1360x860 and the results page scrolled;
    small screens keep the 92 % guard, and a screen just larger than 1360x860 the old size."""
    from app.main_window import opening_request
    from app.widgets.screen_fit import opening_size
    from tests.gui.layout_helpers import FakeScreen

    full_hd = FakeScreen(1920, 1040)  # 1920x1080 less a taskbar
    assert opening_size(full_hd, *opening_request(full_hd)) == QSize(1632, 884)
    assert opening_size(full_hd, *opening_request(full_hd)).width() <= 1920 - 16
    small = FakeScreen(1093, 614)  # 1366x768 at 125 %
    assert opening_size(small, *opening_request(small)) == QSize(1005, 564)
    assert opening_request(FakeScreen(1440, 900)) == (1360, 860)
    assert opening_request(None) == (1360, 860)


UPGRADED = "The records were upgraded from database version 3 to 9; a copy was kept in /srv/palsy.db.v3.bak."


def test_the_upgrade_notice_can_be_dismissed_for_the_session(qtbot, open_window) -> None:  # noqa: ANN001
    """#15: the upgrade notice sat above every page all session, with no way to close it."""
    window = open_window()
    window.set_notice("upgrade", UPGRADED)
    button = window.notice_dismiss
    assert window.notice.isVisible() and button.isVisible()
    assert button.accessibleName() == "Dismiss notice" and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)  # by keyboard
    assert not window.notice.isVisible() and not window.notice_box.isVisible()
    assert UPGRADED in [text for _when, text in window.statusBar().recent]  # View > Recent messages
    window.set_notice("upgrade", UPGRADED)  # not back in this session
    assert not window.notice.isVisible()


def test_a_notice_to_act_on_has_no_dismiss(qtbot, open_window) -> None:  # noqa: ANN001
    from app.window_report import report_notice_key

    window = open_window()
    lost = "Report for Ada Lovelace (MRN-1) could not be saved: the disk is full"
    window.set_notice(report_notice_key(1), lost)
    assert window.notice.isVisible() and not window.notice_dismiss.isVisible()
    window.set_notice("upgrade", UPGRADED)
    assert window.notice_dismiss.isVisible()
    window.notice_dismiss.click()  # the information goes, the failure stays
    assert window.notice.isVisible() and window.notice.text() == lost and not window.notice_dismiss.isVisible()


def test_the_status_bar_keeps_its_height_when_buttons_come_and_go(qtbot) -> None:  # noqa: ANN001
    """#7: "Report saved" brought Open report / Save a copy…: the bar grew and the whole page
    above moved up 4 px, and back when the message ended."""
    from PySide6.QtWidgets import QMainWindow

    from app.widgets.status_bar import StatusBar

    window = QMainWindow()
    qtbot.addWidget(window)
    bar = StatusBar()
    window.setStatusBar(bar)
    bar.add_label(QLabel("model: demo"))
    window.setCentralWidget(QLabel("page"))
    window.resize(900, 500)
    window.show()
    qtbot.waitExposed(window)
    before = (bar.height(), window.centralWidget().height())
    bar.showMessage("Report saved for Ada Lovelace (MRN-1)", 8000,
                    details="Report saved for Ada Lovelace (MRN-1): /data/reports/000001/000001_report.pdf")
    bar.offer([("Open report", lambda: None), ("Save a copy\u2026", lambda: None)])
    QApplication.processEvents()
    assert bar.offered and all(button.height() <= bar.height() for button in bar.offered)
    assert (bar.height(), window.centralWidget().height()) == before
    assert bar.currentMessage() == "Report saved for Ada Lovelace (MRN-1)"
    assert "/data/reports/000001/000001_report.pdf" in bar.toolTip()
    assert bar.recent[-1][1].endswith("000001_report.pdf")  # View > Recent messages
    bar.clearMessage()
    QApplication.processEvents()
    assert (bar.height(), window.centralWidget().height()) == before
    window.close()


def test_settings_grow_with_the_camera_sources_rows(qtbot) -> None:  # noqa: ANN001
    """#4: opened with the demo source (one row), the dialog scrolled once Camera added its
    index and resolution rows, the data folder's note below the fold, on a screen with room."""
    from app.pages.settings_dialog import SettingsDialog
    from app.settings import Settings

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.source.currentData() != "camera"
    before = dialog.height()
    dialog.source.setCurrentIndex(dialog.source.findData("camera"))
    QApplication.processEvents()
    room = dialog.screen().availableGeometry()
    assert dialog.height() > before and dialog.frameGeometry().bottom() <= room.bottom()
    assert dialog.scroll.verticalScrollBar().maximum() == 0  # the groups whole, no scrolling
    dialog.source.setCurrentIndex(dialog.source.findData("demo"))
    QApplication.processEvents()
    assert dialog.height() >= before  # never shrunk under the user
    dialog.close()


@pytest.mark.parametrize("points", [None, 18])
def test_a_wrapped_check_box_lines_up_with_a_plain_one(qtbot, points: float | None) -> None:  # noqa: ANN001
    """#5: in Settings the wrapped "Mirror the live camera preview…" sat ~6 px below its box and
    1-2 px right of the plain "Auto-capture…" check box's text under it, with a wider gap."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QCheckBox, QFormLayout, QStyle, QStyleOptionButton, QWidget

    from app.widgets.wrapped_check import wrapped_check
    from tests.gui.conftest import app_font

    with app_font(points) if points else nullcontext():
        page = QWidget()
        qtbot.addWidget(page)
        form = QFormLayout(page)
        box, row = wrapped_check("Mirror the live camera preview (photos are never mirrored)")
        auto = QCheckBox("Auto-capture the peak-intensity frame")
        form.addRow("Source", QLabel("Demo"))
        form.addRow("", row)
        form.addRow("", auto)
        page.resize(1200, 300)
        page.show()
        qtbot.waitExposed(page)
        for _ in range(3):  # the rows' heights follow their widths
            QApplication.processEvents()

        def at(widget: QWidget) -> QPoint:
            return widget.mapTo(page, QPoint(0, 0))

        style = auto.style()
        option = QStyleOptionButton()
        auto.initStyleOption(option)
        text_left = at(auto).x() + style.subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, auto).left()
        label = row.label
        assert at(label).x() + label.contentsRect().left() == text_left  # one column of words

        option = QStyleOptionButton()
        box.initStyleOption(option)
        indicator = style.subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        box_centre = at(box).y() + indicator.top() + indicator.height() / 2
        line = label.fontMetrics().height()
        first_line_centre = at(label).y() + label.contentsRect().top() + line / 2
        assert abs(first_line_centre - box_centre) <= 1  # the words beside their box, not below it
        # one line of words: the row no taller than its box or that line (no gap under it)
        assert row.height() <= max(line, box.height()) + max(0, round(line / 2 - indicator.height() / 2)) + 1
        assert at(auto).y() - (at(row).y() + row.height()) == form.verticalSpacing()
        page.close()
