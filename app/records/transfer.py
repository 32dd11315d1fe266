"""Export and import of one patient's records as a folder, for moving between stations.

Folder layout (a contract for other stations):

    <dest>/<patient ID or pseudonym>/
        patient.json      format "palsy-patient-export", version 1: schema_version (the
                          records' RECORD_FIELDS_VERSION, migrations.py), exported_at,
                          deidentified, dates_shifted, patient, assessments (grades, results,
                          captures, reports, audit trail), sha256 of each file
        photos/*.png|jpg  captured photos as stored
        reports/*.pdf     PDF reports (not in de-identified exports)

Every row the export writes (the patient, its assessments, their photos, reports and audit
trails) is read in one read transaction before any file is copied, so a grade confirmed or an
assessment discarded while the export runs is exported either wholly before or wholly after
that change. A photo retaken while the export runs (its row replaced, the old file deleted) is
exported as the row names it when read, with that row's sha256. The export is written to a hidden `.NAME.partial-PID-XXXXXXXX-HOST` folder and renamed when
complete, so a half-written export never looks finished. Such a folder left by a killed export
is removed by the next export to the same destination: at once when this computer made it and
its process is gone, else once nothing was added to it for an hour, or for a day
(`recovery.staging_left_behind`: a younger one may be another computer's export into the same
shared folder).

Import refuses, before it touches the store: a manifest from a newer Palsy Grader, one whose
structure is not what export writes (an analysis result's included: `result_shape`), an
assessment not confirmed that lists a report (unless marked entered in error after confirmation), an assessment whose status, grades, clinician or
report differ from the last values of its own audit trail (`audit_agreement`), a patient
whose name, date of birth, sex or side differ from the last values of its own audit trail or
whose visits' trails name another patient ID (`patient_agreement`), times that are
not ISO date-times or lie in the future, and any listed file that is not a regular file (a pipe
would block the read), is larger than MAX_FILE_BYTES, does not match its sha256, or is not what
the store itself accepts (a photo must be PNG/JPEG named .png/.jpg/.jpeg and decode whole, as
the app reads it; a report a PDF named .pdf), and a patient ID this station already has (saying whether the
export is of that person or of another, `patient_identity`; nothing is merged). Files are read one at a time, never all at once. They are written (and
fsynced) into the data folder before the write transaction, named for the assessment numbers
the import will take, and then every row is recorded in one short transaction, so the app
and other programs can save while the files are copied (if another program takes one of
those numbers meanwhile, the files are written again for the next ones; after three such
tries, under the write lock). A file already at its place in the data folder (one whose
database was lost) is reused when identical and refused when not; a failed import removes
exactly the files it wrote, never one it reused. The
audit entries copied from the export keep their time and actor but their reason starts with
IMPORTED_MARK (this station did not see those changes happen), and a last entry "record
imported" names the export folder, its date and the sha256 of its patient.json.

De-identified export: the patient ID becomes a pseudonym; name, date of birth, every free-text
note and every audit reason are dropped; the patient's own audit entries (which hold old names)
are dropped, and of the assessments' only coded changes are kept (status, grades, clinician,
photo and report checksums); clinician and other staff names become STAFF-1, STAFF-2...
(program actors such as "model" stay); every date and time is moved back by one random number
of days (1-365) per export, so intervals are kept but calendar dates are not; the ID, each
word of the name and the date of birth are removed wherever they occur inside results;
reports are left out because the PDFs print name and date of birth. Photos are kept (the face
is the data). Photos given to the store as JPEG bytes keep whatever metadata the camera wrote.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.records import patient_identity, validate
from app.records.audit_agreement import reports_allowed, trail_disagreements
from app.records.errors import (
    ChecksumError,
    DuplicateRecordError,
    RecordNotFoundError,
    StorageError,
    storage_error_from_os,
)
from app.records.files import (
    atomic_write,
    fsync_dir,
    read_verified,
    remove_file,
    replace_file,
    sha256_bytes,
    sha256_file,
)
from app.records.imaging import PDF_MAGIC, check_photo_pixels, decode_image, image_format
from app.records.migrations import LATEST_VERSION, RECORD_FIELDS_VERSION
from app.records.paths import ensure_private_dir
from app.records.patient_agreement import patient_disagreements
from app.records.recovery import remove_abandoned_staging, staging_path_for
from app.records.result_shape import result_problem
from app.records.rows import STATUSES, Assessment, AuditEntry, Capture, Patient, Report
from app.records.store import Store, _audit
from app.records.store_patients import lookalike_twin
from models.errors import InputError
from models.folder_names import is_windows_device_name

log = logging.getLogger("palsy.records")
EXPORT_FORMAT = "palsy-patient-export"
EXPORT_VERSION = 1
MANIFEST = "patient.json"
# The largest photo, report or patient.json an import reads. The biggest frame the camera
# settings allow (4096 x 4096 RGBA) is 64 MiB even as an uncompressed PNG; reports are a few MB.
MAX_FILE_BYTES = 100 * 2**20
# Starts the reason of every audit entry an import copies: the change was recorded elsewhere.
IMPORTED_MARK = "[imported]"
_PHOTO_SUFFIXES = {"png": ("png",), "jpg": ("jpg", "jpeg")}
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Audit actors that are the program, not a person: kept in a de-identified export.
_PROGRAM_ACTORS = frozenset({"model", "import", "unknown"})
# Assessment fields whose audit values are codes (no free text, no names).
_CODED_FIELDS = frozenset({"status", "model_grade", "measured_grade", "confirmed_grade"})


def _safe_folder_name(text: str) -> str:
    """`text` as a folder name on every platform: letters, digits, '-', '_' and inner dots;
    a Windows device name (an ID "CON" or "COM1") gets a '_' so Windows makes a folder."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text).strip("._")
    if is_windows_device_name(cleaned):
        head, dot, tail = cleaned.partition(".")
        cleaned = f"{head}_{dot}{tail}"
    return cleaned or "patient"


def _audit_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at, "actor": entry.actor, "entity": entry.entity, "field": entry.field,
        "old_value": entry.old_value, "new_value": entry.new_value, "reason": entry.reason,
    }


# A word for de-identification: letters and digits with the combining accents (U+0300-U+036F)
# that decomposed text carries after its letters.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")


class _Redactor:
    """What a de-identified export changes (module docstring). Made without a patient, for a
    plain export, it passes every value through unchanged."""

    def __init__(self, patient: Patient | None = None, export_id: str = "") -> None:
        self.active = patient is not None
        self._shift = timedelta(days=secrets.randbelow(365) + 1)
        self._staff: dict[str, str] = {}
        self._identifiers: dict[str, str] = {}  # search_key(text) -> its replacement
        if patient is not None:
            self._identifiers[validate.search_key(patient.patient_id)] = export_id
            for term in validate.name_terms(patient.name) | validate.name_search_terms(patient.name):
                if len(term) > 1:  # single letters (initials) would cut every word they start
                    self._identifiers.setdefault(term, "")  # 'Élodie' and 'Elodie' alike
            if patient.birth_date:
                self._identifiers[patient.birth_date] = ""
        # Whole words only: letters or digits on neither side ('_' and '/' separate words), and no
        # combining accent after (the word pass below takes 'Zoe' + U+0308 whole).
        alternatives = "|".join(map(re.escape, sorted(self._identifiers, key=len, reverse=True)))
        self._pattern = re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_]|[\u0300-\u036f])", re.IGNORECASE) if alternatives else None
        # Then every word whose accent-free form is a name word: 'Zoë' for a name typed 'Zoe',
        # and decomposed text ('E' + U+0301, as macOS file names are) that the literal pass misses.
        self._name_words = {t for t in validate.name_search_terms(patient.name) if " " not in t and len(t) > 1} if patient else set()

    def text(self, value: Any) -> Any:
        """`value` (nested JSON) with the patient's ID, name words and birth date replaced."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            value = self._pattern.sub(lambda m: self._identifiers.get(validate.search_key(m.group(0)), ""), value)
            return _WORD.sub(lambda m: "" if self._is_name_word(m.group(0)) else m.group(0), value) if self._name_words else value
        if isinstance(value, dict):
            return {k: self.text(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.text(v) for v in value]
        return value

    def _is_name_word(self, word: str) -> bool:
        return validate.without_accents(validate.search_key(word)) in self._name_words

    def when(self, stamp: str | None) -> str | None:
        """A stored time, moved back by this export's shift (None when it cannot be read)."""
        if not self.active or stamp is None:
            return stamp
        try:
            return (datetime.fromisoformat(stamp) - self._shift).isoformat(timespec="milliseconds")
        except (ValueError, OverflowError):  # OverflowError: a time near year 1 (a reset clock)
            return None

    def person(self, name: str | None) -> str | None:
        """A staff name as STAFF-n (the same n for the same name within this export)."""
        if not self.active or not name or name in _PROGRAM_ACTORS:
            return name
        return self._staff.setdefault(name.strip().casefold(), f"STAFF-{len(self._staff) + 1}")

    def audit(self, entry: AuditEntry) -> dict[str, Any] | None:
        """An assessment's audit entry as exported; None when a de-identified export drops it
        (notes and any other field whose values may be free text)."""
        item = _audit_dict(entry)
        if not self.active:
            return item
        values = [entry.old_value, entry.new_value]
        if entry.entity == "assessment" and entry.field == "clinician":
            values = [self.person(v) for v in values]
        elif entry.entity == "assessment":
            if entry.field not in _CODED_FIELDS:
                return None
        else:  # photo and report entries: their values are sha256 checksums
            values = [v if v is None or _SHA256.fullmatch(v) else None for v in values]
        return {**item, "at": self.when(entry.at), "actor": self.person(entry.actor),
                "old_value": values[0], "new_value": values[1], "reason": ""}


def export_patient(
    store: Store,
    patient_id: str,
    dest: Path | str,
    *,
    deidentify: bool = False,
    pseudonym: str | None = None,
) -> Path:
    """Write one patient's records to a new folder under `dest`; return that folder.

    With `deidentify`, `pseudonym` (default: 'ANON-' + random hex) replaces the patient ID.
    Damaged photos stop the export with ChecksumError rather than being copied. Staging
    folders that earlier, killed exports left in `dest` are removed first.
    """
    patient, patient_trail, listing = _read_records(store, patient_id)
    export_id = validate.patient_id(pseudonym or f"ANON-{secrets.token_hex(4).upper()}") if deidentify else patient.patient_id
    redact = _Redactor(patient, export_id) if deidentify else _Redactor()
    dest_root = Path(dest).expanduser().resolve()
    final = dest_root / _safe_folder_name(export_id)
    remove_abandoned_staging(dest_root)
    if final.exists():
        raise DuplicateRecordError(f"{final} already exists; choose another destination folder.")
    staging = staging_path_for(final)
    made = _missing_folders(dest_root)  # removed again when the export fails: no empty folder is left
    try:
        dest_root.mkdir(mode=0o700, parents=True, exist_ok=True)  # an existing folder keeps its mode
        os.mkdir(staging, 0o700)  # a read-only destination fails here, named as the destination
    except OSError as exc:
        _remove_empty(made)
        raise storage_error_from_os(exc, "export to", dest_root, destination=True) from exc
    try:
        for folder in (staging / "photos", staging / "reports"):
            _write_export_file(folder, None, dest_root)
        assessments = [_export_assessment(store, listed, staging, redact) for listed in listing]
        patient_audit = [] if deidentify else [_audit_dict(e) for e in patient_trail]
        manifest = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            # each assessment's audit entries in the order they were written (earlier exports:
            # by time, which a stepped-back or skewed clock reorders)
            "audit_order": "written",
            "schema_version": RECORD_FIELDS_VERSION,  # not LATEST_VERSION: an index step changes no record
            "exported_at": redact.when(validate.now_iso()),  # shifted too: it would reveal the shift
            "deidentified": deidentify,
            "dates_shifted": deidentify,
            "patient": {
                "patient_id": export_id,
                "name": "" if deidentify else patient.name,
                "birth_date": None if deidentify else patient.birth_date,
                "sex": patient.sex,
                "affected_side": patient.affected_side,
                "notes": "" if deidentify else patient.notes,
                "created_at": redact.when(patient.created_at),
                "updated_at": redact.when(patient.updated_at),
                "audit": patient_audit,
            },
            "assessments": assessments,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, allow_nan=False)
        _write_export_file(staging / MANIFEST, text.encode("utf-8"), dest_root)
        replace_file(staging, final)
        fsync_dir(dest_root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(made)
        raise storage_error_from_os(exc, "export to", dest_root, destination=True) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(made)
        raise
    log.info("patient %s exported%s", export_id if deidentify else patient.patient_id,
             " (de-identified)" if deidentify else "")
    return final


@dataclass(frozen=True)
class _Listed:
    """One assessment's rows as the export's read transaction saw them (`_read_records`)."""

    assessment: Assessment
    captures: list[Capture]
    reports: list[Report]
    audit: list[AuditEntry]  # in the order they were written (the audit table's ids)


def _read_records(store: Store, patient_id: str) -> tuple[Patient, list[AuditEntry], list[_Listed]]:
    """The patient, its own audit trail and each assessment's rows, read in one read transaction.

    Read at different moments, a grade confirmed in the window meanwhile was exported as
    "analysed, no grade" beside an audit trail ending at the confirmation, and every other
    station refused that export as altered. The files are copied after this, outside it.
    """
    with store.db.read():
        patient = store.get_patient(patient_id)
        listing = [
            _Listed(a, store.captures(a.id), store.reports(a.id), _assessment_trail(store, a.id))
            for a in store.history(patient.patient_id, include_discarded=True)
        ]
        return patient, store.audit_trail("patient", patient.patient_id), listing


def _assessment_trail(store: Store, assessment_id: int) -> list[AuditEntry]:
    """The audit entries of an assessment, its photos and reports in the order they were
    written, which import and `records check` judge the row by: times can run backwards when
    a clock was stepped back or differs between the stations of one patient's record."""
    entries = (e for entity in ("assessment", "capture", "report") for e in store.audit_trail(entity, assessment_id))
    return sorted(entries, key=lambda e: e.id)


def _missing_folders(folder: Path) -> list[Path]:
    """`folder` and the folders above it that do not exist yet, deepest first."""
    missing = []
    for place in (folder, *folder.parents):
        if place.exists() or place.is_symlink():
            break
        missing.append(place)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders an export made (deepest first) while they are empty: a failed export
    (a full disk) left an empty destination folder, which looked like a finished export."""
    for folder in folders:
        try:
            folder.rmdir()  # refuses a folder that is not empty: whatever else was put there stays
        except OSError:
            return


def _read_capture(store: Store, capture: Capture) -> tuple[Capture, bytes] | None:
    """The capture as its row stands when its photo is read, and the photo's verified bytes;
    None when the row is gone (the photo was withdrawn meanwhile: Retake on a draft).

    A retake (the app or another program) may replace the row and delete the listed file
    between the listing and the read: the row is read again once, as `Store.load_capture`
    does, and the photo it names now is exported with that row's checksum and details. A file
    missing or damaged while its row is unchanged stops the export (StorageError/ChecksumError).
    """
    try:
        return capture, read_verified(store.capture_path(capture), capture.sha256)
    except StorageError as exc:
        failure = exc
    try:
        fresh = store.get_capture(capture.assessment_id, capture.expression)
    except RecordNotFoundError:
        return None  # withdrawn since the listing: no longer part of the record, so not exported
    if (fresh.file_name, fresh.sha256) == (capture.file_name, capture.sha256):
        raise failure
    return fresh, read_verified(store.capture_path(fresh), fresh.sha256)


def _write_export_file(path: Path, data: bytes | None, dest_root: Path) -> None:
    """Write `data` atomically to `path` in an export's staging folder (`None`: make `path` a
    private folder). A failure names the destination the user chose, not the data folder: the
    store's writers word their errors for the data folder ("choose another data folder")."""
    try:
        if data is None:
            ensure_private_dir(path)
        else:
            atomic_write(path, data)
    except StorageError as exc:
        if isinstance(exc.__cause__, OSError):
            raise storage_error_from_os(exc.__cause__, "export to", dest_root, destination=True) from exc.__cause__
        raise


def _export_assessment(store: Store, listed: _Listed, staging: Path, redact: _Redactor) -> dict[str, Any]:
    assessment = listed.assessment
    captures = []
    for row in listed.captures:
        read = _read_capture(store, row)
        if read is None:
            continue
        capture, data = read
        name = f"photos/{Path(capture.file_name).name}"
        _write_export_file(staging / name, data, staging.parent)
        captures.append({
            "expression": capture.expression, "file": name, "sha256": capture.sha256,
            "quality": redact.text(capture.quality), "captured_at": redact.when(capture.captured_at),
        })
    reports = []
    if not redact.active:
        for report in listed.reports:
            name = f"reports/{Path(report.file_name).name}"
            _write_export_file(staging / name, store.load_report(report), staging.parent)
            reports.append({"file": name, "sha256": report.sha256, "created_at": report.created_at})
    audit = [item for item in map(redact.audit, listed.audit) if item is not None]
    return {
        "number": assessment.id,
        "status": assessment.status,
        "model_grade": assessment.model_grade,
        "measured_grade": assessment.measured_grade,
        "confirmed_grade": assessment.confirmed_grade,
        "clinician": redact.person(assessment.clinician),
        "notes": "" if redact.active else assessment.notes,
        "result": redact.text(assessment.result),
        "created_at": redact.when(assessment.created_at),
        "updated_at": redact.when(assessment.updated_at),
        "captures": captures,
        "reports": reports,
        "audit": audit,
    }


# ----------------------------------------------------------------------------- import
def _check_regular(info: os.stat_result, path: Path) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path} in the export is not a regular file (a pipe, device or folder); nothing was "
            "imported. Export the patient again."
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _too_large(path, info.st_size)


def _too_large(path: Path, size: int) -> InputError:
    return InputError(
        f"{path} in the export is {size / 2**20:.0f} MiB or more, more than the "
        f"{MAX_FILE_BYTES // 2**20} MiB a photo, report or {MANIFEST} may have; nothing was imported."
    )


def _read_regular(path: Path, missing: str) -> bytes:
    """The bytes of the regular file `path` (at most MAX_FILE_BYTES). Anything else (a FIFO,
    whose read would wait forever, a device, a folder) is refused before it is opened; the
    open itself does not block or follow a link, and what it opened is checked again."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        _check_regular(os.stat(path), path)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            _check_regular(info, path)  # replaced between stat and open
            data = handle.read(info.st_size)  # one allocation of the file's size, no more
            if handle.read(1):
                raise InputError(f"{path} in the export grew while it was read; nothing was imported. "
                                 "Import again when no program writes to the export.")
    except FileNotFoundError:
        raise InputError(missing) from None
    except OSError as exc:
        raise StorageError(f"cannot read {path} in the export: {exc.strerror or exc}.") from exc
    return data


def _load_manifest(folder: Path) -> tuple[dict[str, Any], str]:
    """The export's checked manifest and the sha256 of its bytes."""
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is a file"
        raise InputError(f"{folder} {what}; give the folder that `palsy records export` (or the app's Export) wrote.")
    path = folder / MANIFEST
    raw = _read_regular(path, f"{folder} is not a patient export: {MANIFEST} is missing.")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError; nesting too deep
        log.info("%s is not JSON: %s", path, exc)  # the parser's words, for IT: where the file breaks off
        raise InputError(f"{path} is damaged (cut short or edited); {EXPORT_AGAIN}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        raise InputError(f"{path} is not a Palsy Grader patient export.")
    if manifest.get("version") != EXPORT_VERSION:
        raise InputError(
            f"{path} has export version {manifest.get('version')}; this program reads version "
            f"{EXPORT_VERSION}. Update Palsy Grader on this station."
        )
    schema = manifest.get("schema_version")
    if schema is not None and (type(schema) is not int or schema < 1):
        raise InputError(f"{path} is damaged: schema_version should be a number. Export the patient again.")
    if schema is not None and schema > LATEST_VERSION:
        raise InputError(
            f"{path} was made by a newer Palsy Grader (records schema version {schema}; this one "
            f"knows up to {LATEST_VERSION}); nothing was imported. Update Palsy Grader on this station."
        )
    _check_structure(manifest, path)
    _check_values(manifest, path)
    return manifest, sha256_bytes(raw)


# Fields of each part of the manifest that must be text when present (the import stores some
# of them as they are), and those that must be present.
_TEXT_FIELDS = {
    "patient": ("patient_id", "name", "birth_date", "sex", "affected_side", "notes", "created_at", "updated_at"),
    "assessment": ("status", "model_grade", "measured_grade", "confirmed_grade", "clinician", "notes",
                   "created_at", "updated_at"),
    "capture": ("expression", "file", "sha256", "captured_at"),
    "report": ("file", "sha256", "created_at"),
    "audit": ("at", "actor", "entity", "field", "old_value", "new_value", "reason"),
}
_REQUIRED = {"capture": ("expression", "file", "sha256"), "report": ("file", "sha256"),
             "audit": ("at", "entity", "field")}


def _check_structure(manifest: dict[str, Any], path: Path) -> None:
    """Refuse (InputError naming the field) a manifest whose parts are not what export writes,
    or that lists a photo or report twice, before anything is read into the store."""

    def damaged(where: str, expected: str) -> InputError:
        return InputError(f"{path} is damaged: {where} should be {expected}. Export the patient again.")

    def record(value: Any, where: str, kind: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise damaged(where, "an object")
        for key in _TEXT_FIELDS[kind]:
            field = value.get(key)
            if (field is not None and not isinstance(field, str)) or (not field and key in _REQUIRED.get(kind, ())):
                raise damaged(f"{where}.{key}", "text")
        if "sha256" in value and not _SHA256.fullmatch(value["sha256"]):
            raise damaged(f"{where}.sha256", "64 hexadecimal digits")
        return value

    def records(value: Any, where: str, kind: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise damaged(where, "a list")
        return [record(v, f"{where}[{i}]", kind) for i, v in enumerate(value)]

    patient = record(manifest.get("patient"), "patient", "patient")
    records(patient.get("audit"), "patient.audit", "audit")
    for i, item in enumerate(records(manifest.get("assessments"), "assessments", "assessment")):
        where = f"assessments[{i}]"
        records(item.get("audit"), f"{where}.audit", "audit")
        # The result as the app writes it: reopening the visit and its report read these types.
        problem = result_problem(item.get("result"), f"{where}.result")
        if problem:
            raise InputError(f"{path} is damaged: {problem}. Export the patient again.")
        captures = records(item.get("captures"), f"{where}.captures", "capture")
        with _refused_as_invalid_export(path):
            expressions = [validate.expression(c["expression"]) for c in captures]
        reports = [r["sha256"] for r in records(item.get("reports"), f"{where}.reports", "report")]
        twice = next((f"the {e} photo" for e in expressions if expressions.count(e) > 1), None)
        twice = twice or next(("a report" for r in reports if reports.count(r) > 1), None)
        if twice:
            raise InputError(
                f"{path} lists {twice} of assessment {item.get('number', i + 1)} twice; the export is "
                "damaged. Export the patient again."
            )


def _check_values(manifest: dict[str, Any], path: Path) -> None:
    """Refuse (InputError naming the field) what the store's own writes would never hold: times
    that are not ISO date-times, lie before 2000 or in the future, unknown statuses, audit
    entries about another kind of record or with control characters in their actor, field or
    reason. The manifest's times are rewritten in the store's own form (`validate.timestamp`)."""

    def refuse(problem: object) -> InputError:
        return InputError(f"{path} is damaged or was altered: {problem} Export the patient again.")

    def check(clean: Any, *args: Any, **kwargs: Any) -> None:
        try:
            clean(*args, **kwargs)
        except InputError as exc:
            raise refuse(exc) from None

    def when(value: Any, what: str) -> str:
        try:
            return validate.timestamp(value, what)
        except validate.FutureTimeError as exc:
            # Not damage: the clock of the station that recorded it was ahead. Exporting again
            # copies the same times, so say what does help.
            raise InputError(
                f"{path} was not imported: {exc} That station's clock was probably ahead when "
                "it recorded them (or the file was altered); exporting the patient again will not "
                "help until that station's records are corrected."
            ) from None
        except InputError as exc:
            raise refuse(exc) from None

    def times(part: dict[str, Any], where: str, keys: tuple[str, ...]) -> None:
        # Stored in the store's own form (UTC, milliseconds), so that they sort as time.
        for key in keys:
            if part.get(key) is not None:
                part[key] = when(part[key], f"{where}.{key}")

    def audit(entries: list[dict[str, Any]] | None, where: str, entities: tuple[str, ...]) -> None:
        for i, entry in enumerate(entries or []):
            here = f"{where}[{i}]"
            times(entry, here, ("at",))
            if entry["entity"] not in entities:
                raise refuse(f"{here}.entity is {entry['entity']!r}, not {' or '.join(entities)}.")
            check(validate.text, entry.get("actor"), f"{here}.actor", max_len=200)
            check(validate.text, entry.get("field"), f"{here}.field", max_len=200)
            check(validate.text, entry.get("reason"), f"{here}.reason")

    if manifest.get("exported_at") is None:
        raise refuse("exported_at is missing.")
    manifest["exported_at"] = when(manifest["exported_at"], "exported_at")
    patient = manifest["patient"]
    times(patient, "patient", ("created_at", "updated_at"))
    audit(patient.get("audit"), "patient.audit", ("patient",))
    for i, item in enumerate(manifest.get("assessments") or []):
        where = f"assessments[{i}]"
        if item.get("status") not in STATUSES:
            raise refuse(f"{where}.status {item.get('status')!r} is not one of {', '.join(STATUSES)}.")
        if item.get("reports") and not reports_allowed(item["status"], item.get("audit") or []):
            raise refuse(f"{where} (assessment {item.get('number', i + 1)}) is {item['status']} but has a report; "
                         "only confirmed assessments take reports (and keep them when marked entered in error).")
        times(item, where, ("created_at", "updated_at"))
        for j, capture in enumerate(item.get("captures") or []):
            times(capture, f"{where}.captures[{j}]", ("captured_at",))
        for j, report in enumerate(item.get("reports") or []):
            times(report, f"{where}.reports[{j}]", ("created_at",))
        audit(item.get("audit"), f"{where}.audit", ("assessment", "capture", "report"))


def _check_audit_agreement(manifest: dict[str, Any], path: Path) -> None:
    """Refuse an assessment whose row or reports differ from the last values of its own audit
    trail (`audit_agreement`): both are in patient.json, editable together with the files'
    checksums, so a disagreement shows an altered export (a swapped report, a changed grade)."""
    for i, item in enumerate(manifest.get("assessments") or []):
        problems = trail_disagreements(item.get("audit") or [], item, [r["sha256"] for r in item.get("reports") or []])
        if problems and manifest.get("audit_order") != "written":
            raise InputError(
                f"{path}: assessment {item.get('number', i + 1)} does not match its own audit trail "
                f"({'; '.join(problems)}); nothing was imported. It was altered, or an earlier Palsy Grader "
                "exported it with its audit trail in time order, which stations with different clocks mix up: "
                "update Palsy Grader on the station that recorded it and export the patient again."
            )
        if problems:
            raise InputError(
                f"{path} was altered or damaged: assessment {item.get('number', i + 1)} does not match its own "
                f"audit trail ({'; '.join(problems)}); nothing was imported. Export the patient again from "
                "the station that recorded it."
            )


def _check_patient_agreement(manifest: dict[str, Any], path: Path) -> None:
    """Refuse a patient whose ID, name, date of birth, sex or side differ from what its own
    audit trail and its visits' trails recorded (`patient_agreement`): an export edited to pass
    one person's visits off as another's. The message names no value (names stay off the terminal)."""
    problems = patient_disagreements(manifest["patient"], manifest.get("assessments") or [], validate.id_key)
    if problems:
        raise InputError(
            f"{path} was altered or damaged: the patient does not match its own audit trail "
            f"({'; '.join(problems)}); nothing was imported. Export the patient again from the station "
            "that recorded it."
        )


def _read_export_file(root: Path, entry: dict[str, Any], kind: str, *, decode: bool = False) -> tuple[bytes, str]:
    """(bytes, extension in the store) of a photo or report the manifest lists, after the
    checks the store's own writes make (`save_capture`, `save_report`) and its sha256. With
    `decode` (the first pass of an import) a photo is decoded whole, as the app will read it."""
    relative = str(entry["file"])
    path = (root / relative).resolve()
    if root not in path.parents:
        raise InputError(f"the export names a file outside its folder ({relative!r}); refusing it.")
    data = _read_regular(path, f"{path} is missing from the export; nothing was imported. Export the patient again.")
    if sha256_bytes(data) != entry["sha256"]:
        raise ChecksumError(
            f"{path} in the export is damaged: it does not match the sha256 {MANIFEST} records for "
            "it; nothing was imported. Export the patient again."
        )
    suffix = Path(relative).suffix.lower().lstrip(".")
    if kind == "report":
        if not data.startswith(PDF_MAGIC) or suffix != "pdf":
            raise InputError(f"{path} in the export is not a PDF report named .pdf; nothing was imported.")
        return data, "pdf"
    found = image_format(data)
    if found is None or suffix not in _PHOTO_SUFFIXES[found]:
        raise InputError(
            f"{path} in the export is not a PNG or JPEG photo named .png, .jpg or .jpeg; nothing was imported."
        )
    # The header's size, as `palsy assess` checks it: a stored photo over the limit could never
    # be shown or analysed again (and decoding 900 megapixels exhausts memory).
    check_photo_pixels(data, f"{path} in the export",
                       "nothing was imported: a photo this large could never be shown or analysed.")
    if decode:
        # Refused, not re-encoded: the record's sha256 (and its audit trail's, after a retake)
        # names these bytes. A truncated photo would otherwise be stored and fail when reopened.
        try:
            decode_image(data, f"{path} in the export")
        except InputError as exc:
            raise InputError(f"{exc} Nothing was imported; export the patient again from the station that "
                             "took the photo.") from None
    return data, found


def _listed_files(assessments: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str]]:
    for item in assessments:
        yield from ((entry, "photo") for entry in item.get("captures") or [])
        yield from ((entry, "report") for entry in item.get("reports") or [])


# Tries of an import whose files are written before its transaction (`import_patient`). A
# program that starts an assessment during each of them gets a last try that writes the files
# under the write lock, as every import did before: it always finishes.
_UNLOCKED_TRIES = 3


class _PlanOutdated(Exception):
    """The assessment numbers an import's files were named for were taken meanwhile (another
    window or program started an assessment), or a file it placed is gone: try again."""


def import_patient(store: Store, folder: Path | str, *, actor: str = "") -> Patient:
    """Add the patient exported in `folder` to `store`; every file is verified first.

    Refuses (DuplicateRecordError) a patient ID that already exists. All or nothing: on any
    error the store is left as it was. The copied audit entries are marked IMPORTED_MARK.

    The photos and reports are written (and fsynced) before the write transaction, named for
    the assessment numbers the import is going to take, as `save_capture` writes its file
    before its row; the rows then follow in one short transaction, so other windows and
    programs can keep saving while a large import copies its files to a slow disk. When
    another program takes one of those numbers meanwhile, the files this try wrote are removed
    and written again for the next free numbers (`_UNLOCKED_TRIES`, then once under the lock).
    """
    root = Path(folder).expanduser().resolve()
    manifest, manifest_sha = _load_manifest(root)
    with _refused_as_invalid_export(root / MANIFEST):
        pid = validate.patient_id(manifest["patient"].get("patient_id"))
    # the same patient already here is said as such first: the advice below would register them twice
    _refuse_existing(store.db.connection(), pid, manifest)
    twin = lookalike_twin(store.db.connection(), pid)
    if twin is not None:
        raise InputError(
            f"{root / MANIFEST}: the patient ID {pid} looks the same as the ID of patient {twin} on this station, in "
            f"letters of another alphabet; nothing was imported. If they are one person, record new visits under "
            f"{twin}; if not, the sending station's ID must be corrected before it can be imported here."
        )
    problem = validate.lookalike_problem(pid)
    if problem:  # said before any file is read: the export is sound, its ID is not one this station takes
        raise InputError(
            f"{root / MANIFEST}: the patient ID {pid} {problem.split(':')[0]}; this station refuses new patient IDs "
            "that are easily taken for another patient's, and an ID cannot be changed in Palsy Grader. Nothing was "
            "imported: register the patient on this station with the ID typed again in plain letters and digits "
            "(the export's visits stay on the station that recorded them)."
        )
    actor = validate.text(actor, "actor", max_len=200) or "import"
    assessments = manifest.get("assessments") or []
    # Verify every file before touching the store, one at a time (each is dropped at once).
    for entry, kind in _listed_files(assessments):
        _read_export_file(root, entry, kind, decode=True)
    _check_audit_agreement(manifest, root / MANIFEST)
    _check_patient_agreement(manifest, root / MANIFEST)
    _refuse_existing(store.db.connection(), pid, manifest)  # before any file is written; again under the lock
    stamp = validate.now_iso()
    for attempt in range(_UNLOCKED_TRIES + 1):
        try:
            _record_import(store, root, manifest, manifest_sha, pid, actor, stamp,
                           under_lock=attempt == _UNLOCKED_TRIES)
        except _PlanOutdated:
            log.info("assessment numbers were taken while patient %s was imported; writing its files again", pid)
            continue
        break
    log.info("patient %s imported with %d assessment(s)", pid, len(assessments))
    return store.get_patient(pid)


def _refuse_existing(conn: sqlite3.Connection, pid: str, manifest: dict[str, Any]) -> None:
    """Refuse an export whose patient ID this station has, saying whether it is of that same
    person or of a different one, and what a user can do (`patient_identity.existing_id_refusal`)."""
    refusal = patient_identity.existing_id_refusal(conn, pid, manifest)
    if refusal:
        raise DuplicateRecordError(refusal)


def _next_assessment_id(conn: sqlite3.Connection) -> int:
    """The number SQLite gives the next assessment row (one above the highest: no AUTOINCREMENT)."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM assessments").fetchone()[0])


def _record_import(
    store: Store, root: Path, manifest: dict[str, Any], manifest_sha: str, pid: str, actor: str, stamp: str,
    *, under_lock: bool,
) -> None:
    """One try of `import_patient`: place the files, then record every row in one transaction.

    Unless `under_lock`, the files are written before the transaction and _PlanOutdated is
    raised (the files this try wrote removed) when their assessment numbers were taken
    meanwhile. Whatever ends the transaction without a commit removes exactly the files this
    try wrote, never an identical one that was already in place and reused.
    """
    info = manifest["patient"]
    assessments = manifest.get("assessments") or []
    placed = None if under_lock else _place_files(store, root, assessments, _next_assessment_id(store.db.connection()))
    began = False
    try:
        with _refuse_clashes(root / MANIFEST), store.db.write() as conn, _removed_unless_recorded(lambda: placed, conn):
            began = True
            if placed is None:
                placed = _place_files(store, root, assessments, _next_assessment_id(conn))
            elif not placed.still_valid(conn):
                raise _PlanOutdated
            # From here every row naming a placed file is this try's own: its numbers were free
            # under the lock (or the files were written under it).
            placed.numbers_free = True
            _refuse_existing(conn, pid, manifest)
            with _refused_as_invalid_export(root / MANIFEST):  # the store's own checks of each value
                # Created here and now by `actor` (its audit entry says so); the row keeps its dates.
                store.create_patient(
                    pid,
                    name=info.get("name", ""),
                    birth_date=info.get("birth_date"),
                    sex=info.get("sex"),
                    affected_side=info.get("affected_side"),
                    notes=info.get("notes", ""),
                    actor=actor,
                    created_at=stamp,
                )
                ref = conn.execute("SELECT id FROM patients WHERE id_key = ?", (validate.id_key(pid),)).fetchone()[0]
                conn.execute(
                    "UPDATE patients SET created_at = COALESCE(?, created_at), updated_at = COALESCE(?, updated_at)"
                    " WHERE id = ?",
                    (info.get("created_at"), info.get("updated_at"), ref),
                )
                copied = 0
                for entry in info.get("audit") or []:
                    _copy_audit(conn, entry, pid)
                    copied += 1
                for offset, item in enumerate(assessments):
                    copied += _import_assessment(conn, ref, placed.first_id + offset, item,
                                                 placed.photos[offset], placed.reports[offset])
            kind = "de-identified export" if manifest.get("deidentified") else "export"
            _audit(conn, actor, "patient", pid, "record", None, "imported",
                   f"from {kind} {root} of {manifest['exported_at']} ({MANIFEST} sha256 {manifest_sha[:16]}); "
                   f"its {copied} audit entries are copied, marked {IMPORTED_MARK}", at=stamp)
    except BaseException:
        if placed is not None and not began:  # BEGIN refused (busy, folder gone): the lock is not held
            placed.remove_written(store.db.connection())
        raise


# How every refusal of a damaged patient.json ends: what became of the import, and what helps.
EXPORT_AGAIN = "nothing was imported. Export the patient again from the sending station."


@contextmanager
def _refused_as_invalid_export(manifest_path: Path) -> Iterator[None]:
    """A value of the manifest that the store's own checks refuse, refused as a damaged export.
    Those checks speak to someone typing into the patient form ("...; write it as YYYY-MM-DD");
    the one importing typed nothing, and needs the file named and the import's fate."""
    try:
        yield
    except InputError as exc:
        fault, _, advice = str(exc).rstrip(".").partition("; ")
        if advice.startswith("expected"):  # what the field may hold is part of the fault; the rest is the form's advice
            fault = f"{fault}, {advice}"
        raise InputError(f"{manifest_path} is not a valid export ({fault}); {EXPORT_AGAIN}") from None


@contextmanager
def _refuse_clashes(manifest_path: Path) -> Iterator[None]:
    """An IntegrityError (the import was rolled back) as an InputError about the export."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise InputError(
            f"{manifest_path} lists a record twice, or one that clashes with another ({exc}); "
            "nothing was imported. Export the patient again."
        ) from None


def _copy_audit(conn: Any, entry: dict[str, Any], entity_id: Any) -> None:
    """Copy one audit entry of the export with its time and actor, its reason marked: another
    station recorded that change, this one only copied it."""
    reason = validate.text(entry.get("reason"), "audit reason")
    _audit(conn, validate.text(entry.get("actor"), "audit actor"), entry["entity"], entity_id, entry["field"],
           entry.get("old_value"), entry.get("new_value"), f"{IMPORTED_MARK} {reason}".rstrip(), at=entry["at"])


def _import_assessment(
    conn: Any, ref: int, aid: int, item: dict[str, Any], photos: list[str], reports: list[str]
) -> int:
    """Insert one assessment as number `aid` with the rows of its files, already in place
    under the relative names `photos` and `reports` (the manifest's order); return the number
    of audit entries copied."""
    result = item.get("result")
    conn.execute(
        "INSERT INTO assessments(id, patient_ref, status, model_grade, measured_grade, confirmed_grade,"
        " clinician, notes, result_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            aid, ref, item["status"],
            validate.optional_grade(item.get("model_grade"), "model grade"),
            validate.optional_grade(item.get("measured_grade"), "measured grade"),
            validate.optional_grade(item.get("confirmed_grade"), "confirmed grade"),
            validate.text(item.get("clinician"), "clinician name", max_len=200),
            validate.text(item.get("notes"), "notes", multiline=True),
            None if result is None else validate.json_text(result, "analysis result"),
            item.get("created_at") or validate.now_iso(),
            item.get("updated_at") or validate.now_iso(),
        ),
    )
    for capture, relative in zip(item.get("captures") or [], photos, strict=True):
        conn.execute(
            "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json, captured_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (aid, validate.expression(capture.get("expression")), relative, capture["sha256"],
             validate.json_text(capture.get("quality"), "quality record"),
             # a de-identified export leaves a time it could not shift empty: the visit's start,
             # not the moment of import (the report dates the photos by these)
             capture.get("captured_at") or item.get("created_at") or validate.now_iso()),
        )
    for report, relative in zip(item.get("reports") or [], reports, strict=True):
        conn.execute(
            "INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (?, ?, ?, ?)",
            (aid, relative, report["sha256"], report.get("created_at") or validate.now_iso()),
        )
    entries = item.get("audit") or []
    for entry in entries:
        _copy_audit(conn, entry, aid)
    return len(entries)


class _PlacedFiles:
    """Where one try of an import put the listed files: the number of its first assessment,
    the relative names of each assessment's photos and reports (the manifest's order), and the
    files this try wrote, as opposed to identical ones already in place that it reuses."""

    def __init__(self, store: Store, first_id: int) -> None:
        self.store = store
        self.first_id = first_id
        self.photos: list[list[str]] = []
        self.reports: list[list[str]] = []
        self.written: list[Path] = []
        # Set once the write lock is held and the numbers are known to be free: a failure then
        # removes every written file (any row naming one is this try's own, uncommitted).
        self.numbers_free = False

    def put(self, root: Path, entry: dict[str, Any], kind: str, stem: str) -> str:
        """Read one listed file (checked again: it may have changed since the first pass; only
        this file is in memory) and place it in the store as `STEM_SHA12.EXT`; return that name."""
        data, ext = _read_export_file(root, entry, kind)
        relative = f"{stem}_{entry['sha256'][:12]}.{ext}"
        _write_into_store(self.store, relative, data, self.written)
        return relative

    def still_valid(self, conn: sqlite3.Connection) -> bool:
        """Under the write lock: no assessment took a number the files are named for, and each
        file is still in place (an old one reused may have been moved to `recovered/` meanwhile
        by another program's start-up)."""
        if conn.execute("SELECT 1 FROM assessments WHERE id >= ? LIMIT 1", (self.first_id,)).fetchone():
            return False
        root = self.store.layout.root
        return all(os.path.isfile(root / name) for names in (*self.photos, *self.reports) for name in names)

    def remove_written(self, conn: sqlite3.Connection | None = None) -> None:
        """Remove the files this try wrote, except those a committed row names: another import
        of the same photos, numbered alike, may have reused one of them and committed first
        (its rows then name the file, which must stay). With `conn` inside this import's write
        transaction, the lock makes that check exact; `conn` None removes them all. Best effort: what remains is an
        unrecorded file that `palsy records check` lists and the next start moves to `recovered/`.
        Outside the write lock (`conn` a plain connection) the check is a read: good enough
        where the lock could not be had at all."""
        root = self.store.layout.root
        for path in self.written:
            if conn is not None and not self.numbers_free and _named_by_a_row(conn, path.relative_to(root).as_posix()):
                continue
            remove_file(path)
        self.written = []


def _named_by_a_row(conn: sqlite3.Connection, relative: str) -> bool:
    return conn.execute("SELECT 1 FROM captures WHERE file_name = ? UNION ALL SELECT 1 FROM reports WHERE file_name = ?"
                        " LIMIT 1", (relative, relative)).fetchone() is not None


@contextmanager
def _removed_unless_recorded(placed: Callable[[], _PlacedFiles | None], conn: sqlite3.Connection) -> Iterator[None]:
    """Inside an import's write transaction: when the try fails (its numbers were taken, a
    duplicate, any error), remove the files it wrote that no committed row names, while the
    write lock is still held, so no other import can commit a row naming one of them between
    the check and the removal. (After a rollback the lock is gone: removing then deleted photos
    another import of the same export had reused and committed.) A failed COMMIT leaves them:
    unrecorded files that `records check` lists and recovery moves to `recovered/`."""
    try:
        yield
    except BaseException:
        files = placed()
        if files is not None:
            files.remove_written(conn)
        raise


def _place_files(store: Store, root: Path, assessments: list[dict[str, Any]], first_id: int) -> _PlacedFiles:
    """Write every listed file into the data folder, named for assessment numbers from
    `first_id` on, one at a time. On failure the files written so far are removed again, under
    the write lock and only where no row names them (another import of the same photos may have
    reused one and be committing it); when the lock cannot be had they stay as unrecorded files."""
    placed = _PlacedFiles(store, first_id)
    try:
        for offset, item in enumerate(assessments):
            aid = first_id + offset
            placed.photos.append([
                placed.put(root, capture, "photo",
                           f"photos/{aid:06d}/{aid:06d}_{validate.expression(capture.get('expression'))}")
                for capture in item.get("captures") or []
            ])
            placed.reports.append([
                placed.put(root, report, "report", f"reports/{aid:06d}/{aid:06d}_report")
                for report in item.get("reports") or []
            ])
    except BaseException:
        try:
            with store.db.write() as conn:
                placed.remove_written(conn)
        except StorageError:
            log.warning("an import's placed files stay unrecorded (the database is busy); recovery moves them later")
        raise
    return placed


def _write_into_store(store: Store, relative: str, data: bytes, written: list[Path]) -> None:
    """Write an imported file, its path added to `written` (the files a failed import removes)
    before the write starts: a Ctrl-C during the write or its read-back then leaves no file the
    import's cleanup does not know.

    A file already there (a data folder whose database was lost still holds its photos) is
    kept as it is when it holds the same bytes and refused when it does not: its bytes are
    never lost, and a failed import never removes it (it is not added to `written`).
    """
    target = store.layout.resolve(relative)
    if target.exists():
        try:
            same = sha256_file(target) == sha256_bytes(data)
        except OSError as exc:
            raise storage_error_from_os(exc, "read", target) from exc
        if same:
            try:  # young again: crash recovery at another program's start moves old unrecorded files away
                os.utime(target)
            except OSError:
                pass
            return
        raise DuplicateRecordError(
            f"{target} already holds a different file; nothing was imported. Move that file out of "
            "the data folder (run `palsy records check` to see whether it is recorded) and import again."
        )
    ensure_private_dir(target.parent, inside=store.layout.root)
    written.append(target)
    atomic_write(target, data)
