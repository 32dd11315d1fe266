"""Audit 17 p1: a long-followed patient's history lines are drawn without antialiasing (ten
times cheaper at every repaint: 0.5-0.75 s at 220 visits), a few visits' lines with it; and the
start's model load names no weights for a result not shown without importing ReportLab (it
froze the just-shown window 0.6-1.3 s at every start)."""

from __future__ import annotations

import sys

from app.pages.history import HistoryPage
from app.pages.history_logic import SMOOTH_UP_TO
from app.records_gateway import AssessmentInfo

RESULT = {"grade": "III", "measured": {"function_percent": 60.0, "regions": {}}}


def _visits(n: int) -> list[AssessmentInfo]:
    return [AssessmentInfo(i + 1, "P-1", "confirmed", f"20{10 + i // 300:02d}-{1 + i // 25 % 12:02d}-{1 + i % 25:02d}"
                           "T09:00:00.000+00:00", model_grade="III", confirmed_grade="III", result=RESULT)
            for i in range(n)]


def _antialiased(page: HistoryPage) -> list[bool]:
    items = page.grade_plot.listDataItems() + page.function_plot.listDataItems()
    return [bool(item.opts["antialias"]) for item in items]


def test_long_histories_are_drawn_without_antialiasing(qtbot) -> None:  # noqa: ANN001
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("P (P-1)", _visits(5))
    assert _antialiased(page) == [True, True]  # the grade line, House's measure
    page.show_history("P (P-1)", _visits(SMOOTH_UP_TO + 1))
    assert _antialiased(page) == [False, False]


def test_the_starts_model_load_does_not_import_reportlab_for_no_result(open_window, monkeypatch) -> None:  # noqa: ANN001
    window = open_window()
    assert window.result is None
    monkeypatch.setitem(sys.modules, "app.report.model_cautions", None)  # importing it now raises ImportError
    window.show_graded_by()  # as `load_model` calls it at every start
