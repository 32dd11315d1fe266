"""Every page of a multi-page report carries the running header (clinic, patient ID and
name, date) and the footer's decision-support statement: a page printed or copied alone
still says whose it is and that it does not replace the clinician's judgement."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from reportlab.lib.units import mm

from app.report.pdf import DISCLAIMER, PAGE_H, ReportContext, write_report

BODY = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}},
}
PATIENT_ID = "PID-7731"
STATEMENT = "does not replace the clinician"
# Long notes push the report over several pages whose body names neither the patient nor
# the statement: only the running header and footer can.
NOTES = "\n".join(f"Observation {i}: the mouth corner lags on the smile." for i in range(150))


def _report(tmp_path: Path) -> Path:
    context = ReportContext(assessment_date="2026-11-24", patient_id=PATIENT_ID, patient_name="Jane Roe",
                            confirmed_grade="III", clinician="Dr X", notes=NOTES)
    return write_report(tmp_path / "r.pdf", BODY, context, None)


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_the_statement_is_worded_as_checked() -> None:
    assert STATEMENT in " ".join(DISCLAIMER.split())


def test_every_page_has_the_patient_id_and_the_statement(tmp_path: Path) -> None:
    pages = _pages(_report(tmp_path))
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        assert PATIENT_ID in text, f"page {number} lacks the patient ID"
        assert STATEMENT in text, f"page {number} lacks the decision-support statement"


def test_the_header_and_the_footer_sit_at_the_page_edges(tmp_path: Path) -> None:
    """The ID is drawn in the header band and the statement in the footer band of each page."""
    reader = PdfReader(str(_report(tmp_path)))
    for number, page in enumerate(reader.pages, 1):
        header: list[str] = []
        footer: list[str] = []

        def visit(text, cm, tm, font_dict, font_size, header=header, footer=footer):  # noqa: ANN001, ANN202
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            if y > PAGE_H - 14 * mm:
                header.append(text)
            elif y < 12 * mm:
                footer.append(text)

        page.extract_text(visitor_text=visit)
        assert PATIENT_ID in "".join(header), f"page {number}: no patient ID in the header"
        assert STATEMENT in " ".join(" ".join(footer).split()), f"page {number}: no statement in the footer"
