"""One name per thing: the capture steps, the results page and the report name each
expression alike, and a blank patient field reads "not recorded" on paper as in the form."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from app.pages.instructions import TITLES
from app.report.pdf import ReportContext, write_report
from models.labels import EXPRESSIONS
from models.pipeline.flag_wording import EXPRESSION_LABELS, expression_label

BODY = {"grade": "II", "probabilities": {"II": 0.8}, "affected_side": "left", "flags": [], "expressions": {}}


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_every_expression_has_one_title_on_screen_and_in_the_report() -> None:
    assert set(TITLES) == set(EXPRESSIONS)
    for name in EXPRESSIONS:
        assert TITLES[name] == expression_label(name) == EXPRESSION_LABELS[name]
    assert TITLES["open_mouth"] == "Open mouth"  # the capture step said "Open mouth / smile"


def test_blank_patient_fields_read_not_recorded_in_the_report(tmp_path: Path) -> None:
    context = ReportContext(assessment_date="2026-11-24", patient_id="P-1", patient_name="Ada")
    text = _text(write_report(tmp_path / "r.pdf", BODY, context))
    assert "Date of birth not recorded" in text and "Sex not recorded" in text
    context = ReportContext(assessment_date="2026-11-24", patient_id="P-1", patient_name="Ada",
                            date_of_birth="1970-01-02", sex="female")
    text = _text(write_report(tmp_path / "r2.pdf", BODY, context))
    assert "Date of birth 1970-01-02" in text and "Sex female" in text
