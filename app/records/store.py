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

`Store.open_existing` opens a store read-only for `palsy records check`: it creates, upgrades
and moves nothing, and refuses a missing folder or database instead of making a new one.

This module opens and closes the store and groups calls in transactions; the methods live in
the parts `Store` combines: `store_patients`, `store_assessments`, `store_files` (photos and
reports) and `store_checks` (audit trail, integrity, file checksums), on `store_base`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.records.db import Database
from app.records.errors import StorageError, storage_error_from_sqlite
from app.records.files import temp_owner_pid
from app.records.migrations import LATEST_VERSION, migrate, schema_version
from app.records.paths import ENV_VAR, DataLayout, ensure_private_file
from app.records.recovery import RecoveryReport, recover, walk_data_files
from app.records.store_assessments import AssessmentsMixin
from app.records.store_base import _audit as _audit  # re-exported: transfer.py imports it from here
from app.records.store_checks import ChecksMixin
from app.records.store_files import FilesMixin
from app.records.store_patients import SEARCH_LIMIT as SEARCH_LIMIT
from app.records.store_patients import PatientsMixin

log = logging.getLogger("palsy.records")


@contextmanager
def _closed_on_error(db: Database) -> Iterator[None]:
    """Close `db` when the block fails; a SQLite failure becomes a StorageError naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        db.close()
        raise storage_error_from_sqlite(exc, db.path) from exc
    except BaseException:
        db.close()
        raise


class Store(PatientsMixin, AssessmentsMixin, FilesMixin, ChecksMixin):
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
        with _closed_on_error(db):
            conn = db.connection()
            version = schema_version(conn)
            if 0 < version < LATEST_VERSION:
                _backup(conn, layout.root / f"{layout.db_path.name}.v{version}.bak")
            applied = migrate(conn)
        if applied:
            log.info("database schema upgraded to version %d (applied %s)", LATEST_VERSION, applied)
        store = cls(layout, db)
        if recover_files:
            store.recovery = recover(layout, db.connection())
        return store

    @classmethod
    def open_existing(cls, folder: Path | str | None = None) -> Store:
        """Open the store in `folder` read-only, for checking: nothing is created, upgraded or moved.

        StorageError (naming the path) when the folder or its database is missing, or the
        database is empty: a check must not mistake a wrong or damaged folder for a new store.
        """
        layout = DataLayout.locate(folder)
        if not layout.root.is_dir():
            raise StorageError(
                f"there is no data folder {layout.root}; nothing was created. "
                f"Check the folder given with --data or in {ENV_VAR}."
            )
        stray = sum(1 for p in walk_data_files(layout) if p.parent != layout.root and temp_owner_pid(p) is None)
        held = f"; {stray} photo or report file(s) beside it are recorded nowhere" if stray else ""
        restore = f"Restore {layout.db_path.name} from a backup, or check the folder given with --data."
        if not layout.db_path.is_file():
            raise StorageError(f"the database {layout.db_path} is missing{held}; nothing was created. {restore}")
        db = Database(layout.db_path, read_only=True)
        with _closed_on_error(db):
            version = schema_version(db.connection())
        if version == 0:
            db.close()
            raise StorageError(f"the database {layout.db_path} is empty (it holds no records){held}. {restore}")
        return cls(layout, db)

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
