"""Photo and report files in the store: written atomically before their rows, read verified.

A new file is removed again when its row is not committed; a replaced photo is deleted only
after the new row commits (see `_new_file` and `db.after_commit`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.records import validate
from app.records.errors import RecordNotFoundError, RecordStateError, StorageError
from app.records.files import REPORT_HINT, atomic_write, read_verified, remove_file, sha256_bytes
from app.records.imaging import PDF_MAGIC, decode_image, to_image_bytes
from app.records.paths import ensure_private_dir
from app.records.rows import AuditEntry, Capture, Report
from app.records.store_assessments import refuse_begun_elsewhere
from app.records.store_base import StoreBase, _audit
from models.errors import InputError

log = logging.getLogger("palsy.records")
class FilesMixin(StoreBase):
    """`Store` methods for captured photos and PDF reports."""

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
        refuse_begun_elsewhere(conn, row, "add photos to")  # before its file is written
        aid = int(row["id"])
        digest, relative, target = self._file_place("photos", aid, expr, data, ext)
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

    def withdraw_capture(self, assessment_id: int, expression: str, *, actor: str = "", reason: str = "retake") -> bool:
        """Take a draft's photo of `expression` off the record (the therapist rejected it with
        Retake): its row goes, audited, then its file. False when there was no such photo.

        The row is deleted first and the file only after the commit: a crash in between
        leaves an unrecorded file, which the store's crash recovery moves aside, never a row
        whose file is gone.
        """
        expr = validate.expression(expression)
        stamp = validate.now_iso()
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(row, ("draft",), "withdraw photos of", "start a new assessment to take new photos.")
            refuse_begun_elsewhere(conn, row, "withdraw photos of")  # its photos stay on record
            aid = int(row["id"])
            old = conn.execute(
                "SELECT * FROM captures WHERE assessment_id = ? AND expression = ?", (aid, expr)
            ).fetchone()
            if old is None:
                return False
            conn.execute("DELETE FROM captures WHERE id = ?", (old["id"],))
            _audit(conn, actor, "capture", aid, expr, old["sha256"], None, reason, at=stamp)
            conn.execute("UPDATE assessments SET updated_at = ? WHERE id = ?", (stamp, aid))
            old_path = self.layout.resolve(old["file_name"])
            self.db.after_commit(lambda: remove_file(old_path))
        log.debug("capture %s withdrawn from assessment %d (%s)", expr, aid, reason)
        return True

    def _file_place(self, folder: str, aid: int, name: str, data: bytes, ext: str) -> tuple[str, str, Path]:
        """(sha256, relative file name, absolute path with its folder created) of a new file:
        FOLDER/AID/AID_NAME_HASH12.EXT, so a retake or a new report never overwrites a file."""
        digest = sha256_bytes(data)
        relative = f"{folder}/{aid:06d}/{aid:06d}_{name}_{digest[:12]}.{ext}"
        target = self.layout.resolve(relative)
        ensure_private_dir(target.parent, inside=self.layout.root)
        return digest, relative, target

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
        capture = self.get_capture(assessment_id, expression)
        return decode_image(self.load_capture(assessment_id, expression), str(self.capture_path(capture)))

    # ----------------------------------------------------------------- reports
    def save_report(
        self, assessment_id: int, pdf: bytes, *, actor: str = "", expect: Mapping[str, str | None] | None = None,
        expect_patient: Mapping[str, str | None] | None = None,
        expect_visits: Sequence[tuple[int, str | None]] | None = None,
    ) -> Report:
        """Store a PDF report of a confirmed assessment (atomic, checksummed); earlier ones stay.

        `expect` (column -> value: confirmed_grade, clinician, notes, updated_at) is the record
        the PDF was rendered from: checked in the same transaction, so a grade confirmed again
        while the report was written is never vouched for by a report that shows the old one
        (RecordStateError, nothing stored). `expect_patient` (column -> value: name,
        birth_date, sex, affected_side) is the patient the PDF names, checked the same way: a
        name corrected at another station while the report was written was printed, and kept.
        `expect_visits` ((number, confirmed grade) of each of the patient's confirmed visits)
        is the grade history the PDF prints: a visit withdrawn or confirmed again at another
        station meanwhile was printed as it had been.
        """
        data = bytes(pdf)
        if not data.startswith(PDF_MAGIC):
            raise InputError("the report is not a PDF file.")
        row = self._assessment_row(self.db.connection(), assessment_id)
        self._require_status(row, ("confirmed",), "save a report for", "the clinician must confirm the grade first.")
        aid = int(row["id"])
        digest, relative, target = self._file_place("reports", aid, "report", data, "pdf")
        stamp = validate.now_iso()
        with self._new_file(target, data) as cleanup, self.db.write() as conn:
            self.db.after_rollback(cleanup)
            if expect:
                _require_unchanged(self._assessment_row(conn, aid), expect)
            if expect_patient:
                _require_same_patient(conn, row, expect_patient)
            if expect_visits is not None:
                _require_same_visits(conn, row, expect_visits)
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

    def report_with_sha256(self, sha256: str) -> Report | None:
        """The stored report whose recorded sha256 is `sha256` (the first stored, if the same
        bytes were stored twice), or None; `palsy records verify` looks a PDF up with it."""
        rows = self.db.query("SELECT * FROM reports WHERE sha256 = ? ORDER BY id LIMIT 1", (sha256.lower(),))
        return Report.from_row(rows[0]) if rows else None

    def report_entry_with_sha256(self, sha256: str) -> AuditEntry | None:
        """The audit entry that recorded a report with this sha256 (the first), or None. An
        export leaves out the report of a visit marked entered in error and keeps its entry:
        at a station that imported the patient, `palsy records verify` knows it only by this."""
        rows = self.db.query("SELECT * FROM audit WHERE entity = 'report' AND field = 'report'"
                             " AND lower(new_value) = ? ORDER BY id LIMIT 1", (sha256.lower(),))
        return AuditEntry.from_row(rows[0]) if rows else None

    def report_sizes(self) -> set[int] | None:
        """The sizes in bytes of the stored reports' files, or None when one cannot be known (a
        missing or unreadable file, whose recorded sha256 may still match): `palsy records
        verify` hashes a PDF only when its size is one of them."""
        sizes = set()
        for row in self.db.query("SELECT file_name FROM reports"):
            try:
                sizes.add(os.stat(self.layout.resolve(row["file_name"])).st_size)
            except (OSError, StorageError):
                return None
        return sizes

    def load_report(self, report: Report) -> bytes:
        """A report's PDF bytes, verified against its sha256."""
        return read_verified(self.layout.resolve(report.file_name), report.sha256, REPORT_HINT)


_EXPECTABLE = ("confirmed_grade", "clinician", "notes", "updated_at")


_PATIENT_EXPECTABLE = ("name", "birth_date", "sex", "affected_side")


def _require_same_patient(conn: Any, assessment: Any, expect: Mapping[str, str | None]) -> None:
    """RecordStateError when the assessment's patient no longer holds what `expect` says (the
    patient a report names)."""
    unknown = set(expect) - set(_PATIENT_EXPECTABLE)
    if unknown:
        raise ValueError(f"save_report cannot check the patient's {sorted(unknown)}")
    row = conn.execute("SELECT * FROM patients WHERE id = ?", (assessment["patient_ref"],)).fetchone()
    changed = [name.replace("_", " ") for name, value in expect.items() if (row[name] or "") != (value or "")]
    if changed:
        raise RecordStateError(
            f"patient {row['patient_id']}'s record ({', '.join(changed)}) changed while the report of assessment "
            f"{assessment['id']} was written; the report was not saved: export again."
        )


def _require_same_visits(conn: Any, assessment: Any, expect: Sequence[tuple[int, str | None]]) -> None:
    """RecordStateError when the patient's confirmed visits or their grades differ from
    `expect`, the grade history a report prints (a draft begun meanwhile changes nothing)."""
    now = [(int(r[0]), r[1]) for r in conn.execute(
        "SELECT id, confirmed_grade FROM assessments WHERE patient_ref = ? AND status = 'confirmed' ORDER BY id",
        (assessment["patient_ref"],))]
    if now != sorted((int(number), grade) for number, grade in expect):
        raise RecordStateError(
            f"the other visits of patient {assessment['patient_id']} changed while the report of assessment "
            f"{assessment['id']} was written (one marked entered in error or confirmed again): the report was not "
            "saved: export again."
        )


def _require_unchanged(row: Any, expect: Mapping[str, str | None]) -> None:
    """RecordStateError when the assessment `row` no longer holds what `expect` says (the
    decision a report was rendered from)."""
    unknown = set(expect) - set(_EXPECTABLE)
    if unknown:
        raise ValueError(f"save_report cannot check {sorted(unknown)}")
    changed = [name for name, value in expect.items() if (row[name] or "") != (value or "")]
    if changed:
        raise RecordStateError(
            f"assessment {row['id']} changed while its report was written ({', '.join(changed)}); "
            "the report was not saved: export again."
        )
