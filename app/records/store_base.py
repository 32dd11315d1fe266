"""What the parts of `Store` share: the audit writer, row look-ups and state checks.

`StoreBase` declares the attributes the parts use (`layout`, `db`; `Store.__init__` sets
them) and holds the look-ups that more than one part needs. Nothing here opens a transaction.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.records import validate
from app.records.db import Database
from app.records.errors import RecordNotFoundError, RecordStateError
from app.records.paths import DataLayout
from app.records.rows import Capture
from models.labels import EXPRESSIONS

_ASSESSMENT_SELECT = (
    "SELECT a.*, p.patient_id AS patient_id FROM assessments a JOIN patients p ON p.id = a.patient_ref"
)
_EXPRESSION_ORDER = {name: i for i, name in enumerate(EXPRESSIONS)}


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


class StoreBase:
    """The data folder and database of a `Store`, and the row look-ups its parts share."""

    layout: DataLayout
    db: Database

    def _patient_row(self, conn: sqlite3.Connection, patient_id: str) -> sqlite3.Row:
        key = validate.id_key(validate.patient_id(patient_id))
        row = conn.execute("SELECT * FROM patients WHERE id_key = ?", (key,)).fetchone()
        if row is None:
            raise RecordNotFoundError(f"no patient with ID {patient_id.strip()}; check the ID or create the patient.")
        return row

    def _assessment_row(self, conn: sqlite3.Connection, assessment_id: int) -> sqlite3.Row:
        row = conn.execute(_ASSESSMENT_SELECT + " WHERE a.id = ?", (int(assessment_id),)).fetchone()
        if row is None:
            raise RecordNotFoundError(f"no assessment number {assessment_id}.")
        return row

    @staticmethod
    def _require_status(row: sqlite3.Row, allowed: tuple[str, ...], action: str, hint: str) -> None:
        if row["status"] not in allowed:
            raise RecordStateError(
                f"cannot {action} assessment {row['id']}: it is {row['status']}; {hint}"
            )

    @staticmethod
    def _captures(conn: sqlite3.Connection, assessment_id: int) -> list[Capture]:
        rows = conn.execute("SELECT * FROM captures WHERE assessment_id = ?", (assessment_id,)).fetchall()
        return sorted((Capture.from_row(r) for r in rows), key=lambda c: _EXPRESSION_ORDER.get(c.expression, 99))
