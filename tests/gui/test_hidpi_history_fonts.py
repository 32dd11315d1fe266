"""The history page at a large font (15 pt): the month names were cut at the bottom ("Jun"
read "Iun"), the plots' titles and legend stayed at pyqtgraph's 11 and 9 pt beside 15 pt tick
labels, the visits' Date column read "2026-12-06 …" on a 1280-pixel screen, and the grade
axis's name ran past the axis's end."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QHeaderView

from app.pages.history import GRADE_AXIS_LABEL, GRADE_AXIS_SHORT, LEGEND_ROW, css_size
from models.labels import GRADES
from tests.gui.conftest import app_font
from tests.gui.layout_helpers import shown_history


def test_plot_text_follows_a_15_pt_font(qtbot, font_15pt) -> None:
    page = shown_history(qtbot, 1400, 880)
    line = QFontMetricsF(page.font()).height()
    for plot in (page.grade_plot, page.function_plot):
        item = plot.getPlotItem()
        bottom = item.getAxis("bottom")
        assert bottom.style["tickFont"].pointSizeF() == 15
        assert bottom.height() >= line  # the month names whole (18.6 pixels for a 23-pixel line)
        assert item.titleLabel.opts["size"] == "15pt"  # pyqtgraph's 11 pt
        assert item.layout.rowMinimumHeight(0) >= line  # the title's row holds its line
    assert page.legend.opts["labelTextSize"] == "12.75pt"  # a size smaller than the text, not 9 pt
    assert all(label.opts["size"] == "12.75pt" for _sample, label in page.legend.items)
    assert page.grade_plot.getAxis("left").labelText == GRADE_AXIS_LABEL  # room for it here
    page.close()


def test_the_usual_font_keeps_pyqtgraphs_sizes(qtbot) -> None:
    page = shown_history(qtbot, 1400, 880)
    assert page.font().pointSizeF() <= 11
    assert page.grade_plot.getPlotItem().titleLabel.opts["size"] == "11pt"
    assert page.legend.opts["labelTextSize"] == "9pt"
    page.close()


def test_css_size_of_a_font_set_in_pixels() -> None:
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPixelSize(20)
    assert css_size(font) == "20px"
    assert css_size(font, 0.5, 9.0) == "12px"  # never below 9 pt


def test_the_visit_date_and_time_show_whole_on_a_1280_pixel_screen(qtbot, font_15pt) -> None:
    page = shown_history(qtbot, 1250, 560)
    header = page.table.horizontalHeader()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.ResizeToContents
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Stretch
    assert header.sectionSize(0) >= page.table.sizeHintForColumn(0)  # it was 177 of 188
    page.close()


def test_the_grade_axis_name_stays_on_its_axis(qtbot, font_15pt) -> None:
    page = shown_history(qtbot, 1250, 560)
    axis = page.grade_plot.getAxis("left")
    room = axis.geometry().height()
    assert QFontMetricsF(axis.label.font()).horizontalAdvance(GRADE_AXIS_LABEL) > room  # too low for the whole name
    assert axis.labelText == GRADE_AXIS_SHORT
    assert QFontMetricsF(axis.label.font()).horizontalAdvance(axis.labelText) <= room
    # each grade's name has its line: they ran together at 15 pt
    legend = page.function_plot.getPlotItem().layout.rowMinimumHeight(LEGEND_ROW)
    text = page.function_plot.fontMetrics().height()
    assert page.plots.minimumHeight() - legend >= (len(GRADES) + 4) * text  # and the title, axis and margins
    page.close()


def test_a_font_changed_while_the_page_is_open_resizes_its_plot_text(qtbot) -> None:
    page = shown_history(qtbot, 1400, 880)
    assert page.legend.opts["labelTextSize"] == "9pt"
    with app_font(15):
        QApplication.processEvents()
        assert page.grade_plot.getPlotItem().titleLabel.opts["size"] == "15pt"
        assert page.legend.opts["labelTextSize"] == "12.75pt"
        assert page.function_plot.getAxis("bottom").height() >= QFontMetricsF(QApplication.font()).height()
    page.close()
