"""The history page, audit 17 (h1 #1, #2, #4, #9 and #8's title): an unfinished draft no longer
stretches the charts' time axis; the grade key names the grey square the network's grade; the
page selects the visit last opened from it (else the newest with results, not a draft on top)
and Open on a draft says where it is taken up; a wheel turn over a chart no longer zooms it
(no way back) but scrolls the page; a reopened visit's title gives its time as well as its
date (two visits of one day read alike)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from app.local_time import local_date, local_minute
from app.pages.history import GRADE_KEY, UNCONFIRMED_KEY, HistoryPage
from app.records import Store
from app.records_gateway import AssessmentInfo
from app.window_history import UNFINISHED

RESULT = {"grade": "III", "measured": {"function_percent": 60.0, "regions": {}}}


def _graded(number: int, month: int, confirmed: bool = True) -> AssessmentInfo:
    return AssessmentInfo(number, "P-1", "confirmed" if confirmed else "analysed", f"2024-{month:02d}-10T09:00:00.000+00:00",
                          model_grade="III", confirmed_grade="III" if confirmed else None, result=RESULT)


GRADED = [_graded(i + 1, i + 1) for i in range(6)]  # January to June 2024
DRAFT = AssessmentInfo(99, "P-1", "draft", "2026-12-07T20:00:00.000+00:00")  # begun today, no photo analysed


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _page(qtbot, visits: list[AssessmentInfo], width: int = 1366, height: int = 700) -> HistoryPage:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(width, height)
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Jane Doe (P-1)", visits)
    _settle()
    return page


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def test_a_draft_does_not_stretch_the_time_axis(qtbot) -> None:
    page = _page(qtbot, [*GRADED, DRAFT])
    for plot in (page.grade_plot, page.function_plot):  # linked: both
        lo, hi = plot.getViewBox().viewRange()[0]
        assert lo <= _stamp(GRADED[0].created) and hi >= _stamp(GRADED[-1].created)  # every graded visit shown
        assert hi < _stamp("2024-08-01T00:00:00+00:00")  # not out to the draft of 2026 (it ran to 2027)
    assert page.table.rowCount() == 7  # the draft is still listed


def test_a_history_of_drafts_only_keeps_an_axis_around_them(qtbot) -> None:
    page = _page(qtbot, [DRAFT])
    lo, hi = page.grade_plot.getViewBox().viewRange()[0]
    assert lo <= _stamp(DRAFT.created) <= hi


def test_the_grade_key_names_the_grey_square_the_networks_grade(qtbot) -> None:
    page = _page(qtbot, [*GRADED, _graded(7, 7, confirmed=False)], 1366, 768)
    names = [label.text for _sample, label in page.grade_legend.items]
    assert UNCONFIRMED_KEY in names and "network" in UNCONFIRMED_KEY
    assert "network" in GRADE_KEY and page.grade_plot.accessibleDescription() == GRADE_KEY
    # whole at 1366x768: each name inside the chart's width, the key under its axis
    chart = page.grade_plot.getPlotItem().sceneBoundingRect()
    for _sample, label in page.grade_legend.items:
        assert chart.contains(label.sceneBoundingRect()), label.text


def test_the_newest_visit_with_results_is_selected_not_a_draft(qtbot) -> None:
    page = _page(qtbot, [*GRADED, DRAFT])
    assert page.selected_visit().assessment_id == 6
    assert page.withdraw_button.isEnabled()  # the visit selected can be acted on
    page = _page(qtbot, [DRAFT])  # a draft only: that one
    assert page.selected_visit().assessment_id == 99


def test_returning_to_the_history_keeps_the_visit_last_opened(qtbot) -> None:
    page = _page(qtbot, [*GRADED, DRAFT])
    opened: list[int] = []
    page.open_requested.connect(opened.append)
    page.table.selectRow(5)  # the visit of February (under the draft and five newer)
    page.open_button.click()
    assert opened == [2]
    page.show_history("Jane Doe (P-1)", [*GRADED, DRAFT])  # back to it (Ctrl+H)
    assert page.selected_visit().assessment_id == 2
    page.show_history("Jane Doe (P-1)", [v for v in GRADED if v.assessment_id != 2])  # no longer listed
    assert page.selected_visit().assessment_id == 6
    page.show_history("Jane Doe (P-1)", [*GRADED, DRAFT])
    page.table.selectRow(0)  # the draft: Open leaves the place where it was
    page.open_button.click()
    assert opened[-1] == 99 and page.last_opened == 2


def _wheel(widget, notches: int = 4) -> None:
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    for _ in range(notches):
        event = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)
        QApplication.processEvents()


def test_the_wheel_over_a_chart_scrolls_the_page_and_leaves_the_chart_alone(qtbot) -> None:
    page = HistoryPage()
    area = QScrollArea()  # the window's pages scroll where the window is too small (PageStack)
    qtbot.addWidget(area)
    area.setWidget(page)
    page.setMinimumSize(1000, 1400)
    area.resize(1040, 600)
    area.show()
    qtbot.waitExposed(area)
    page.show_history("Jane Doe (P-1)", GRADED)
    _settle()
    for plot in (page.grade_plot, page.function_plot):
        area.verticalScrollBar().setValue(area.verticalScrollBar().maximum() // 2)
        before = plot.getViewBox().viewRange()
        scrolled = area.verticalScrollBar().value()
        _wheel(plot.viewport())
        assert plot.getViewBox().viewRange() == before  # grade axis and time axis as they were
        assert area.verticalScrollBar().value() > scrolled  # the page moved down
        assert plot.getViewBox().state["mouseEnabled"] == [False, False]  # nor dragged


def _visit(folder: Path, patient_id: str, status: str) -> int:
    """A visit of `patient_id` (registered on first use), written straight to the store; its number."""
    with Store.open(folder) as store:
        if not store.search_patients(patient_id):
            store.create_patient(patient_id, name="Mere Tane", actor="test")
        visit = store.start_assessment(patient_id, actor="test")
        if status != "draft":
            store.record_results(visit.id, {"grade": "III"}, model_grade="III")
        if status == "confirmed":
            store.confirm_grade(visit.id, "III", "Dr Kim")
        return visit.id


def test_the_reopened_visit_is_titled_with_its_time(qtbot, open_window, data_folder: Path) -> None:
    visit = _visit(data_folder, "MRN-7001", "confirmed")
    window = open_window()
    window.open_read_only(visit)
    created = window.gateway.assessment(visit).created
    title = window.results.title.full_text()
    assert f"visit of {local_minute(created)}" in title and local_minute(created) != local_date(created)


def test_history_in_the_window_keeps_its_place_and_a_drafts_open_says_where_to_go(qtbot, open_window,
                                                                                   data_folder: Path) -> None:
    first = _visit(data_folder, "MRN-7001", "confirmed")
    second = _visit(data_folder, "MRN-7001", "confirmed")
    draft = _visit(data_folder, "MRN-7001", "draft")
    window = open_window()
    window.show_history("MRN-7001")
    assert window.history.selected_visit().assessment_id == second  # not the draft on top
    window.history.table.selectRow([a.assessment_id for a in window.history.assessments].index(first))
    window.history.open_button.click()
    assert window.stack.currentWidget() is window.results and window.assessment_id == first
    window.history_action.trigger()  # Ctrl+H
    assert window.stack.currentWidget() is window.history
    assert window.history.selected_visit().assessment_id == first
    window.history.table.selectRow(0)
    assert window.history.selected_visit().assessment_id == draft
    window.history.open_button.click()
    assert window.stack.currentWidget() is window.history
    assert window.statusBar().currentMessage() == UNFINISHED
