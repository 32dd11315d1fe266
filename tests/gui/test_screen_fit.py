"""The window on small and scaled screens (a 1366×768 laptop at 125 % draws on 1093×614): the
pages scroll instead of pushing Confirm and Capture off the screen, the window opens within
the screen, headings follow the application font, charts are not Tab stops."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from app.widgets.fonts import HEADING, scale_font
from app.widgets.screen_fit import opening_size
from models.labels import GRADES
from tests.gui.conftest import app_font
from tests.gui.layout_helpers import FakeScreen


def test_the_window_opens_within_the_screen() -> None:
    assert opening_size(FakeScreen(1093, 614), 1360, 860) == QSize(1005, 564)  # 1366×768 at 125 %
    assert opening_size(FakeScreen(2560, 1400), 1360, 860) == QSize(1360, 860)
    assert opening_size(None, 1360, 860) == QSize(1360, 860)


def test_pages_scroll_so_the_window_fits_a_small_screen(qtbot, open_window) -> None:
    # the window's minimum height was the tallest page's (726, 790 after Confirm): taller than
    # 614, with Confirm, Export and Capture off the bottom and nothing to scroll
    window = open_window()
    assert window.minimumSizeHint().height() < 600
    for page in (window.patients, window.capture, window.results, window.history):
        assert isinstance(page.parent().parent(), QScrollArea)  # the page sits in a scroll area's viewport
    window.stack.setCurrentWidget(window.results)
    assert window.stack.currentWidget() is window.results  # callers still compare pages
    assert window.stack.indexOf(window.results) == window.stack.currentIndex()
    assert window.stack.widget(window.stack.currentIndex()) is window.results


@pytest.fixture
def font_14pt() -> Iterator[None]:
    """The application font at 14 pt (a clinic's large system font), put back after."""
    with app_font(14):
        yield


def test_headings_follow_the_application_font(qtbot, font_14pt) -> None:
    # they were 18 px: smaller than the body text under a 14 pt system font
    label = QLabel("Results")
    qtbot.addWidget(label)
    scale_font(label, HEADING, bold=True)
    assert label.font().pointSizeF() == 14 * HEADING and label.font().bold()


def test_the_results_charts_are_not_tab_stops(qtbot, open_window) -> None:
    # Tab stopped on the overlay and the probability chart with no focus mark; the overlay is
    # one now, framed when focused, for its zoom keys (test_results_photo_by_keyboard_and_heat_key)
    from PySide6.QtCore import Qt

    window = open_window()
    assert window.results.chart.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert window.patients.search.accessibleName() and window.results.regions.accessibleName()


def test_a_page_fills_the_view_or_scrolls_at_its_minimum(qtbot) -> None:
    # QScrollArea's own resizing gave a page with wrapped labels its preferred height: the
    # results page scrolled on a 1400×880 window with room for its minimum
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from app.widgets.page_stack import PageArea

    page = QWidget()
    layout = QVBoxLayout(page)
    label = QLabel("a long wrapped line " * 20)
    label.setWordWrap(True)
    layout.addWidget(label)
    page.setMinimumSize(300, 200)
    area = PageArea(page)
    qtbot.addWidget(area)
    area.resize(800, 600)
    area.show()
    qtbot.waitExposed(area)
    assert page.size() == area.viewport().size()  # room for it: no scrolling
    area.resize(200, 150)
    qtbot.waitUntil(lambda: page.width() >= 300 and page.height() >= 200)
    assert area.verticalScrollBar().maximum() > 0  # smaller than its minimum: it scrolls


def test_step_names_fit_their_list_under_a_large_font(qtbot, font_14pt) -> None:
    # a fixed 150 px cut "Raise eyebr..." under a 14 pt font
    from app.pages.capture import THUMB, CapturePage
    from app.pages.instructions import TITLES

    page = CapturePage()
    qtbot.addWidget(page)
    longest = max(page.steps.fontMetrics().horizontalAdvance(t) for t in TITLES.values())
    assert page.steps.width() >= THUMB + longest + 40


def test_settings_path_fields_have_names_a_screen_reader_reads(qtbot) -> None:
    from app.pages.settings_dialog import SettingsDialog
    from app.settings import Settings

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    names = {w.accessibleName() for w in (dialog.weights, dialog.logo, dialog.data_folder, dialog.video, dialog.folder)}
    assert names == {"Weights file", "Logo for reports", "Data folder", "Video file", "Photo folder"}


def test_the_review_form_does_not_overlap_with_long_flags_on_a_small_window(
    qtbot, open_window
) -> None:
    # at 1366×768 (and smaller) Confirm and Export were drawn over the Notes box and the
    # confirmation line was cut: the page was sized from its minimum size hint, which does not
    # count the extra lines of word-wrapped flags at the width the page gets
    from PySide6.QtWidgets import QWidget

    from models.pipeline.assess import Flag
    from tests.gui.gui_helpers import analysed_assessment

    window = open_window()
    analysed_assessment(qtbot, window)
    page = window.results
    result = window.result
    long = " because the network and the measurement do not agree and the clinician must look closely" * 2
    result.flags = [*result.flags, Flag("low_confidence", "top probability 0.21 is below 0.5" + long),
                    Flag("grade_disagreement", "network grade II and measured grade IV differ" + long),
                    Flag("partial_measure", "the measured grade rests on the brow alone" + long),
                    Flag("failed_quality", "close_eyes: quality check(s) failed: centring, head_roll", "close_eyes")]
    page.show_result(result, "Ada Lovelace (MRN-1)", "analysed", clinician="Dr. Ana Physio")
    page.notes_edit.setPlainText("Override: brow weaker on the left at rest and on elevation.")
    page.grade_buttons.button(GRADES.index(page.result.grade)).click()  # flagged: none is ticked
    page.confirm_button.click()  # the confirmation line above the form, word-wrapped too
    assert page.decision_label.isVisible()
    review = page.clinician_edit.parentWidget()  # Confirm, Export and Back have their own row below
    area = page.body_area
    for size in ((1366, 768), (1005, 564)):
        window.resize(*size)
        qtbot.wait(50)
        QApplication.processEvents()
        kids = [w for w in review.findChildren(QWidget) if w.parentWidget() is review and w.isVisible()]
        assert len(kids) >= 6
        for i, first in enumerate(kids):
            for second in kids[i + 1:]:
                assert not first.geometry().intersects(second.geometry()), (size, first, second)
        for w in kids:
            need = w.heightForWidth(w.width()) if w.hasHeightForWidth() else w.sizeHint().height()
            need = min(max(need, w.minimumHeight()), w.maximumHeight())  # the Notes box has a fixed height
            assert w.height() >= need, (size, w, w.height(), need)
        assert area.geometry().bottom() < page.confirm_button.geometry().top()
        assert area.verticalScrollBar().maximum() > 0  # the form scrolls to the form, the buttons do not
        for button in (page.confirm_button, page.export_button, page.back_button):
            top_left = button.mapTo(window, button.rect().topLeft())
            assert window.rect().contains(QRect(top_left, button.size())), (size, button.text())


def test_a_page_area_is_no_tab_stop(qtbot) -> None:
    # Tab stopped on the scroll area, which draws no focus mark
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    from app.widgets.page_stack import PageArea

    area = PageArea(QWidget())
    qtbot.addWidget(area)
    assert area.focusPolicy() == Qt.FocusPolicy.NoFocus
