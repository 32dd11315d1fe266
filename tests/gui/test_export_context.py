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
    # the stored time, not its date alone: the report's history table shows each visit's local minute
    assert [p.date for p in context.history] == [visits[0].created, visits[2].created]
    # the first visit's report shows that visit alone
    assert [p.grade for p in report_context(visits[0], PatientInfo("MRN-1"), Settings(), visits).history] == ["IV"]


def test_history_orders_visits_by_their_moment_not_their_stored_text() -> None:
    # an older release's import kept '10:00+05:00' (05:00 UTC): as text it sorted after 07:36,
    # so the 07:36 visit's report left out the earlier visit and the 05:00 one listed the later
    early = _visit(1, "2026-12-06T10:00:00+05:00", "confirmed", "IV", "IV")
    late = _visit(2, "2026-12-06T07:36:00+00:00", "confirmed", "III", "III")
    assert [p.grade for p in report_context(late, PatientInfo("MRN-1"), Settings(), [early, late]).history] == ["IV", "III"]
    assert [p.grade for p in report_context(early, PatientInfo("MRN-1"), Settings(), [early, late]).history] == ["IV"]


def test_a_reopened_report_lists_the_regions_in_the_live_order(tmp_path) -> None:
    # the store keeps JSON with sorted keys: the re-exported table read Ala, Brow, Cheek, Commissure, Eye
    from pypdf import PdfReader

    from app.analysis import AnalysisResult
    from app.export import render_pdf
    from models.pipeline.measures import REGIONS

    regions = {spec.name: {"label": spec.name.replace("_", " "), "left": 0.1, "right": 0.2, "ratio": 0.5, "percent": 50.0}
               for spec in sorted(REGIONS, key=lambda spec: spec.name)}
    stored = {"grade": "III", "probabilities": {"III": 0.6}, "measured": {"grade": "III", "function_percent": 50.0,
                                                                          "regions": regions}}
    info = AssessmentInfo(1, "MRN-1", "confirmed", "2024-01-10T09:00:00+00:00", model_grade="III", confirmed_grade="III",
                          clinician="Dr", result=stored)
    result = AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, {}, {})
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_pdf(info, PatientInfo("MRN-1"), result, Settings(), [info]))
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    labels = [spec.name.replace("_", " ") for spec in REGIONS]
    assert sorted(labels) != labels  # the test can tell
    assert [text.index(label) for label in labels] == sorted(text.index(label) for label in labels)
