"""What the report's grade history holds (app/export.report_context; no Qt)."""

from __future__ import annotations

from app.export import report_context
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings


def _visit(aid: int, created: str, status: str, model: str, confirmed: str | None = None) -> AssessmentInfo:
    return AssessmentInfo(aid, "MRN-1", status, created, model_grade=model, confirmed_grade=confirmed,
                          result={"measured": {"function_percent": 40.0 + aid}})


def test_history_holds_the_confirmed_grades_up_to_the_reported_visit() -> None:
    visits = [
        _visit(1, "2024-01-10T09:00:00+00:00", "confirmed", "III", "IV"),
        _visit(2, "2024-02-10T09:00:00+00:00", "analysed", "I"),  # nobody confirmed the network's I
        _visit(3, "2024-03-10T09:00:00+00:00", "confirmed", "III", "III"),  # the visit reported
        _visit(4, "2024-03-10T09:00:00+00:00", "draft", "II"),
        _visit(5, "2024-04-10T09:00:00+00:00", "confirmed", "II", "II"),  # a later visit
    ]
    context = report_context(visits[2], PatientInfo("MRN-1"), Settings(), visits)
    assert [(p.grade, p.function_percent) for p in context.history] == [("IV", 41.0), ("III", 43.0)]
    # the first visit's report shows that visit alone
    assert [p.grade for p in report_context(visits[0], PatientInfo("MRN-1"), Settings(), visits).history] == ["IV"]
