"""Export the PDF report of a confirmed assessment (no Qt)."""

from __future__ import annotations

from pathlib import Path
from app.analysis import AnalysisResult
from app.records_gateway import AssessmentInfo, PatientInfo, RecordsGateway
from app.settings import Settings
from models.errors import InputError

STATEMENT = "This software supports, and does not replace, the clinician's judgement."


def export_report(
    gateway: RecordsGateway,
    assessment: AssessmentInfo,
    patient: PatientInfo,
    result: AnalysisResult,
    settings: Settings,
    history: list[AssessmentInfo],
    out: Path | None = None,
) -> Path:
    """Write the report PDF (into the records folder unless `out` is given); returns its path."""
    if assessment.status != "confirmed" or not assessment.confirmed_grade:
        raise InputError("the assessment has no confirmed grade; confirm or override it before exporting a report")
    pdf = _simple_pdf(assessment, patient, result, settings)
    if out is not None:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
        return path
    saver = getattr(gateway, "save_report", None)
    if callable(saver):
        return Path(saver(assessment.assessment_id, pdf))
    path = gateway.report_path(assessment.assessment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path


def _simple_pdf(assessment: AssessmentInfo, patient: PatientInfo, result: AnalysisResult, settings: Settings) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    y = A4[1] - 60
    for line in (
        settings.clinic.clinic_name or "Palsy Grader",
        f"Patient: {patient.name} ({patient.patient_id})",
        f"Clinician: {assessment.clinician}",
        f"Confirmed grade: {assessment.confirmed_grade}   Model grade: {result.grade}",
        "Probabilities: " + ", ".join(f"{g} {p:.2f}" for g, p in result.probabilities.items()),
        f"Notes: {assessment.notes}",
        f"Model: {result.model.get('name', '')} sha256 {result.model.get('sha256', '')[:16]}",
        STATEMENT,
    ):
        c.drawString(50, y, line)
        y -= 20
    c.showPage()
    c.save()
    return buffer.getvalue()
