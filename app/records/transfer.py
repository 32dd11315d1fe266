"""Export and import of one patient's records as a folder, for moving between stations.

Folder layout (a contract for other stations):

    <dest>/<patient ID or pseudonym>/
        patient.json      format "palsy-patient-export", version 1: patient, assessments
                          (grades, results, captures, reports, audit trail), sha256 of each file
        photos/*.png|jpg  captured photos as stored
        reports/*.pdf     PDF reports (not in de-identified exports)

The export is written to a hidden `.NAME.partial-*` folder and renamed when complete, so a
half-written export never looks finished. Import checks the manifest's structure and every
file's sha256 before it touches the store and then records everything in one transaction
(photos written first). A file already at its place in the data folder (one whose database was
lost) is reused when identical and refused when not; a failed import removes only the files
it wrote.

De-identified export: the patient ID becomes a pseudonym; name, date of birth and all free-text
notes are dropped (notes may name people); the patient's own audit entries (which hold old
names) are dropped; occurrences of the ID or name inside results are replaced; reports are
left out because the PDFs print name and date of birth. Photos are kept (the face is the data).
Photos given to the store as JPEG bytes keep whatever metadata the camera wrote.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.records import validate
from app.records.errors import DuplicateRecordError, storage_error_from_os
from app.records.files import (
    TEMP_MARK,
    atomic_write,
    fsync_dir,
    read_verified,
    remove_file,
    sha256_bytes,
    sha256_file,
)
from app.records.migrations import LATEST_VERSION
from app.records.paths import ensure_private_dir
from app.records.rows import STATUSES, Assessment, Patient
from app.records.store import Store, _audit
from models.errors import InputError

log = logging.getLogger("palsy.records")
EXPORT_FORMAT = "palsy-patient-export"
EXPORT_VERSION = 1
MANIFEST = "patient.json"


def _scrub(value: Any, replacements: dict[str, str]) -> Any:
    """Replace identifying strings anywhere inside nested JSON values."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    return value


def _safe_folder_name(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text).strip("._")
    return cleaned or "patient"


def _audit_dict(entry: Any) -> dict[str, Any]:
    return {
        "at": entry.at, "actor": entry.actor, "entity": entry.entity, "field": entry.field,
        "old_value": entry.old_value, "new_value": entry.new_value, "reason": entry.reason,
    }


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
    Damaged photos stop the export with ChecksumError rather than being copied.
    """
    patient = store.get_patient(patient_id)
    export_id = validate.patient_id(pseudonym or f"ANON-{secrets.token_hex(4).upper()}") if deidentify else patient.patient_id
    replacements: dict[str, str] = {}
    if deidentify:
        replacements[patient.patient_id] = export_id
        if patient.name:
            replacements[patient.name] = ""
    dest_root = Path(dest).expanduser().resolve()
    final = dest_root / _safe_folder_name(export_id)
    if final.exists():
        raise DuplicateRecordError(f"{final} already exists; choose another destination folder.")
    staging = dest_root / f".{final.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        dest_root.mkdir(mode=0o700, parents=True, exist_ok=True)  # an existing folder keeps its mode
        os.mkdir(staging, 0o700)  # a read-only destination fails here, named as the destination
    except OSError as exc:
        raise storage_error_from_os(exc, "export to", dest_root, destination=True) from exc
    try:
        ensure_private_dir(staging / "photos")
        ensure_private_dir(staging / "reports")
        assessments = [
            _export_assessment(store, a, staging, deidentify, replacements)
            for a in store.history(patient.patient_id, include_discarded=True)
        ]
        patient_audit = [] if deidentify else [
            _audit_dict(e) for e in store.audit_trail("patient", patient.patient_id)
        ]
        manifest = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "schema_version": LATEST_VERSION,
            "exported_at": validate.now_iso(),
            "deidentified": deidentify,
            "patient": {
                "patient_id": export_id,
                "name": "" if deidentify else patient.name,
                "birth_date": None if deidentify else patient.birth_date,
                "sex": patient.sex,
                "affected_side": patient.affected_side,
                "notes": "" if deidentify else patient.notes,
                "created_at": patient.created_at,
                "updated_at": patient.updated_at,
                "audit": patient_audit,
            },
            "assessments": assessments,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, allow_nan=False)
        atomic_write(staging / MANIFEST, text.encode("utf-8"))
        os.replace(staging, final)
        fsync_dir(dest_root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise storage_error_from_os(exc, "export to", dest_root, destination=True) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("patient %s exported%s", export_id if deidentify else patient.patient_id,
             " (de-identified)" if deidentify else "")
    return final


def _export_assessment(
    store: Store, assessment: Assessment, staging: Path, deidentify: bool, replacements: dict[str, str]
) -> dict[str, Any]:
    captures = []
    for capture in store.captures(assessment.id):
        data = read_verified(store.capture_path(capture), capture.sha256)
        name = f"photos/{Path(capture.file_name).name}"
        atomic_write(staging / name, data)
        captures.append({
            "expression": capture.expression, "file": name, "sha256": capture.sha256,
            "quality": _scrub(capture.quality, replacements), "captured_at": capture.captured_at,
        })
    reports = []
    if not deidentify:
        for report in store.reports(assessment.id):
            name = f"reports/{Path(report.file_name).name}"
            atomic_write(staging / name, store.load_report(report))
            reports.append({"file": name, "sha256": report.sha256, "created_at": report.created_at})
    audit = [
        _audit_dict(e)
        for entity in ("assessment", "capture", "report")
        for e in store.audit_trail(entity, assessment.id)
        if not (deidentify and e.field == "notes")
    ]
    audit.sort(key=lambda e: e["at"])
    return _scrub({
        "number": assessment.id,
        "status": assessment.status,
        "model_grade": assessment.model_grade,
        "measured_grade": assessment.measured_grade,
        "confirmed_grade": assessment.confirmed_grade,
        "clinician": assessment.clinician,
        "notes": "" if deidentify else assessment.notes,
        "result": assessment.result,
        "created_at": assessment.created_at,
        "updated_at": assessment.updated_at,
        "captures": captures,
        "reports": reports,
        "audit": audit,
    }, replacements)


def _load_manifest(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is a file"
        raise InputError(f"{folder} {what}; give the folder that `palsy records export` (or the app's Export) wrote.")
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{folder} is not a patient export: {MANIFEST} is missing.") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} cannot be read as JSON ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        raise InputError(f"{path} is not a Palsy Grader patient export.")
    if manifest.get("version") != EXPORT_VERSION:
        raise InputError(
            f"{path} has export version {manifest.get('version')}; this program reads version "
            f"{EXPORT_VERSION}. Update Palsy Grader on this station."
        )
    _check_structure(manifest, path)
    return manifest


# Fields of each part of the manifest that must be text when present (the import stores some
# of them as they are), and those that must be present.
_TEXT_FIELDS = {
    "patient": ("patient_id", "name", "birth_date", "sex", "affected_side", "notes", "created_at", "updated_at"),
    "assessment": ("status", "model_grade", "measured_grade", "confirmed_grade", "clinician", "notes",
                   "created_at", "updated_at"),
    "capture": ("expression", "file", "sha256", "captured_at"),
    "report": ("file", "sha256", "created_at"),
    "audit": ("at", "actor", "entity", "field", "reason"),
}
_REQUIRED = {"capture": ("expression", "file", "sha256"), "report": ("file", "sha256")}


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
        captures = records(item.get("captures"), f"{where}.captures", "capture")
        expressions = [validate.expression(c["expression"]) for c in captures]
        reports = [r["sha256"] for r in records(item.get("reports"), f"{where}.reports", "report")]
        twice = next((f"the {e} photo" for e in expressions if expressions.count(e) > 1), None)
        twice = twice or next(("a report" for r in reports if reports.count(r) > 1), None)
        if twice:
            raise InputError(
                f"{path} lists {twice} of assessment {item.get('number', i + 1)} twice; the export is "
                "damaged. Export the patient again."
            )


def _export_file(folder: Path, entry: dict[str, Any]) -> tuple[bytes, str]:
    relative = str(entry.get("file", ""))
    path = (folder / relative).resolve()
    if folder not in path.parents:
        raise InputError(f"the export names a file outside its folder ({relative!r}); refusing it.")
    digest = str(entry.get("sha256", ""))
    return read_verified(path, digest), digest


def import_patient(store: Store, folder: Path | str, *, actor: str = "") -> Patient:
    """Add the patient exported in `folder` to `store`; every file is verified first.

    Refuses (DuplicateRecordError) a patient ID that already exists. All or nothing: on any
    error the store is left as it was.
    """
    root = Path(folder).expanduser().resolve()
    manifest = _load_manifest(root)
    info = manifest.get("patient") or {}
    pid = validate.patient_id(info.get("patient_id"))
    # Verify every file before touching the store (ChecksumError names the damaged one).
    assessments = manifest.get("assessments") or []
    blobs: dict[str, bytes] = {}
    for item in assessments:
        if item.get("status") not in STATUSES:
            raise InputError(f"assessment {item.get('number')} in the export has an unknown status.")
        for entry in list(item.get("captures") or []) + list(item.get("reports") or []):
            blobs[str(entry["file"])], _ = _export_file(root, entry)
    stamp = validate.now_iso()
    actor = actor or "import"
    with _refuse_clashes(root / MANIFEST), store.db.write() as conn:
        existing = conn.execute("SELECT 1 FROM patients WHERE id_key = ?", (validate.id_key(pid),)).fetchone()
        if existing:
            raise DuplicateRecordError(
                f"patient {pid} already exists on this station; nothing was imported. "
                "Rename or remove the local record first."
            )
        audit = list(info.get("audit") or [])
        created = [e for e in audit if e.get("field") == "record" and e.get("new_value") == "created"]
        patient = store.create_patient(
            pid,
            name=info.get("name", ""),
            birth_date=info.get("birth_date"),
            sex=info.get("sex"),
            affected_side=info.get("affected_side"),
            notes=info.get("notes", ""),
            actor=created[0].get("actor", actor) if created else actor,
            created_at=info.get("created_at"),
        )
        ref = conn.execute("SELECT id FROM patients WHERE id_key = ?", (validate.id_key(pid),)).fetchone()[0]
        for entry in audit:
            if entry not in created:  # create_patient wrote the creation entry again
                _copy_audit(conn, entry, pid)
        for item in assessments:
            _import_assessment(store, conn, ref, item, blobs)
        _audit(conn, actor, "patient", pid, "record", None, "imported",
               f"from export of {manifest.get('exported_at', '?')}", at=stamp)
    log.info("patient %s imported with %d assessment(s)", pid, len(assessments))
    return store.get_patient(patient.patient_id)


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
    _audit(conn, entry.get("actor", ""), entry.get("entity", "patient"), entity_id, entry.get("field", ""),
           entry.get("old_value"), entry.get("new_value"), entry.get("reason", ""), at=entry.get("at"))


def _import_assessment(store: Store, conn: Any, ref: int, item: dict[str, Any], blobs: dict[str, bytes]) -> None:
    result = item.get("result")
    cur = conn.execute(
        "INSERT INTO assessments(patient_ref, status, model_grade, measured_grade, confirmed_grade,"
        " clinician, notes, result_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ref, item["status"],
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
    aid = int(cur.lastrowid)
    for capture in item.get("captures") or []:
        expr = validate.expression(capture.get("expression"))
        data = blobs[str(capture["file"])]
        ext = Path(str(capture["file"])).suffix.lstrip(".") or "png"
        relative = f"photos/{aid:06d}/{aid:06d}_{expr}_{capture['sha256'][:12]}.{ext}"
        _write_into_store(store, relative, data)
        conn.execute(
            "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json, captured_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (aid, expr, relative, capture["sha256"], validate.json_text(capture.get("quality"), "quality record"),
             capture.get("captured_at") or validate.now_iso()),
        )
    for report in item.get("reports") or []:
        relative = f"reports/{aid:06d}/{aid:06d}_report_{report['sha256'][:12]}.pdf"
        _write_into_store(store, relative, blobs[str(report["file"])])
        conn.execute(
            "INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (?, ?, ?, ?)",
            (aid, relative, report["sha256"], report.get("created_at") or validate.now_iso()),
        )
    for entry in item.get("audit") or []:
        _copy_audit(conn, entry, aid)


def _write_into_store(store: Store, relative: str, data: bytes) -> None:
    """Write an imported file; a rollback removes it again only if this import created it.

    A file already there (a data folder whose database was lost still holds its photos) is
    kept as it is when it holds the same bytes and refused when it does not: its bytes are
    never lost.
    """
    target = store.layout.resolve(relative)
    if target.exists():
        try:
            same = sha256_file(target) == sha256_bytes(data)
        except OSError as exc:
            raise storage_error_from_os(exc, "read", target) from exc
        if same:
            return
        raise DuplicateRecordError(
            f"{target} already holds a different file; nothing was imported. Move that file out of "
            "the data folder (run `palsy records check` to see whether it is recorded) and import again."
        )
    ensure_private_dir(target.parent)
    atomic_write(target, data)
    store.db.after_rollback(lambda: remove_file(target))
