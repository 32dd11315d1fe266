"""Read-only checks of the store: the audit trail, SQLite integrity and file checksums."""

from __future__ import annotations

from typing import Any

from app.records.errors import ChecksumError, StorageError
from app.records.files import read_verified
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
