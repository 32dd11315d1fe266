"""Read-only checks of the store: the audit trail, SQLite integrity, file checksums and files
that no row names."""

from __future__ import annotations

import sqlite3
from typing import Any

from app.records.errors import ChecksumError, StorageError
from app.records.files import read_verified, temp_owner_pid
from app.records.recovery import walk_data_files
from app.records.rows import AuditEntry, FileProblem
from app.records.store_base import StoreBase


class ChecksMixin(StoreBase):
    """`Store` methods behind the "check data" button and `palsy records check`."""

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

    def _file_rows(self) -> list[sqlite3.Row]:
        """file_name and sha256 of every recorded photo and report. `check` does not upgrade an
        old database, and the reports table only exists from schema version 3."""
        tables = {r[0] for r in self.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        parts = [f"SELECT file_name, sha256 FROM {t}" for t in ("captures", "reports") if t in tables]
        return self.db.query(" UNION ALL ".join(parts)) if parts else []

    def verify_files(self) -> list[FileProblem]:
        """Check every recorded photo and report against its sha256."""
        problems: list[FileProblem] = []
        for row in self._file_rows():
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

    def unrecorded_files(self) -> list[FileProblem]:
        """Photo and report files that no row names: left by a crash before its commit, or
        beside a database that was lost or replaced. Nothing is moved (`Store.open` moves old
        ones to recovered/); temporary files of writers are not counted."""
        files = walk_data_files(self.layout)  # before the rows: a photo recorded meanwhile is not reported
        recorded = {self.layout.resolve(r["file_name"]) for r in self._file_rows()}
        return [
            FileProblem(
                path.relative_to(self.layout.root).as_posix(),
                "unrecorded",
                f"{path} is recorded in no database row (left by a crash, or the database was lost "
                "or replaced); restore the database from a backup, or re-import the patient's export.",
            )
            for path in files
            if path.parent != self.layout.root and temp_owner_pid(path) is None and path not in recorded
        ]
