"""Export of one patient's records as a folder (`export_format`), for moving between stations.

Every row the export writes (the patient, its assessments, their photos, reports and audit
trails) is read in one read transaction before any file is copied, so a grade confirmed or an
assessment discarded while the export runs is exported either wholly before or wholly after
that change. A photo retaken while the export runs (its row replaced, the old file deleted) is
exported as the row names it when read, with that row's sha256. The export is written to a
hidden `.NAME.partial-PID-XXXXXXXX-HOST` folder and renamed when complete, so a half-written
export never looks finished. Such a folder left by a killed export is removed by the next
export to the same destination: at once when this computer made it and its process is gone,
else once nothing was added to it for an hour, or for a day (`recovery.staging_left_behind`:
a younger one may be another computer's export into the same shared folder).

A discarded visit (a draft abandoned, or a visit marked entered in error: often another
person's photos filed under this patient) is exported as its row and audit trail only, without
its photos and reports, which stay in the data folder.

De-identified export: the patient ID becomes a pseudonym; name, date of birth, every free-text
note and every audit reason are dropped; the patient's own audit entries (which hold old names)
are dropped, and of the assessments' only coded changes are kept (status, grades, clinician,
photo and report checksums); clinician and other staff names become STAFF-1, STAFF-2...
(program actors such as "model" stay); every date and time is moved back by one random number
of days (1-365) per export, so intervals are kept but calendar dates are not; the ID, each
word of the name and the date of birth are removed wherever they occur inside results;
reports are left out because the PDFs print name and date of birth; discarded visits are left
out; the visits are numbered 1..n in visit order, not by the station's assessment numbers.
Photos are kept (the face is the data). A chosen pseudonym that identifies the patient is
refused. Photos given to the store as JPEG bytes keep whatever metadata the camera wrote.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.records import validate
from app.records.errors import (
    DuplicateRecordError,
    RecordNotFoundError,
    StorageError,
    storage_error_from_os,
)
from app.records.export_format import EXPORT_FORMAT, EXPORT_VERSION, MANIFEST, SHA256
from app.records.files import atomic_write, fsync_dir, read_verified, replace_file
from app.records.migrations import RECORD_FIELDS_VERSION
from app.records.paths import ensure_private_dir, is_inside
from app.records.recovery import remove_abandoned_staging, staging_path_for
from app.records.rows import Assessment, AuditEntry, Capture, Patient, Report
from app.records.store import Store
from models.errors import InputError
from models.folder_names import is_windows_device_name
from models.labels import EXPRESSIONS, GRADES, SIDES

log = logging.getLogger("palsy.records")
# Audit actors that are the program, not a person: kept in a de-identified export.
_PROGRAM_ACTORS = frozenset({"model", "import", "unknown"})
# A de-identified export's notes of a visit that had notes (`_Redactor.notes`).
NOTES_REMOVED = "[notes removed: de-identified export]"
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


# Values the app writes as codes, never free text: kept whole when a name word spells one (a name
# "John Smith III" blanked the stored grades, and the receiving station refused the export as damaged)
_CODES = frozenset(GRADES) | frozenset(SIDES) | frozenset(EXPRESSIONS) | {"unknown"}


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
        self._pattern = _whole_words(self._identifiers) if self._identifiers else None
        # Then every word whose accent-free form is a name word: 'Zoë' for a name typed 'Zoe',
        # and decomposed text ('E' + U+0301, as macOS file names are) that the literal pass misses.
        self._name_words = {t for t in validate.name_search_terms(patient.name) if " " not in t and len(t) > 1} if patient else set()

    def text(self, value: Any) -> Any:
        """`value` (nested JSON) with the patient's ID, name words and birth date replaced."""
        if self._pattern is None:
            return value
        if isinstance(value, str) and value in _CODES:  # a grade 'III' of "John Smith III", a grade 'VI' of "Vi Nguyen"
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

    def notes(self, text: str) -> str:
        """A visit's notes as exported. De-identified, notes that were written become
        NOTES_REMOVED: they hold the reason of a grade override, and an empty field read as an
        override confirmed without one (`records check` at the receiving station)."""
        if not self.active:
            return text
        return NOTES_REMOVED if text.strip() else ""

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
            values = [v if v is None or SHA256.fullmatch(v) else None for v in values]
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
    folders that earlier, killed exports left in `dest` are removed first. A `dest` inside the
    data folder is refused (InputError), as a backup's is: the export would lie among the
    records as files no row names, which `records check` reports and the next start moves to
    recovered/.
    """
    dest_root = Path(dest).expanduser().resolve()
    if is_inside(store.root, dest_root):
        raise InputError(f"{dest_root} is inside the data folder {store.root}; give a folder outside it")
    patient, patient_trail, listing = _read_records(store, patient_id)
    export_id = validate.patient_id(pseudonym or f"ANON-{secrets.token_hex(4).upper()}") if deidentify else patient.patient_id
    redact = _Redactor(patient, export_id) if deidentify else _Redactor()
    if deidentify:
        if pseudonym:
            _refuse_identifying_pseudonym(store, patient, export_id)
        listing = [listed for listed in listing if listed.assessment.status != "discarded"]
    final = dest_root / _safe_folder_name(export_id)
    _remove_abandoned_exports(dest_root)
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
        assessments = [_export_assessment(store, listed, staging, redact, position)
                       for position, listed in enumerate(listing, start=1)]
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


def _refuse_identifying_pseudonym(store: Store, patient: Patient, export_id: str) -> None:
    """Refuse a chosen pseudonym that is a patient ID of this station, or holds the patient's ID,
    a word of their name or their date of birth: an export marked de-identified would carry it
    as its folder name and patient ID (`--pseudonym MRN-1001` typed for MRN-1001). The message
    says which of them, so the user knows what to change, and does not repeat it: it is the
    identifier."""
    part = _identifying_part(patient, export_id)
    if part is not None:
        raise InputError(
            f"the pseudonym contains {part}; nothing was exported. Choose a study code that "
            "does not identify the patient, or leave --pseudonym out for a random one."
        )
    try:
        store.get_patient(export_id)
    except RecordNotFoundError:
        return
    raise InputError(
        "the pseudonym is the ID of another patient on this station; nothing was exported. Choose a "
        "study code that is no patient's ID, or leave --pseudonym out for a random one."
    )


# Name words shorter than this inside a name are mostly particles ("de", "da", "van"), which a
# study's own codes share ("DE-001" for Anna de Vries): a pseudonym is not refused for them. The
# first and last words count from two letters: a whole given or family name (Wu, Li, Ng, Le; two
# ideographs, 山田). Initials (one letter) never count.
_MIN_NAME_WORD = 3
_MIN_END_WORD = 2


def _identifying_part(patient: Patient, export_id: str) -> str | None:
    """Which identifier of the patient the pseudonym holds, said for the refusal ("the patient's
    ID"), or None. The pseudonym is read as its parts (`_parts`), so that the usual re-spellings
    count: the ID with other separators or none ('MRN77' for MRN-77), the date of birth's digits
    in the common orders ('31.01.1970', '19700131'), a name word run into others ('AnnaDeVries').
    It cannot catch every spelling (docs/records.md "De-identified export")."""
    parts, words = _parts(export_id), _words(export_id)
    id_parts = _parts(patient.patient_id)
    # An ID of letters and digits is also found where a code runs them together ('MRN77'); an ID
    # of digits (or letters) alone only as whole words: '1' is in many a site code ('S1-023').
    mixed = len({part.isdigit() for part in id_parts}) == 2
    if validate.id_key(export_id) == validate.id_key(patient.patient_id) or "".join(id_parts) in _runs(parts if mixed else words):
        return "the patient's ID"
    if patient.birth_date and _holds_date(parts, words, patient.birth_date):
        return "the patient's date of birth"
    return "a word of the patient's name" if _name_spellings(patient.name or "") & set(parts) else None


def _name_spellings(name: str) -> set[str]:
    """The name's words and runs of them (`_runs`) a pseudonym may not hold: from three letters,
    or from two at either end of the name (`_MIN_END_WORD`) unless written in lower case there:
    a particle ("de Vries, Anna", "Maria da Silva") that a study's codes share ("DE-001"), which
    counted only as the name was typed family name first. "Wu", "Lê", "Da Silva Maria" count."""
    parts, ends = _parts(name), _end_words(name)
    return {run for run in _runs(parts) if len(run) >= _MIN_NAME_WORD or (run in ends and len(run) >= _MIN_END_WORD)}


# Two-letter name particles, as written in lower case at a name's end when it is typed family
# name first ("de Vries, Anna"); anything else there is a name ("li wu" typed all in lower case).
_PARTICLES = frozenset({"de", "da", "di", "du", "do", "la", "le", "lo", "el", "al", "te", "zu", "op", "af", "am", "im"})


def _end_words(name: str) -> set[str]:
    """The first and last parts of `name`, but for an end word that is a particle written in
    lower case (`_PARTICLES`: 'de' in "de Vries, Anna"; 'lê' with its accent is a name)."""
    parts, written = _parts(name), _WORD.findall(name)
    if not parts:
        return set()
    return {part for part, word in ((parts[0], written[0]), (parts[-1], written[-1]))
            if not (word.islower() and word in _PARTICLES)}


def _parts(text: str) -> list[str]:
    """The pieces a code is read in, case-folded and without accents: its words (runs of letters
    and digits) cut again where letters meet digits and where a capital starts a word
    ('AnnaDeVries-01' -> anna, de, vries, 01; 'VRIES01' -> vries, 01; 'MRN-77' -> mrn, 77)."""
    pieces = [piece for word in _WORD.findall(text) for piece in _split_word(word)]
    return [part for part in (validate.without_accents(validate.search_key(p)) for p in pieces) if part]


def _words(text: str) -> list[str]:
    """The code's words as written between separators, case-folded and without accents."""
    return [part for part in (validate.without_accents(validate.search_key(w)) for w in _WORD.findall(text)) if part]


def _split_word(word: str) -> list[str]:
    """`word` cut before a digit that follows a letter, a letter that follows a digit, a capital
    after a small letter ('DeVries') and the last capital of a run of them that starts a word
    ('VRIESAnna')."""
    pieces, start = [], 0
    for i in range(1, len(word)):
        before, char, after = word[i - 1], word[i], word[i + 1:i + 2]
        if (before.isdigit() != char.isdigit() or before.islower() and char.isupper()
                or before.isupper() and char.isupper() and after.islower()):
            pieces.append(word[start:i])
            start = i
    return [*pieces, word[start:]]


def _runs(parts: list[str]) -> set[str]:
    """Every part and every run of neighbouring parts written together: what an identifier
    spelt with other separators, or none, is among ('mrn', '77', 'mrn77')."""
    return {"".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}


def _holds_date(parts: list[str], words: list[str], birth_date: str) -> bool:
    """Whether a code read as `parts` (its `words` as written) holds `birth_date` ('YYYY-MM-DD')
    in any separators: the eight digits year-month-day, day-month-year or month-day-year
    anywhere in it; with a two-digit year only as one word ('310170') or as the whole code
    ('31.01.70'): six digits inside a longer number, or three small fields of a longer code
    ('S-01-02-03'), too often match by chance."""
    year, month, day = birth_date.split("-")
    skeleton = "".join(parts)
    if any(f"{a}{b}{c}" in skeleton for a, b, c in _date_orders(year, month, day)):
        return True
    short = {f"{a}{b}{c}" for a, b, c in _date_orders(year[2:], month, day)}
    return not short.isdisjoint(words) or (len(words) == 3 and "".join(words) in short)


def _date_orders(year: str, month: str, day: str) -> list[tuple[str, str, str]]:
    """A date's fields in the orders dates are written in: ISO, European and US."""
    return [(year, month, day), (day, month, year), (month, day, year)]


def _whole_words(values: Iterable[str]) -> re.Pattern[str]:
    """A pattern finding any of `values` as whole words, case ignored: letters or digits on
    neither side ('_' and '/' separate words), and no combining accent after (the redactor's
    word pass takes 'Zoe' + U+0308 whole); the longest first."""
    alternatives = "|".join(map(re.escape, sorted(values, key=len, reverse=True)))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_]|[\u0300-\u036f])", re.IGNORECASE)


def _remove_abandoned_exports(dest_root: Path) -> None:
    """Remove the hidden staging folders killed exports or backups left in `dest_root`
    (`remove_abandoned_staging`) and say so: they hold face photos, and whoever saw one on the
    disk, or wonders why the disk filled, learns where they went."""
    removed = remove_abandoned_staging(dest_root)
    if removed:
        log.warning("removed %d unfinished export or backup folder(s) (.NAME.partial-...) that an interrupted "
                    "run left in %s", removed, dest_root)


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


def _export_assessment(
    store: Store, listed: _Listed, staging: Path, redact: _Redactor, position: int
) -> dict[str, Any]:
    """One assessment as the manifest lists it, its files copied into `staging`.

    A discarded visit (a draft abandoned, or a visit marked entered in error: photos of another
    person filed under this patient) goes without its photos and reports: its row and audit
    trail (which holds the reports' sha256) stay, so import and `records check` still agree
    with it, and its files stay in the data folder. A de-identified export numbers the visits
    by `position` (1..n in visit order): the station's numbers, which its log and stored
    reports tie to the real ID, would link the export back and order visits across a cohort.
    """
    assessment = listed.assessment
    number = position if redact.active else assessment.id
    with_files = assessment.status != "discarded"
    captures = []
    for row in listed.captures if with_files else []:
        read = _read_capture(store, row)
        if read is None:
            continue
        capture, data = read
        # named after the exported number: a de-identified export's own, not the station's
        name = f"photos/{number:06d}_{capture.expression}_{capture.sha256[:12]}{Path(capture.file_name).suffix}"
        _write_export_file(staging / name, data, staging.parent)
        captures.append({
            "expression": capture.expression, "file": name, "sha256": capture.sha256,
            "quality": redact.text(capture.quality), "captured_at": redact.when(capture.captured_at),
        })
    reports = []
    for report in listed.reports if with_files and not redact.active else []:
        name = f"reports/{Path(report.file_name).name}"
        _write_export_file(staging / name, store.load_report(report), staging.parent)
        reports.append({"file": name, "sha256": report.sha256, "created_at": report.created_at})
    audit = [item for item in map(redact.audit, listed.audit) if item is not None]
    return {
        "number": number,
        "status": assessment.status,
        "model_grade": assessment.model_grade,
        "measured_grade": assessment.measured_grade,
        "confirmed_grade": assessment.confirmed_grade,
        "clinician": redact.person(assessment.clinician),
        "notes": redact.notes(assessment.notes),
        "result": redact.text(assessment.result),
        "created_at": redact.when(assessment.created_at),
        "updated_at": redact.when(assessment.updated_at),
        "captures": captures,
        "reports": reports,
        "audit": audit,
    }
