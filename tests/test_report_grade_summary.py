"""The report's grade summary in the results screen's words (grade names, "probability"), when
the grade was confirmed, "page N of M", and the software that made it (auditor a3, F2, F4, F5)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

import app
from app.export import report_context
from app.pages.results_logic import grade_label
from app.records_gateway import AssessmentInfo, PatientInfo
from app.report.pdf import ReportContext, write_report
from app.settings import Settings

BODY = {
    "grade": "IV",
    "probabilities": {"III": 0.2, "IV": 0.29, "V": 0.25, "VI": 0.26},
    "affected_side": "left",
    "measured": {"grade": "IV", "function_percent": 29.0, "regions": {}},
    "expressions": {"rest": {"probabilities": {"IV": 0.29}, "quality": {"passed": True}}},
    "model": {"name": "compact.pt", "config": "compact"},
}


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def _report(tmp_path: Path, body: dict | None = None, **context: object) -> Path:
    return write_report(tmp_path / "r.pdf", body or BODY, ReportContext(**context))


def test_grades_are_named_and_the_probability_is_called_so(tmp_path: Path) -> None:
    text = " ".join(_pages(_report(tmp_path, clinician="Dr. Jane Roe", confirmed_grade="VI")))
    # the screen's words: "IV – moderately severe dysfunction (probability 29 %)"
    assert f"Network grade {grade_label('IV')} (probability 29 %)" in text
    assert f"Measured grade {grade_label('IV')} (29 % function by House's measure)" in text
    assert f"Confirmed grade {grade_label('VI')}, confirmed by Dr. Jane Roe" in text
    assert grade_label("VI") == "VI \u2013 total paralysis"  # one wording function, the screen's
    grade_section = text[text.index("Confirmed grade"):text.index("Measured regional function")]
    assert "IV (29 %)" not in grade_section  # a bare percent above "29 % function" read as a function


def test_the_confirmation_time_is_printed_in_local_time_with_its_zone(tmp_path: Path, in_time_zone) -> None:  # noqa: ANN001
    in_time_zone("Europe/Berlin")
    text = " ".join(_pages(_report(tmp_path, clinician="Dr. Jane Roe", confirmed_grade="VI", assessment_id=3,
                                   confirmed_at="2026-12-07T12:10:00+00:00")))
    assert "confirmed by Dr. Jane Roe on 2026-12-07 13:10 CET" in text  # the summary row
    assert "Confirmed by Dr. Jane Roe on 2026-12-07 13:10 CET: the name entered" in text  # the statement


def test_the_export_dates_the_confirmation_by_the_records_last_change(tmp_path: Path) -> None:
    visit = AssessmentInfo(1, "MRN-1", "confirmed", "2026-12-07T09:00:00+00:00", model_grade="IV", confirmed_grade="VI",
                           clinician="Dr. Jane Roe", updated="2026-12-07T12:10:00+00:00")
    assert report_context(visit, PatientInfo("MRN-1"), Settings(), [visit]).confirmed_at == "2026-12-07T12:10:00+00:00"
    draft = AssessmentInfo(2, "MRN-1", "analysed", "2026-12-07T09:00:00+00:00", updated="2026-12-07T12:10:00+00:00")
    assert report_context(draft, PatientInfo("MRN-1"), Settings(), [draft]).confirmed_at == ""


def test_pages_are_numbered_with_their_total(tmp_path: Path) -> None:
    notes = "\n".join(f"Line {i} of a long note." for i in range(150))  # two pages or more
    pages = _pages(_report(tmp_path, notes=notes))
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert text.endswith(f"page {n} of {len(pages)}"), text[-80:]  # still drawn last, after the footer


def test_the_software_version_is_on_the_report_and_in_its_properties(tmp_path: Path) -> None:
    path = _report(tmp_path)
    text = " ".join(_pages(path))
    assert f"Software Palsy Grader {app.__version__} (commit " in text
    assert PdfReader(str(path)).metadata["/Creator"] == f"Palsy Grader {app.version_text()}"


def test_a_record_analysed_by_another_version_names_both(tmp_path: Path) -> None:
    for body in ({**BODY, "app_version": "0.2.0 (commit 1234567)"},
                 {**BODY, "model": {**BODY["model"], "app_version": "0.2.0 (commit 1234567)"}}):
        text = " ".join(_pages(_report(tmp_path, body)))
        assert "analysed by Palsy Grader 0.2.0 (commit 1234567); this report printed by Palsy Grader " in text
