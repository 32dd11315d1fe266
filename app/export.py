"""Export the PDF report of a confirmed assessment (no Qt).

The report itself is the pipeline's (`app.report`): overlays, the HB table, history, model
checksum and the decision-support statement. The PDF is then kept by the records store
(atomic, checksummed) beside the assessment.

The overlays and photos the PDF is made of are rendered in a private staging folder inside
the data folder (`DATA/tmp/.palsy-partial-*`, 0700), never in the system's temp folder: a
crash mid-render leaves patient images only where the records already are, and the next
export removes such leftovers once they are an hour old (`app.report.outputs`' rule).

A stored report is handed on as a copy the user places (`copy_report`), named for the patient
and the visit (`copy_name`): the stored file's name says only the assessment's number.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.analysis import AnalysisResult
from app.local_time import local_date, local_minute, photo_days, photos_apart
from app.records.errors import StorageError, storage_error_from_os
from app.records.files import atomic_write
from app.records.paths import is_inside
from app.records_gateway import AssessmentInfo, PatientInfo, RecordsGateway
from app.reopen import in_live_order
from app.settings import Settings
from models.errors import InputError

# DATA/tmp/: where reports are rendered (unknown to `palsy records check`, which looks at
# photos/ and reports/ only).
STAGING_DIR = "tmp"
# what Windows, macOS or Linux refuse in a file name ("/" in any, "\\" and ":" on Windows)
UNSAFE_IN_NAMES = re.compile(r'[<>:"/\\|?*]+')
# the UTF-8 bytes of the ID and of the name in a copy's file name: with the visit's date and time
# ("_2026-07-02_1000") and "_HB-report.pdf" at most 231 of the 255 bytes most file systems allow
MAX_ID_BYTES, MAX_NAME_BYTES = 80, 120


@dataclass(frozen=True)
class SavedReport:
    """A stored report and the name a copy of it is offered under."""

    assessment_id: int
    path: Path
    copy_name: str


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
        # the stored timestamp: the report's table shows its local minute, so two visits of a day
        # differ. A visit is dated by its start everywhere (history page, copy's name, every
        # report's history), so one visit never has two dates; the header names its photos' day
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
        # a confirmed visit's record changes only when its grade is confirmed (again): its last
        # change is when the printed grade was confirmed
        confirmed_at=assessment.updated if assessment.status == "confirmed" else "",
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


def unprinted_text(assessment: AssessmentInfo, patient: PatientInfo, settings: Settings,
                   history: list[AssessmentInfo]) -> str:
    """What the report could not print (a name in a script its fonts lack) or leaves to the
    PDF reader's Asian fonts, said with "Report saved"; "" when it printed every letter. Asked
    on the export's worker: it loads ReportLab and its fonts, which froze the window for
    0.1-0.6 s at the first export of a session."""
    from app.report.pdf import unprinted_warning

    return unprinted_warning(report_context(assessment, patient, settings, history))


def safe_name_part(text: str) -> str:
    """`text` fit for a file name on any system: the characters a system refuses and control and
    direction marks become one "-" (an ID "MRN/1002" named a folder), runs of spaces and tabs
    one space, and no leading dot hides the file."""
    spaced = " ".join(text.split())  # a tab or a line break between names: a space
    shown = "".join("-" if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in spaced)
    return re.sub(r"-{2,}", "-", UNSAFE_IN_NAMES.sub("-", shown)).strip("-. ")


def cut_to_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, at a character's end (a 200-letter name in
    Devanagari is 600 bytes, over any file system's limit)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore").rstrip("-. ")


def copy_name(assessment: AssessmentInfo, patient: PatientInfo) -> str:
    """"<ID>_<Name>_<visit date>_<HHMM>_HB-report.pdf": whose report of which visit, without
    opening it (the stored file is named by the assessment's number only). The visit is dated
    by its start, as on the history page and in every report's history, in local time to the
    minute: two visits of one day (copies saved in one folder) get two names, the second copy
    never offered over the first's."""
    parts = [cut_to_bytes(safe_name_part(patient.patient_id), MAX_ID_BYTES),
             cut_to_bytes(safe_name_part(patient.name), MAX_NAME_BYTES), visit_time_part(assessment.created)]
    return "_".join(part for part in parts if part) + "_HB-report.pdf"


_LOCAL_MINUTE = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d):(\d\d)")


def visit_time_part(created: str) -> str:
    """The visit's start in local time for a file name: "2026-07-02_1000" (no ":", which Windows
    and macOS refuse); a stored time that is no timestamp, made safe as it is."""
    minute = local_minute(created)
    found = _LOCAL_MINUTE.fullmatch(minute)
    return f"{found[1]}_{found[2]}{found[3]}" if found else safe_name_part(minute)


def saved_report(gateway: RecordsGateway, assessment: AssessmentInfo, patient: PatientInfo) -> SavedReport | None:
    """The newest stored report of `assessment` if it prints the records as they stand
    (`changed_since`), or None. Only the records store keeps reports; the in-memory gateway
    (tests, tools) has none."""
    newest = newest_report(gateway, assessment)
    if newest is None or changed_since(gateway, assessment):
        return None
    return SavedReport(assessment.assessment_id, newest[1], copy_name(assessment, patient))


def newest_report(gateway: RecordsGateway, assessment: AssessmentInfo) -> tuple[str, Path] | None:
    """(when it was saved, where it is) of the last report stored for a confirmed `assessment`,
    or None: an earlier one was rendered from the records before it."""
    if assessment.status != "confirmed":
        return None
    reports = gateway.saved_reports(assessment.assessment_id)
    return reports[-1] if reports else None


# What differs between two renders of one report: ReportLab writes the time of the render into
# the document's information (creation and modification dates) and the file ID it derives from it.
_RENDER_STAMPS = re.compile(rb"/(?:CreationDate|ModDate) \(D:[^)]*\)|/ID\s*\[<[0-9a-fA-F]*>\s*<[0-9a-fA-F]*>\]")


def same_but_for_render_time(pdf: bytes, other: bytes) -> bool:
    """Whether two PDFs are one report rendered twice: equal once their render times are left out."""
    return _RENDER_STAMPS.sub(b"", pdf) == _RENDER_STAMPS.sub(b"", other)


def unchanged_report(gateway: RecordsGateway, assessment: AssessmentInfo, pdf: bytes) -> Path | None:
    """The newest saved report of `assessment` when `pdf` is that report rendered again (only the
    render time differs: nothing printed changed, nor the clinic's header) and the records still
    print it (`changed_since`); None otherwise. Exporting a visit again to print it once more
    then keeps no second copy: each copy stayed with the records, and in every backup and
    export, for good (0.2-0.9 MB each)."""
    newest = newest_report(gateway, assessment)
    if newest is None or changed_since(gateway, assessment):
        return None
    try:
        stored = newest[1].read_bytes()
    except OSError:  # missing or unreadable: the new one is kept (`records check` tells of the other)
        return None
    return newest[1] if same_but_for_render_time(stored, pdf) else None


# What a report prints of the patient (`report_context`; the ID never changes) and of an earlier
# visit (its grade while confirmed): their notes, or an earlier visit's clinician, are not printed.
PRINTED_PATIENT_FIELDS = ("name", "birth_date", "sex", "affected_side")
PRINTED_HISTORY_FIELDS = ("confirmed_grade", "status")
THIS_VISIT, PATIENT, EARLIER = ("this visit's grade, clinician or notes", "the patient's details",
                                "an earlier visit confirmed or marked entered in error")


def changed_since(gateway: RecordsGateway, assessment: AssessmentInfo) -> list[str]:
    """What the records changed since the newest report of `assessment` was saved, of what it
    prints (`report_context`): the visit's decision, the patient's details, and the grade
    history (an earlier visit confirmed, given another grade or marked entered in error). The
    export refuses to keep a report rendered before such a change; one kept before it is as out
    of date. Judged by the audit trail's fields, not the rows' times: a note added to the
    patient or an earlier visit changes nothing printed."""
    from app.pages.history_logic import visit_order

    changes = gateway.changes_since_report(assessment.assessment_id, assessment.patient_id)
    if not changes:
        return []  # the usual case, asked on each page change: one query
    this_visit = visit_order(assessment)
    earlier = {str(visit.assessment_id) for visit in gateway.graded_visits(assessment.patient_id)
               if visit.assessment_id != assessment.assessment_id and visit_order(visit) <= this_visit}
    found = {PATIENT for change in changes if change.entity == "patient" and change.field in PRINTED_PATIENT_FIELDS}
    for change in (change for change in changes if change.entity == "assessment"):
        if change.entity_id == str(assessment.assessment_id):
            found.add(THIS_VISIT)
        elif change.entity_id in earlier and change.field in PRINTED_HISTORY_FIELDS:
            found.add(EARLIER)
    return [what for what in (THIS_VISIT, PATIENT, EARLIER) if what in found]


def outdated_report_text(gateway: RecordsGateway, assessment: AssessmentInfo) -> str:
    """Why the visit's saved report is not offered, for the user who asked for it; "" when it
    has none (or it is current)."""
    changed = changed_since(gateway, assessment) if newest_report(gateway, assessment) else []
    if not changed:
        return ""
    return f"The saved report predates a change to the records ({'; '.join(changed)}): export it again (Ctrl+E)"


def copy_target(chosen: Path) -> Path:
    """The file a copy is written to: `chosen` with ".pdf" added when it does not end so (a
    name typed without it in a dialog that does not add it was a file no viewer opened)."""
    return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")


def copy_report(original: Path, target: Path, data_folder: Path) -> None:
    """Write a copy of the stored report at `target` (atomically: a full disk leaves no half
    PDF under the name). Refused inside the data folder, where it would overwrite the stored
    original or lie among the records as a file no row names. The copy is byte for byte the
    original: `palsy records verify` recognises it by its sha256. Its permissions are any
    program's file's (`atomic_write`'s `private=False`), not the records' owner-only ones: it is
    handed on."""
    folder = Path(data_folder).resolve()
    place = Path(target).resolve()
    if is_inside(folder, place):
        raise InputError(f"a copy of the report cannot be saved in the data folder ({folder}), which keeps the "
                         "original; choose another folder.")
    try:
        data = Path(original).read_bytes()
    except OSError as exc:
        raise storage_error_from_os(exc, "read the stored report", original) from exc
    try:
        atomic_write(place, data, private=False)
    except StorageError as exc:  # said of the folder the user chose, not of the data folder
        if not isinstance(exc.__cause__, OSError):
            raise
        raise storage_error_from_os(exc.__cause__, "save a copy of the report as", place, destination=True) from exc
