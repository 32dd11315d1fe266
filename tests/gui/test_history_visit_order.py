"""The history page orders visits by their moment: an older release's import kept some times
with another offset than UTC, whose text sorts out of time order."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.pages.history import HistoryPage
from app.records_gateway import AssessmentInfo


def test_the_newest_visit_by_its_moment_comes_first(qtbot) -> None:
    early = AssessmentInfo(1, "TZ-1", "confirmed", "2026-11-20T10:00:00+05:00", confirmed_grade="II")  # 05:00 UTC
    late = AssessmentInfo(2, "TZ-1", "confirmed", "2026-11-20T06:00:00.000+00:00", confirmed_grade="III")
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("TZ-1", [early, late])
    assert [a.assessment_id for a in page.assessments] == [2, 1]
    assert page.table.item(0, 0).data(Qt.ItemDataRole.UserRole) == 2  # the row Open opens
