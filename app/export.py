"""Export the PDF report of a confirmed assessment (no Qt).

The report itself is the pipeline's (`app.report`): overlays, the HB table, history, model
checksum and the decision-support statement. The PDF is then kept by the records store
(atomic, checksummed) beside the assessment.

The overlays and photos the PDF is made of are rendered in a private staging folder inside
the data folder (`DATA/tmp/.palsy-partial-*`, 0700), never in the system's temp folder: a
crash mid-render leaves patient images only where the records already are, and the next
export removes such leftovers once they are an hour old (`app.report.outputs`' rule).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.analysis import AnalysisResult
from app.local_time import local_date, photo_days, photos_apart
from app.records.errors import StorageError
from app.records_gateway import AssessmentInfo, PatientInfo, RecordsGateway
from app.reopen import in_live_order
from app.settings import Settings
from models.errors import InputError

# DATA/tmp/: where reports are rendered (unknown to `palsy records check`, which looks at
# photos/ and reports/ only).
STAGING_DIR = "tmp"


def report_context(assessment: AssessmentInfo, patient: PatientInfo, settings: Settings, history: list[AssessmentInfo]):  # noqa: ANN201
    """The ReportContext: clinic, patient, clinician, confirmed grade, notes, grade history, and
    the photos' date (dated by the draft's start, a report of photos taken later misdated them)."""
    from app.pages.history_logic import visit_order
    from app.report.charts import HistoryPoint
    from app.report.pdf import ReportContext

    points = []
    this_visit = visit_order(assessment)  # by the moment: an older import kept '10:00+05:00'
    for past in sorted(history, key=visit_order):
        # The clinician's grades up to this visit: a network grade nobody confirmed is not a
        # grade of the record, and a report dated today says nothing of later visits.
        if past.status != "confirmed" or not past.confirmed_grade or visit_order(past) > this_visit:
            continue
        measured = (past.result or {}).get("measured") or {}
        # the stored timestamp: the report's table shows its local minute, so two visits of a day differ
        points.append(HistoryPoint(past.created, past.confirmed_grade, measured.get("function_percent")))
    times = list(assessment.captured_at.values())
    days = photo_days(times)
    return ReportContext(
        clinic_name=settings.clinic.clinic_name or "Palsy Grader",
        clinic_logo=settings.clinic.logo_path or None,
        patient_id=patient.patient_id,
        patient_name=patient.name,
        date_of_birth=patient.birth_date,
        sex=patient.sex,
        clinician=assessment.clinician,
        assessment_date=local_date(assessment.created),
        photo_days=days,
        photos_apart=photos_apart(times),
        confirmed_grade=assessment.confirmed_grade,
        notes=assessment.notes,
        history=points,
        registered_side=patient.affected_side,
        assessment_id=assessment.assessment_id,
    )


def render_pdf(assessment: AssessmentInfo, patient: PatientInfo, result: AnalysisResult, settings: Settings,
               history: list[AssessmentInfo], data_folder: Path | None = None) -> bytes:
    """The report as PDF bytes (pure: safe on a worker thread), rendered in `data_folder`'s
    private staging folder (`staging_folder`); without one (tests, tools), in a private
    system temp folder."""
    if assessment.status != "confirmed" or not assessment.confirmed_grade:
        raise InputError("the assessment has no confirmed grade; confirm or override it before exporting a report")
    from app.report.outputs import report_images, write_outputs, write_overlays
    from app.report.pdf import write_report

    # the report's "not for diagnosis" box follows the model record of the body it prints (live
    # or stored): the weights that made these numbers
    context = report_context(assessment, patient, settings, history)
    try:
        with staging_folder(data_folder) as folder:
            if result.raw is not None:
                path = write_outputs(result.raw, folder, context).report_pdf
            else:  # reopened from the store: the stored assessment.json, the overlays recomputed from the stored photos
                recomputed = {name: e for name, e in result.expressions.items() if e.attention}
                (folder / "overlays").mkdir()
                images: dict = {name: {"photo": photo} for name, photo in assessment.captures.items()}
                images.update(report_images(write_overlays(recomputed, folder), folder))
                path = write_report(folder / "report.pdf", in_live_order(assessment.result), context, images)
            return path.read_bytes()
    except OSError as exc:  # a full disk mid-render said only "OSError: [Errno 28] No space left on device"
        raise render_storage_error(exc, data_folder) from exc


def render_storage_error(exc: OSError, data_folder: Path | None) -> StorageError:
    """The store's clear error for a report render that could not write its staging folder: what
    happened, that the records are untouched, and what to do before exporting again."""
    from app.records.errors import NOTHING_LOST, full_or_read_only_error, storage_error_from_os

    where = Path(data_folder) / STAGING_DIR if data_folder is not None else Path(tempfile.gettempdir())
    error = full_or_read_only_error(
        exc, f"cannot write the report in {where}", str(where), NOTHING_LOST,
        full_hint="Free some disk space and export the report again.",
        read_only_hint="Check the data folder's permissions (or set PALSY_HOME to a writable folder) and export again.",
    )
    return error or storage_error_from_os(exc, "write the report in", where)


@contextmanager
def staging_folder(data_folder: Path | None) -> Iterator[Path]:
    """A private folder to render one report in, removed afterwards: DATA/tmp/.palsy-partial-*
    (0700), after removing the ones a crash left there over an hour ago; without a data
    folder, a private (0700) system temp folder."""
    if data_folder is None:
        with tempfile.TemporaryDirectory(prefix="palsy-report-") as tmp:
            yield Path(tmp)
        return
    from app.records.paths import ensure_private_dir
    from app.report.outputs import private_stage

    parent = ensure_private_dir(Path(data_folder) / STAGING_DIR)  # StorageError (with a hint) when it cannot
    with private_stage(parent, 0o700) as stage:
        yield stage


def store_report(gateway: RecordsGateway, assessment_id: int, pdf: bytes, expect: Any = None, patient: Any = None,
                 history: Any = None) -> Path:
    """Keep the PDF with the records (atomic and checksummed when the store offers it). With
    `expect` (the assessment the PDF was rendered from), `patient` (the PatientInfo it names)
    and `history` (the visits of its grade history), the store keeps it only while the records
    still hold them, checked in the same transaction (RecordStateError)."""
    saver = getattr(gateway, "save_report", None)
    if callable(saver):
        given = {k: v for k, v in (("expect", expect), ("patient", patient), ("history", history)) if v is not None}
        return Path(saver(assessment_id, pdf, **given))
    path = gateway.report_path(assessment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path
