"""The history page after the layout review: the legend goes back to three a row when the
window widens again, the visits' table starts with 40 % of the splitter, the two time axes line
up, and a patient without function series leaves no legend band nor the last one's minimum."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.pages.history import VISITS_SHARE, HistoryPage
from tests.gui.layout_helpers import shown_history


def _page(qtbot, width: int = 1366, height: int = 640) -> HistoryPage:
    return shown_history(qtbot, width, height, visits=41, settles=1)


def _resize(page: HistoryPage, width: int, height: int = 640) -> None:
    page.resize(width, height)
    QApplication.processEvents()
    QApplication.processEvents()


def test_the_legend_goes_back_to_three_a_row_when_the_window_widens_again(qtbot) -> None:
    page = _page(qtbot)
    assert page.legend.columnCount == 3
    _resize(page, 966)
    assert page.legend.columnCount == 2  # narrower: two a row, not one (one at 966 before)
    _resize(page, 900)
    assert page.legend.columnCount >= 2
    _resize(page, 1366)
    assert page.legend.columnCount == 3  # it stayed at one column
    page.close()


def test_the_visits_start_with_their_share_of_the_real_height(qtbot) -> None:
    page = _page(qtbot, 1000, 715)
    top, bottom = page.splitter.sizes()
    assert abs(top / (top + bottom) - VISITS_SHARE / 100) < 0.02  # it was 56 %
    _resize(page, 1000, 900)  # still the share after a resize, until the user moves the line
    top, bottom = page.splitter.sizes()
    assert abs(top / (top + bottom) - VISITS_SHARE / 100) < 0.02
    _resize(page, 1000, 600)  # lower: six visits still show where the share gives fewer
    assert page.table.viewport().height() >= 6 * page.table.rowHeight(0)
    page.splitter.moveSplitter(150, 1)  # the user's line stays
    _resize(page, 1000, 715)
    assert page.splitter.sizes()[0] != round(sum(page.splitter.sizes()) * VISITS_SHARE / 100)
    page.close()


def test_the_function_plot_keeps_the_height_its_lines_had_before(qtbot) -> None:
    """The page's height in a 1024x768 window: 0-100 % had 267 pixels with the legend in the
    plot; 90 with the share set before show, 236 with 40 %."""
    page = _page(qtbot, 1000, 715)
    view = page.function_plot.getPlotItem().vb
    low, high = view.viewRange()[1]
    assert view.height() * 100 / (high - low) >= 260
    assert page.table.viewport().height() >= 6 * page.table.rowHeight(0)  # and more visits than 2-5
    page.close()


def test_the_two_time_axes_line_up(qtbot) -> None:
    page = _page(qtbot, 1000, 650)
    for width in (1000, 1366):
        _resize(page, width, 650)
        grade_axis, function_axis = (plot.getAxis("bottom") for plot in (page.grade_plot, page.function_plot))
        grade_y = grade_axis.mapToScene(0, 0).y() + page.grade_plot.y()
        function_y = function_axis.mapToScene(0, 0).y() + page.function_plot.y()
        assert abs(grade_y - function_y) <= 1, width  # 60 pixels apart
        assert abs(grade_axis.height() - function_axis.height()) <= 1
    page.close()


def test_no_function_series_leaves_no_legend_band_nor_the_last_minimum(qtbot) -> None:
    page = _page(qtbot, 1000, 650)
    with_legend = page.plots.minimumHeight()
    view_before = page.function_plot.getPlotItem().vb.height()
    page.show_history("Bob (MRN-2)", [])  # no visits: no series
    QApplication.processEvents()
    QApplication.processEvents()
    assert not page.legend.isVisible()
    assert page.plots.minimumHeight() < with_legend  # the previous patient's legend rows went
    item = page.function_plot.getPlotItem()
    assert item.layout.rowMinimumHeight(4) == 0 and item.layout.rowMaximumHeight(4) == 0  # no 18-pixel band
    assert page.function_plot.getPlotItem().vb.height() > view_before
    page.close()
