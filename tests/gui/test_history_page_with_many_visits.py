"""The history page of a patient with many visits: a refill holds exactly the new patient's rows
and measures the date column once, not once per row (0.8 s for 500 visits); the grade markers
are drawn from one picture per style; markers shrink above DENSE_VISITS (at 500 visits they
merged into a band)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

import app.pages.history as history
from app.pages.history import HistoryPage
from app.pages.history_logic import DENSE_VISITS, marker_size
from app.records_gateway import AssessmentInfo

RESULT = {"grade": "III", "measured": {"function_percent": 60.0, "regions": {"brow": {"percent": 50.0}}}}


def _visits(patient_id: str, count: int, first_id: int = 1) -> list[AssessmentInfo]:
    return [AssessmentInfo(first_id + i, patient_id, "confirmed" if i % 2 else "analysed",
                           f"20{10 + i // 300:02d}-{1 + i // 28 % 10:02d}-{1 + i % 28:02d}T09:00:00+00:00",
                           model_grade="III", confirmed_grade="II" if i % 2 else None, result=RESULT)
            for i in range(count)]


class CountingTable(QTableWidget):
    """The page's table, counting how often the header asks for the date column's width."""

    measured = 0

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 - Qt's name
        CountingTable.measured += 1
        return super().sizeHintForColumn(column)


def test_a_refill_holds_exactly_the_new_patients_rows(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Many (MANY)", _visits("MANY", 40))
    few = _visits("FEW", 3, first_id=100)
    page.show_history("Few (FEW)", few)
    table = page.table
    shown = [table.item(row, col).data(Qt.ItemDataRole.UserRole) for row in range(table.rowCount())
             for col in range(table.columnCount())]
    assert table.rowCount() == 3 and sorted(set(shown)) == [100, 101, 102] and len(shown) == 3 * table.columnCount()
    assert page.selected_visit().assessment_id == 102  # the newest, selected


def test_a_refill_measures_the_date_column_once_not_per_row(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "QTableWidget", CountingTable)
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    visits = _visits("MANY", 120)
    page.show_history("Many (MANY)", visits)
    qtbot.wait(1)
    CountingTable.measured = 0
    page.show_history("Many (MANY)", visits)
    qtbot.wait(1)
    assert CountingTable.measured <= 3


def test_grade_markers_are_drawn_from_one_picture_per_style(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Many (MANY)", _visits("MANY", 80))
    points = page.grade_plot.listDataItems()[0]
    assert len(points.scatter.fragmentAtlas) == 2  # confirmed and not: not one picture per visit


def test_markers_shrink_above_dense_visits(qtbot) -> None:
    assert marker_size(DENSE_VISITS, 11) == 11 and marker_size(DENSE_VISITS + 1, 11) < 11
    assert marker_size(DENSE_VISITS + 1, 9) >= 4
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Few (FEW)", _visits("FEW", 5))
    assert page.grade_plot.listDataItems()[0].opts["symbolSize"] == 11
    page.show_history("Many (MANY)", _visits("MANY", DENSE_VISITS + 10))
    assert page.grade_plot.listDataItems()[0].opts["symbolSize"] == marker_size(DENSE_VISITS + 10, 11) < 11
    assert all(item.opts["symbolSize"] < 9 for item in page.function_plot.listDataItems())
