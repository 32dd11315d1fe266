"""The history's charts (audit s15/v2 #6 and #13): with nothing to plot they say so in their
middle and show no dates (they drew empty axes with day ticks, some in the future, and a
history of one draft said nothing); a draft-only history says what the draft lacks under the
visits; and the grade chart's legend markers sit level with their names when the function
chart's legend has two rows (they sat ~10 pixels lower)."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from app.pages.history import NO_FUNCTION, NO_GRADES, HistoryPage
from app.records_gateway import AssessmentInfo
from tests.gui.layout_helpers import shown_history

DRAFT = AssessmentInfo(1, "MRN-2", "draft", "2026-12-07T16:02:00+00:00")
GRADED_UNMEASURED = AssessmentInfo(2, "MRN-2", "confirmed", "2026-12-01T10:00:00+00:00", model_grade="II",
                                   confirmed_grade="II")


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _messages(page: HistoryPage) -> list[str]:
    """What each chart says in its middle ("" where it says nothing)."""
    return [message.textItem.toPlainText() if message.isVisible() else ""
            for message in (page.grade_message, page.function_message)]


def _centred(page: HistoryPage) -> None:
    for plot, message in ((page.grade_plot, page.grade_message), (page.function_plot, page.function_message)):
        view = plot.getPlotItem().getViewBox().sceneBoundingRect()
        shown = message.sceneBoundingRect()
        assert abs(shown.center().x() - view.center().x()) <= 2 and abs(shown.center().y() - view.center().y()) <= 2
        assert view.contains(shown)


def _tick_labels(page: HistoryPage) -> list[list[str]]:
    """The date labels each time axis draws (pyqtgraph measures them with a painter)."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        labels = []
        for plot in (page.grade_plot, page.function_plot):
            specs = plot.getAxis("bottom").generateDrawSpecs(painter)
            labels.append([text for _rect, _flags, text in specs[2]] if specs else [])
        return labels
    finally:
        painter.end()


def _page(qtbot, visits: list[AssessmentInfo]) -> HistoryPage:
    page = shown_history(qtbot, 1256, 600, visits=2, settles=1)  # a patient with plots first
    page.show_history("Jane Doe (MRN-2)", visits)
    _settle()
    return page


def test_no_visits_say_so_in_each_chart_without_dates(qtbot) -> None:
    page = _page(qtbot, [])
    try:
        assert _messages(page) == [NO_GRADES, NO_GRADES] == ["No graded visits yet"] * 2
        _centred(page)
        assert _tick_labels(page) == [[], []]  # "24 25 … Dec 02 … 07" before
        assert page.empty.text() == "No assessments yet."
        font = page.font()
        font.setPointSizeF(15)
        page.setFont(font)  # a larger text size: the messages follow it, as the axes do
        _settle()
        assert {message.textItem.font().pointSizeF() for message in (page.grade_message, page.function_message)} == {15}
        _centred(page)
    finally:
        page.close()


def test_a_draft_only_history_says_it_has_no_grade_yet(qtbot) -> None:
    page = _page(qtbot, [DRAFT])
    try:
        assert _messages(page) == ["1 unfinished assessment: no grade yet"] * 2
        _centred(page)
        assert _tick_labels(page) == [[], []]  # the axis ran a week past the draft's day
        assert page.empty.isVisible()
        assert page.empty.text() == "1 unfinished assessment: no grade yet. Resume or discard it on the patients page."
        # the two time axes still line up (22 pixels apart: the hidden grade key kept its band)
        grade_axis, function_axis = (plot.getAxis("bottom") for plot in (page.grade_plot, page.function_plot))
        assert abs(grade_axis.sceneBoundingRect().top() - function_axis.sceneBoundingRect().top()) <= 1
    finally:
        page.close()


def test_plotted_visits_hide_the_messages_and_show_dates_again(qtbot) -> None:
    page = _page(qtbot, [DRAFT])
    try:
        page.show_history("Jane Doe (MRN-2)", [GRADED_UNMEASURED, DRAFT])
        _settle()
        # a grade but no measured function: the function chart says that, both show dates
        assert _messages(page) == ["", NO_FUNCTION]
        assert all(labels for labels in _tick_labels(page))
        assert not page.empty.isVisible()
    finally:
        page.close()


def test_the_grade_legend_markers_sit_level_with_their_names(qtbot) -> None:
    page = shown_history(qtbot, 1366, 700, visits=5)  # every region: two rows of three
    try:
        assert page.legend.isVisible() and page.legend.rowCount == 2
        assert page.grade_legend.isVisible() and page.grade_legend.columnCount == 2  # one row
        for legend in (page.grade_legend, page.legend):
            for sample, label in legend.items:
                marker = sample.sceneBoundingRect().center().y()
                name = label.item.sceneBoundingRect().center().y()
                assert abs(marker - name) <= 2, (label.text, marker, name)  # 11 pixels apart
    finally:
        page.close()
