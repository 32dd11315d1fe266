"""The checks an import makes of a patient export (`export_format`) before it touches the store.

Refused: a manifest from a newer Palsy Grader, one whose structure is not what export writes
(an analysis result's included: `result_shape`), an assessment not confirmed that lists a
report (unless marked entered in error after confirmation), an assessment whose status, grades,
clinician or report differ from the last values of its own audit trail (`audit_agreement`), a
patient whose name, date of birth, sex or side differ from the last values of its own audit
trail or whose visits' trails name another patient ID (`patient_agreement`), times that are not
ISO date-times or lie in the future, and any listed file that is not a regular file (a pipe
would block the read), is larger than MAX_FILE_BYTES, does not match its sha256, or is not what
the store itself accepts (a photo must be PNG/JPEG named .png/.jpg/.jpeg and decode whole, as
the app reads it; a report a PDF named .pdf). Files are read one at a time, never all at once.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.records import validate
from app.records.audit_agreement import reports_allowed, trail_disagreements
from app.records.errors import ChecksumError, StorageError
from app.records.export_format import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MANIFEST,
    MAX_FILE_BYTES,
    SHA256,
)
from app.records.files import sha256_bytes
from app.records.imaging import PDF_MAGIC, check_photo_pixels, decode_image, image_format
from app.records.migrations import LATEST_VERSION
from app.records.patient_agreement import patient_disagreements
from app.records.result_shape import result_problem
from app.records.rows import STATUSES
from models.errors import InputError

log = logging.getLogger("palsy.records")
_PHOTO_SUFFIXES = {"png": ("png",), "jpg": ("jpg", "jpeg")}
# How every refusal of a damaged patient.json ends: what became of the import, and what helps.
EXPORT_AGAIN = "nothing was imported. Export the patient again from the sending station."


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


def load_manifest(folder: Path) -> tuple[dict[str, Any], str]:
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
        if "sha256" in value and not SHA256.fullmatch(value["sha256"]):
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
        with refused_as_invalid_export(path):
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


def check_audit_agreement(manifest: dict[str, Any], path: Path) -> None:
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


def check_patient_agreement(manifest: dict[str, Any], path: Path) -> None:
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


def read_export_file(root: Path, entry: dict[str, Any], kind: str, *, decode: bool = False) -> tuple[bytes, str]:
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


def listed_files(assessments: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], str]]:
    for item in assessments:
        yield from ((entry, "photo") for entry in item.get("captures") or [])
        yield from ((entry, "report") for entry in item.get("reports") or [])



@contextmanager
def refused_as_invalid_export(manifest_path: Path) -> Iterator[None]:
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
