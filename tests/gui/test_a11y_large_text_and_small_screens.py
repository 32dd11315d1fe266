"""Large text and small screens (a6 #4, #3, #7, #9): the history's key to its grade markers
(● confirmed, ■ not confirmed) is whole at 150 % of a 1280x800 screen and at 18 pt (it was the
end of the plot's title, cut there); Settings' Browse… buttons say what they browse for, and its
long check boxes wrap at 18 pt instead of making the dialog scroll sideways; the window opens as
wide as its widest page where the screen has room."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QPushButton

from app.pages.history import HistoryPage
from app.settings import Settings
from app.widgets.page_stack import PageArea
from app.widgets.screen_fit import FRAME_ALLOWANCE, opening_size
from tests.gui.conftest import app_font
from tests.gui.gui_helpers import WAIT_MS
from tests.gui.layout_helpers import FakeScreen, shown_history


def _key_whole(page: HistoryPage) -> None:
    """The key's words, "confirmed" and "not confirmed", each drawn whole inside the grade plot,
    wherever they are (the title's end, cut, was the key)."""
    view = page.grade_plot
    seen = view.viewport().rect().adjusted(0, 0, 1, 1)  # what the plot shows (its items may be wider: cut)
    labels = [view.getPlotItem().titleLabel, *(label for _sample, label in getattr(page, "grade_legend", pg.LegendItem()).items)]
    whole = []
    for label in labels:
        text = view.mapFromScene(label.item.mapRectToScene(label.item.boundingRect())).boundingRect()
        if seen.contains(text) and label.isVisible():
            whole.append(label.text)
    assert any("not confirmed" in text for text in whole), whole
    assert any("confirmed" in text.replace("not confirmed", "") for text in whole), whole


@pytest.mark.parametrize("width, height", [(784, 490), (588, 368)])  # 1280x800 at 150 % and at 200 %
def test_the_grade_key_is_whole_on_a_scaled_1280x800_screen(qtbot, width: int, height: int) -> None:
    page = shown_history(qtbot, width, height)
    _key_whole(page)
    page.close()


def test_the_grade_key_is_whole_at_18_pt(qtbot) -> None:
    with app_font(18):
        page = shown_history(qtbot, 1177, 736)
        _key_whole(page)
        page.close()


def test_no_grades_no_key(qtbot) -> None:
    page = shown_history(qtbot, 1000, 650)
    page.show_history("Bob (MRN-2)", [])
    QApplication.processEvents()
    assert not page.grade_legend.isVisible()
    page.close()


def test_each_browse_button_names_its_field(qtbot) -> None:
    from app.pages.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    names = sorted(b.accessibleName() for b in dialog.findChildren(QPushButton) if b.text() == "Browse\u2026")
    assert names == ["Browse for the data folder", "Browse for the logo for reports", "Browse for the photo folder",
                     "Browse for the video file", "Browse for the weights file"]
    assert all(b.toolTip() == b.accessibleName() for b in dialog.findChildren(QPushButton) if b.text() == "Browse\u2026")


def test_settings_do_not_scroll_sideways_at_18_pt(qtbot) -> None:
    from app.pages.settings_dialog import SettingsDialog

    with app_font(18):
        dialog = SettingsDialog(Settings())
        qtbot.addWidget(dialog)
        room = dialog.screen().availableGeometry().width()
        need = dialog.scroll.widget().minimumSizeHint().width()
        assert dialog.width() >= min(need, int(room * 0.92))  # opened as wide as its groups where it can
        dialog.resize(1177, 700)  # as it opened on a 1280x800 screen
        dialog.show()
        qtbot.waitExposed(dialog)
        for _ in range(3):
            QApplication.processEvents()
        assert dialog.scroll.horizontalScrollBar().maximum() == 0
        assert dialog.mirror_parsing.accessibleName().startswith("Parse and grade each photo and its mirror")
        dialog.mirror_parsing.setChecked(False)
        dialog.close()


def test_the_window_opens_as_wide_as_its_widest_page_where_the_screen_has_room() -> None:
    small = FakeScreen(853, 533)
    assert opening_size(small, 1360, 860, at_least=QSize(834, 0)) == QSize(834, 490)  # was 784: scrolled sideways
    # no wider than the screen with the window's frame (the inside as wide as the room ran the frame off it)
    assert opening_size(small, 1360, 860, at_least=QSize(900, 0)) == QSize(853 - FRAME_ALLOWANCE.width(), 490)
    assert opening_size(FakeScreen(1920, 1040), 1360, 860, at_least=QSize(840, 0)) == QSize(1360, 860)
    assert opening_size(small, 1360, 860) == QSize(784, 490)  # the 92 % share where nothing needs more


def test_a_page_wider_than_its_view_says_so(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    page = QWidget()
    page.setMinimumWidth(900)
    area = PageArea(page)
    qtbot.addWidget(area)
    area.resize(600, 300)
    area.show()
    qtbot.waitExposed(area)
    with qtbot.waitSignal(area.too_narrow, timeout=2000):
        area.fit_page()


def test_the_window_grows_to_a_page_that_grew_unless_the_user_sized_it(qtbot, open_window) -> None:
    window = open_window()
    room = window.screen().availableGeometry().width() - (window.frameGeometry().width() - window.width())
    window.resize(room - 100, window.height())  # as if it had opened there
    window._opening_size = window.size()
    page = window.patients
    page.setMinimumWidth(room - 60)  # its content grew (the capture page's checks shown, say)
    qtbot.waitUntil(lambda: window.width() > room - 100, timeout=WAIT_MS)
    assert window.width() <= room  # never past the screen
    page.setMinimumWidth(0)
    window.resize(window.width() - 50, window.height())  # the user's own size
    chosen = window.width()
    page.setMinimumWidth(room)
    qtbot.wait(200)
    assert window.width() == chosen  # stays
