"""What the report says about its record: the assessment's number in the PDF's metadata and
on page 1, and what "confirmed by" means (a typed name, no digital signature)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from app.report.pdf import ReportContext, write_report

BODY = {"grade": "III", "probabilities": {"III": 0.7}, "affected_side": "left",
        "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}}}


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_the_assessment_number_is_in_the_metadata_and_on_page_one(tmp_path: Path) -> None:
    context = ReportContext(patient_id="MRN-42", clinician="Dr A. Example", confirmed_grade="III", assessment_id=42)
    path = write_report(tmp_path / "r.pdf", BODY, context)
    info = PdfReader(str(path)).metadata
    assert "assessment 42" in info.subject and "MRN-42" in info.subject
    assert "assessment 42" in info["/Keywords"]
    assert "Record assessment 42" in " ".join(PdfReader(str(path)).pages[0].extract_text().split())


def test_a_report_without_a_record_says_so(tmp_path: Path) -> None:
    path = write_report(tmp_path / "r.pdf", BODY, ReportContext(patient_id="P-1"))
    text = _text(path)
    assert "Record not stored" in text
    assert "Clinician (not confirmed)" in text
    assert "assessment" not in (PdfReader(str(path)).metadata.subject or "").replace("facial palsy assessment", "")
    assert "signature" not in text  # nobody confirmed it: nothing to explain


def test_confirmed_by_is_explained_as_a_typed_name_not_a_signature(tmp_path: Path) -> None:
    context = ReportContext(clinician="Dr A. Example", confirmed_grade="IV", assessment_id=7)
    text = _text(write_report(tmp_path / "r.pdf", BODY, context))
    assert "Confirmed by Dr A. Example: the name entered when confirming the grade in Palsy Grader, not a handwritten " \
           "or digital signature" in text
    assert "SHA-256 with assessment 7" in text and "palsy records verify FILE.pdf" in text
    assert "signed" not in text.lower()  # no claim of a signature
