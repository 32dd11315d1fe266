"""The patient record store: SQLite rows plus atomically written, checksummed files.

Typical use (GUI and `palsy assess`):

    store = Store.open()                      # PALSY_HOME or the platform data folder
    store.create_patient("MRN-001", name=..., birth_date="1970-01-31", affected_side="left")
    a = store.start_assessment("MRN-001")
    store.save_capture(a.id, "rest", rgb_array, quality={...})   # photo on disk first
    store.record_results(a.id, assessment_json, model_grade="III", measured_grade="III")
    store.confirm_grade(a.id, "IV", clinician="Dr Who", notes="...")  # audited override
    store.save_report(a.id, pdf_bytes)
    for draft in store.unfinished_assessments(): ...               # offer to resume at start

Rules that keep data safe: a photo is written (temp, fsync, rename, verify) before its row is
committed, so every recorded photo exists; a retake gets a new file name and the old file is
deleted only after the new row commits; every change of a grade, note, status or patient
field is written to the append-only audit trail in the same transaction. Logs carry patient
IDs and assessment numbers, never names. See `db` for the threading rules.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.records import validate
from app.records.db import Database
from app.records.errors import (
    ChecksumError,
    DuplicateRecordError,
    RecordNotFoundError,
    RecordStateError,
    StorageError,
    storage_error_from_sqlite,
)
from app.records.files import atomic_write, read_verified, remove_file, sha256_bytes
from app.records.imaging import PDF_MAGIC, decode_image, to_image_bytes
from app.records.migrations import LATEST_VERSION, migrate, schema_version
from app.records.paths import DataLayout, ensure_private_dir, ensure_private_file
from app.records.recovery import RecoveryReport, quarantine_orphans, recover
from app.records.rows import (
    Assessment,
    AuditEntry,
    Capture,
    Draft,
    FileProblem,
    Patient,
    Report,
)
from models.errors import InputError
from models.labels import EXPRESSIONS

log = logging.getLogger("palsy.records")

_ASSESSMENT_SELECT = (
    "SELECT a.*, p.patient_id AS patient_id FROM assessments a JOIN patients p ON p.id = a.patient_ref"
)
_PATIENT_FIELDS = ("name", "birth_date", "sex", "affected_side", "notes")
_EXPRESSION_ORDER = {name: i for i, name in enumerate(EXPRESSIONS)}
SEARCH_LIMIT = 50


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) bounds matching every string that starts with `prefix` (index-friendly)."""
    return prefix, prefix + "\U0010ffff"


def _audit(
    conn: sqlite3.Connection,
    actor: str,
    entity: str,
    entity_id: Any,
    field: str,
    old: Any,
    new: Any,
    reason: str = "",
    at: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit(at, actor, entity, entity_id, field, old_value, new_value, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            at or validate.now_iso(),
            actor or "unknown",
            entity,
            str(entity_id),
            field,
            None if old is None else str(old),
            None if new is None else str(new),
            reason,
        ),
    )


class Store:
    """Patients, assessments, captures, reports and the audit trail in one data folder."""

    def __init__(self, layout: DataLayout, db: Database) -> None:
        self.layout = layout
        self.db = db
        self.recovery: RecoveryReport | None = None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, folder: Path | str | None = None, *, recover_files: bool = True) -> Store:
        """Open (creating or upgrading as needed) the store in `folder` (default: data folder).

        Upgrading first copies the database to `palsy.db.vN.bak`. With `recover_files`, the
        temporary files of writers that died are deleted and photos no row names (a crash
        between writing and recording) are moved to `recovered/` (see `recovery`).
        """
        layout = DataLayout.create(folder)
        ensure_private_file(layout.db_path)  # SQLite gives -wal/-shm the same 0o600 mode
        db = Database(layout.db_path)
        try:
            conn = db.connection()
            version = schema_version(conn)
            if 0 < version < LATEST_VERSION:
                _backup(conn, layout.root / f"{layout.db_path.name}.v{version}.bak")
            applied = migrate(conn)
        except sqlite3.Error as exc:
            db.close()
            raise storage_error_from_sqlite(exc, layout.db_path) from exc
        except BaseException:
            db.close()
            raise
        if applied:
            log.info("database schema upgraded to version %d (applied %s)", LATEST_VERSION, applied)
        store = cls(layout, db)
        if recover_files:
            store.recovery = recover(layout)
            store.recovery.recovered_orphans = quarantine_orphans(layout, db.connection())
        return store

    def close(self) -> None:
        """Close all connections. The store cannot be used afterwards."""
        self.db.close()

    def release_thread(self) -> None:
        """Close the calling thread's connection; worker threads call this before they end."""
        self.db.release_thread()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The data folder."""
        return self.layout.root

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several store calls in one transaction (all or nothing); used for bulk work."""
        with self.db.write():
            yield

    # ----------------------------------------------------------------- patients
    def create_patient(
        self,
        patient_id: str,
        *,
        name: str = "",
        birth_date: Any = None,
        sex: str | None = None,
        affected_side: str | None = None,
        notes: str = "",
        actor: str = "",
        created_at: str | None = None,
    ) -> Patient:
        """Add a patient; DuplicateRecordError when the ID (case-insensitive) exists."""
        pid = validate.patient_id(patient_id)
        values = {
            "name": validate.text(name, "name", max_len=200),
            "birth_date": validate.birth_date(birth_date),
            "sex": validate.sex(sex),
            "affected_side": validate.side(affected_side),
            "notes": validate.text(notes, "notes"),
        }
        stamp = created_at or validate.now_iso()
        try:
            with self.db.write() as conn:
                cur = conn.execute(
                    "INSERT INTO patients(patient_id, id_key, name, birth_date, sex, affected_side,"
                    " notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (pid, validate.id_key(pid), *values.values(), stamp, stamp),
                )
                self._set_terms(conn, cur.lastrowid, values["name"])
                _audit(conn, actor, "patient", pid, "record", None, "created", at=stamp)
        except sqlite3.IntegrityError:
            raise DuplicateRecordError(
                f"a patient with ID {pid} already exists; open it from the search instead."
            ) from None
        log.info("patient %s created", pid)
        return self.get_patient(pid)

    @staticmethod
    def _set_terms(conn: sqlite3.Connection, ref: int, name: str) -> None:
        conn.execute("DELETE FROM patient_terms WHERE patient_ref = ?", (ref,))
        conn.executemany(
            "INSERT OR IGNORE INTO patient_terms(term, patient_ref) VALUES (?, ?)",
            [(term, ref) for term in validate.name_terms(name)],
        )

    def update_patient(self, patient_id: str, *, actor: str, **changes: Any) -> Patient:
        """Change name, birth_date, sex, affected_side or notes; each change is audited."""
        unknown = set(changes) - set(_PATIENT_FIELDS)
        if unknown:
            raise TypeError(f"unknown patient field(s): {', '.join(sorted(unknown))}")
        cleaners = {
            "name": lambda v: validate.text(v, "name", max_len=200),
            "birth_date": validate.birth_date,
            "sex": validate.sex,
            "affected_side": validate.side,
            "notes": lambda v: validate.text(v, "notes"),
        }
        clean = {key: cleaners[key](value) for key, value in changes.items()}
        with self.db.write() as conn:
            row = self._patient_row(conn, patient_id)
            stamp = validate.now_iso()
            changed = {k: v for k, v in clean.items() if row[k] != v}
            for key, value in changed.items():
                conn.execute(f"UPDATE patients SET {key} = ? WHERE id = ?", (value, row["id"]))
                _audit(conn, actor, "patient", row["patient_id"], key, row[key], value, at=stamp)
            if changed:
                conn.execute("UPDATE patients SET updated_at = ? WHERE id = ?", (stamp, row["id"]))
            if "name" in changed:
                self._set_terms(conn, row["id"], changed["name"])
        if changed:
            log.info("patient %s updated: %s", row["patient_id"], ", ".join(sorted(changed)))
        return self.get_patient(row["patient_id"])

    def _patient_row(self, conn: sqlite3.Connection, patient_id: str) -> sqlite3.Row:
        key = validate.id_key(validate.patient_id(patient_id))
        row = conn.execute("SELECT * FROM patients WHERE id_key = ?", (key,)).fetchone()
        if row is None:
            raise RecordNotFoundError(f"no patient with ID {patient_id.strip()}; check the ID or create the patient.")
        return row

    def get_patient(self, patient_id: str) -> Patient:
        """The patient with this ID (case-insensitive); RecordNotFoundError if none."""
        return Patient.from_row(self._patient_row(self.db.connection(), patient_id))

    def search_patients(self, prefix: str, limit: int = SEARCH_LIMIT) -> list[Patient]:
        """Patients whose ID, full name or any name word starts with `prefix` (case-insensitive).

        ID matches come first (by ID), then name matches (by the matching name term). Both
        walk an index in order and stop at `limit`, so a one-letter prefix on a large clinic
        costs no more than a precise one. An empty prefix lists the most recently updated.
        """
        key = validate.search_key(prefix)
        if limit <= 0:
            return []
        if not key:
            rows = self.db.query("SELECT * FROM patients ORDER BY updated_at DESC LIMIT ?", (limit,))
            return [Patient.from_row(r) for r in rows]
        low, high = _prefix_range(key)
        with self.db.read() as conn:
            found = {
                r["id"]: r
                for r in conn.execute(
                    "SELECT * FROM patients WHERE id_key >= ? AND id_key < ? ORDER BY id_key LIMIT ?",
                    (low, high, limit),
                )
            }
            if len(found) < limit:
                cursor = conn.execute(
                    "SELECT p.* FROM patient_terms t JOIN patients p ON p.id = t.patient_ref"
                    " WHERE t.term >= ? AND t.term < ? ORDER BY t.term, t.patient_ref",
                    (low, high),
                )
                for row in cursor:  # streamed in index order: stop as soon as enough
                    found.setdefault(row["id"], row)
                    if len(found) >= limit:
                        break
        return [Patient.from_row(r) for r in found.values()]

    def count_patients(self) -> int:
        """Number of patients."""
        return int(self.db.query("SELECT COUNT(*) FROM patients")[0][0])

    # ----------------------------------------------------------------- assessments
    def start_assessment(self, patient_id: str, *, actor: str = "", created_at: str | None = None) -> Assessment:
        """A new draft assessment for the patient."""
        stamp = created_at or validate.now_iso()
        with self.db.write() as conn:
            row = self._patient_row(conn, patient_id)
            cur = conn.execute(
                "INSERT INTO assessments(patient_ref, status, created_at, updated_at) VALUES (?, 'draft', ?, ?)",
                (row["id"], stamp, stamp),
            )
            aid = int(cur.lastrowid)
            _audit(conn, actor, "assessment", aid, "status", None, "draft", f"patient {row['patient_id']}", at=stamp)
        log.info("assessment %d started for patient %s", aid, row["patient_id"])
        return self.get_assessment(aid)

    def _assessment_row(self, conn: sqlite3.Connection, assessment_id: int) -> sqlite3.Row:
        row = conn.execute(_ASSESSMENT_SELECT + " WHERE a.id = ?", (int(assessment_id),)).fetchone()
        if row is None:
            raise RecordNotFoundError(f"no assessment number {assessment_id}.")
        return row

    def get_assessment(self, assessment_id: int) -> Assessment:
        """The assessment with this number; RecordNotFoundError if none."""
        return Assessment.from_row(self._assessment_row(self.db.connection(), assessment_id))

    @staticmethod
    def _require_status(row: sqlite3.Row, allowed: tuple[str, ...], action: str, hint: str) -> None:
        if row["status"] not in allowed:
            raise RecordStateError(
                f"cannot {action} assessment {row['id']}: it is {row['status']}; {hint}"
            )

    def record_results(
        self,
        assessment_id: int,
        result: Mapping[str, Any],
        *,
        model_grade: str | None,
        measured_grade: str | None = None,
        actor: str = "model",
    ) -> Assessment:
        """Store the analysis (assessment.json) and grades; the assessment becomes 'analysed'."""
        model = validate.optional_grade(model_grade, "model grade")
        measured = validate.optional_grade(measured_grade, "measured grade")
        payload = validate.json_text(result, "analysis result")
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(
                row, ("draft", "analysed"), "store results for",
                "start a new assessment to analyse again after confirmation.",
            )
            stamp = validate.now_iso()
            conn.execute(
                "UPDATE assessments SET status = 'analysed', model_grade = ?, measured_grade = ?,"
                " result_json = ?, updated_at = ? WHERE id = ?",
                (model, measured, payload, stamp, row["id"]),
            )
            for field, new in (("status", "analysed"), ("model_grade", model), ("measured_grade", measured)):
                if row[field] != new:
                    _audit(conn, actor, "assessment", row["id"], field, row[field], new, at=stamp)
        log.info("assessment %d analysed (patient %s)", row["id"], row["patient_id"])
        return self.get_assessment(row["id"])

    def confirm_grade(
        self, assessment_id: int, grade: str, clinician: str, notes: str | None = None
    ) -> Assessment:
        """The clinician confirms or overrides the grade and signs; every change is audited.

        Allowed on analysed assessments and again on confirmed ones (a later change is
        audited the same way). The audit reason says whether it overrides the model's grade.
        """
        confirmed = validate.grade(grade, "confirmed grade")
        signer = validate.text(clinician, "clinician name", max_len=200)
        if not signer:
            raise InputError("the clinician's name is required to confirm a grade; type your name to sign.")
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(
                row, ("analysed", "confirmed"), "confirm a grade for", "analyse it first."
            )
            new_notes = row["notes"] if notes is None else validate.text(notes, "notes")
            stamp = validate.now_iso()
            model = row["model_grade"]
            if model and confirmed != model:
                reason = f"override of model grade {model}"
            elif model:
                reason = f"agrees with model grade {model}"
            else:
                reason = "no model grade"
            changes = {
                "confirmed_grade": confirmed,
                "clinician": signer,
                "notes": new_notes,
                "status": "confirmed",
            }
            for field, new in changes.items():
                if row[field] != new:
                    _audit(conn, signer, "assessment", row["id"], field, row[field], new,
                           reason if field == "confirmed_grade" else "", at=stamp)
            conn.execute(
                "UPDATE assessments SET confirmed_grade = ?, clinician = ?, notes = ?, status = 'confirmed',"
                " updated_at = ? WHERE id = ?",
                (confirmed, signer, new_notes, stamp, row["id"]),
            )
        log.info("assessment %d confirmed as %s (%s)", row["id"], confirmed, reason)
        return self.get_assessment(row["id"])

    def discard_assessment(self, assessment_id: int, *, actor: str, reason: str = "") -> Assessment:
        """Mark an unconfirmed assessment discarded (not offered for resumption); files are kept."""
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(row, ("draft", "analysed"), "discard", "confirmed assessments are kept.")
            stamp = validate.now_iso()
            conn.execute(
                "UPDATE assessments SET status = 'discarded', updated_at = ? WHERE id = ?", (stamp, row["id"])
            )
            _audit(conn, actor, "assessment", row["id"], "status", row["status"], "discarded",
                   validate.text(reason, "reason", max_len=500), at=stamp)
        log.info("assessment %d discarded", row["id"])
        return self.get_assessment(row["id"])

    def history(self, patient_id: str, *, include_discarded: bool = False) -> list[Assessment]:
        """Every assessment of the patient, oldest first (for the history view and plot)."""
        with self.db.read() as conn:
            ref = self._patient_row(conn, patient_id)["id"]
            sql = _ASSESSMENT_SELECT + " WHERE a.patient_ref = ?"
            if not include_discarded:
                sql += " AND a.status != 'discarded'"
            rows = conn.execute(sql + " ORDER BY a.created_at, a.id", (ref,)).fetchall()
        return [Assessment.from_row(r) for r in rows]

    def unfinished_assessments(self) -> list[Draft]:
        """Drafts (capture not finished or not analysed), newest first, with their photos."""
        with self.db.read() as conn:
            rows = conn.execute(
                _ASSESSMENT_SELECT + " WHERE a.status = 'draft' ORDER BY a.updated_at DESC, a.id DESC"
            ).fetchall()
            drafts = [
                Draft(Assessment.from_row(r), tuple(self._captures(conn, r["id"]))) for r in rows
            ]
        return drafts

    # ----------------------------------------------------------------- captures
    def save_capture(
        self,
        assessment_id: int,
        expression: str,
        image: Any,
        quality: Mapping[str, Any] | None = None,
        *,
        actor: str = "",
        captured_at: str | None = None,
    ) -> Capture:
        """Save a photo the moment it is taken: file first (atomic, verified), then its row.

        `image`: PNG/JPEG bytes or an RGB uint8 array. A retake of the same expression
        replaces the previous photo (audited; the old file is deleted after the commit).
        Only drafts take photos. StorageError leaves the earlier photos and rows untouched.
        """
        expr = validate.expression(expression)
        quality_text = validate.json_text(quality, "quality record")
        data, ext = to_image_bytes(image)
        conn = self.db.connection()
        row = self._assessment_row(conn, assessment_id)
        self._require_status(row, ("draft",), "add photos to", "start a new assessment to take new photos.")
        aid = int(row["id"])
        digest = sha256_bytes(data)
        relative = f"photos/{aid:06d}/{aid:06d}_{expr}_{digest[:12]}.{ext}"
        target = self.layout.resolve(relative)
        ensure_private_dir(target.parent)
        stamp = captured_at or validate.now_iso()
        with self._new_file(target, data) as cleanup, self.db.write() as conn:
            self.db.after_rollback(cleanup)
            old = conn.execute(
                "SELECT * FROM captures WHERE assessment_id = ? AND expression = ?", (aid, expr)
            ).fetchone()
            current = self._assessment_row(conn, aid)  # re-check under the write lock
            self._require_status(current, ("draft",), "add photos to", "start a new assessment.")
            if old is None:
                conn.execute(
                    "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json,"
                    " captured_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (aid, expr, relative, digest, quality_text, stamp),
                )
            else:
                conn.execute(
                    "UPDATE captures SET file_name = ?, sha256 = ?, quality_json = ?, captured_at = ?"
                    " WHERE id = ?",
                    (relative, digest, quality_text, stamp, old["id"]),
                )
                _audit(conn, actor, "capture", aid, expr, old["sha256"], digest, "retake", at=stamp)
                if old["file_name"] != relative:
                    old_path = self.layout.resolve(old["file_name"])
                    self.db.after_commit(lambda: remove_file(old_path))
            conn.execute("UPDATE assessments SET updated_at = ? WHERE id = ?", (stamp, aid))
        log.debug("capture %s saved for assessment %d (patient %s)", expr, aid, row["patient_id"])
        return self.get_capture(aid, expr)

    @contextmanager
    def _new_file(self, target: Path, data: bytes) -> Iterator[Callable[[], None]]:
        """Write `target` atomically before its row; remove it again if the row is not committed.

        Yields the cleanup to register with `after_rollback` (for an enclosing transaction); a
        failure before or at this block's own commit (e.g. BEGIN refused) cleans up at once.
        A file that already existed (same content, same name: a row may use it) is kept.
        """
        existed = target.exists()
        atomic_write(target, data)

        def cleanup() -> None:
            if not existed:
                remove_file(target)

        try:
            yield cleanup
        except BaseException:
            if not self.db.in_transaction():
                cleanup()
            raise

    @staticmethod
    def _captures(conn: sqlite3.Connection, assessment_id: int) -> list[Capture]:
        rows = conn.execute("SELECT * FROM captures WHERE assessment_id = ?", (assessment_id,)).fetchall()
        return sorted((Capture.from_row(r) for r in rows), key=lambda c: _EXPRESSION_ORDER.get(c.expression, 99))

    def captures(self, assessment_id: int) -> list[Capture]:
        """The assessment's photos in wizard order."""
        return self._captures(self.db.connection(), int(assessment_id))

    def get_capture(self, assessment_id: int, expression: str) -> Capture:
        """One capture; RecordNotFoundError when that expression was not taken."""
        rows = self.db.query(
            "SELECT * FROM captures WHERE assessment_id = ? AND expression = ?",
            (int(assessment_id), validate.expression(expression)),
        )
        if not rows:
            raise RecordNotFoundError(f"assessment {assessment_id} has no {expression} photo; capture it first.")
        return Capture.from_row(rows[0])

    def capture_path(self, capture: Capture) -> Path:
        """Absolute path of a capture's photo."""
        return self.layout.resolve(capture.file_name)

    def load_capture(self, assessment_id: int, expression: str) -> bytes:
        """The photo's bytes, verified against its sha256 (ChecksumError when damaged)."""
        capture = self.get_capture(assessment_id, expression)
        try:
            return read_verified(self.capture_path(capture), capture.sha256)
        except StorageError:
            # A retake in another thread/process may have replaced the row and deleted the
            # file between our two reads: read the row again once before reporting a loss.
            fresh = self.get_capture(assessment_id, expression)
            if fresh.file_name == capture.file_name and fresh.sha256 == capture.sha256:
                raise
            return read_verified(self.capture_path(fresh), fresh.sha256)

    def load_capture_image(self, assessment_id: int, expression: str) -> Any:
        """The verified photo as an RGB uint8 array."""
        return decode_image(self.load_capture(assessment_id, expression))

    # ----------------------------------------------------------------- reports
    def save_report(self, assessment_id: int, pdf: bytes, *, actor: str = "") -> Report:
        """Store a PDF report of a confirmed assessment (atomic, checksummed); earlier ones stay."""
        data = bytes(pdf)
        if not data.startswith(PDF_MAGIC):
            raise InputError("the report is not a PDF file.")
        row = self._assessment_row(self.db.connection(), assessment_id)
        self._require_status(row, ("confirmed",), "save a report for", "the clinician must confirm the grade first.")
        aid = int(row["id"])
        digest = sha256_bytes(data)
        relative = f"reports/{aid:06d}/{aid:06d}_report_{digest[:12]}.pdf"
        target = self.layout.resolve(relative)
        ensure_private_dir(target.parent)
        stamp = validate.now_iso()
        with self._new_file(target, data) as cleanup, self.db.write() as conn:
            self.db.after_rollback(cleanup)
            existing = conn.execute("SELECT id FROM reports WHERE file_name = ?", (relative,)).fetchone()
            if existing is None:
                cur = conn.execute(
                    "INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (?, ?, ?, ?)",
                    (aid, relative, digest, stamp),
                )
                report_id = int(cur.lastrowid)
                _audit(conn, actor, "report", aid, "report", None, digest, at=stamp)
            else:
                report_id = int(existing["id"])
        log.info("report saved for assessment %d", aid)
        return Report.from_row(self.db.query("SELECT * FROM reports WHERE id = ?", (report_id,))[0])

    def reports(self, assessment_id: int) -> list[Report]:
        """The assessment's saved reports, oldest first."""
        rows = self.db.query("SELECT * FROM reports WHERE assessment_id = ? ORDER BY id", (int(assessment_id),))
        return [Report.from_row(r) for r in rows]

    def load_report(self, report: Report) -> bytes:
        """A report's PDF bytes, verified against its sha256."""
        return read_verified(self.layout.resolve(report.file_name), report.sha256)

    # ----------------------------------------------------------------- audit and checks
    def audit_trail(self, entity: str | None = None, entity_id: Any = None) -> list[AuditEntry]:
        """Audit entries, oldest first, optionally for one entity ('assessment', 42)."""
        sql, params = "SELECT * FROM audit", []
        if entity is not None:
            sql += " WHERE entity = ?"
            params.append(entity)
            if entity_id is not None:
                sql += " AND entity_id = ?"
                params.append(str(entity_id))
        return [AuditEntry.from_row(r) for r in self.db.query(sql + " ORDER BY id", params)]

    def integrity_problems(self) -> list[str]:
        """SQLite's integrity check and foreign key check; empty when the database is sound."""
        conn = self.db.connection()
        result = [r[0] for r in self.db.query("PRAGMA integrity_check")]
        problems = [] if result == ["ok"] else result
        problems += [f"broken reference in {r[0]} row {r[1]}" for r in conn.execute("PRAGMA foreign_key_check")]
        return problems

    def verify_files(self) -> list[FileProblem]:
        """Check every recorded photo and report against its sha256."""
        rows = self.db.query(
            "SELECT file_name, sha256 FROM captures UNION ALL SELECT file_name, sha256 FROM reports"
        )
        problems: list[FileProblem] = []
        for row in rows:
            try:
                read_verified(self.layout.resolve(row["file_name"]), row["sha256"])
            except StorageError as exc:
                path = self.layout.resolve(row["file_name"])
                if isinstance(exc, ChecksumError):
                    kind = "checksum"
                else:
                    kind = "unreadable" if path.exists() else "missing"
                problems.append(FileProblem(row["file_name"], kind, str(exc)))
        return problems


def _backup(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the live database to `target` (0o600) with SQLite's online backup."""
    if target.exists():
        return
    ensure_private_file(target)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
