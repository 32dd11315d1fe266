"""Plain, immutable records returned by the store (no database handles inside).

Identifying fields (name, date of birth, notes) are left out of `repr`, so a record that
ends up in a log line or a traceback shows the patient ID at most.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, fields
from typing import Any

from models.labels import EXPRESSIONS

STATUSES: tuple[str, ...] = ("draft", "analysed", "confirmed", "discarded")


def _from_row(cls: type, row: sqlite3.Row, **decoded: Any) -> Any:
    """`cls` built from the row's columns of the same names; `decoded` replaces the fields
    whose column holds JSON (named differently in the table)."""
    return cls(**{f.name: decoded[f.name] if f.name in decoded else row[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Patient:
    patient_id: str
    name: str = field(repr=False)
    birth_date: str | None = field(repr=False)
    sex: str | None
    affected_side: str | None
    notes: str = field(repr=False)
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Patient:
        return _from_row(cls, row)


@dataclass(frozen=True)
class Assessment:
    id: int
    patient_id: str
    status: str
    model_grade: str | None
    measured_grade: str | None
    confirmed_grade: str | None
    clinician: str
    notes: str = field(repr=False)
    result: dict[str, Any] | None = field(repr=False)
    created_at: str
    updated_at: str

    @property
    def grade(self) -> str | None:
        """The grade to show: the clinician's when confirmed, else the model's."""
        return self.confirmed_grade or self.model_grade

    @property
    def overridden(self) -> bool:
        """True when the clinician confirmed a grade different from the model's."""
        return bool(self.confirmed_grade and self.model_grade and self.confirmed_grade != self.model_grade)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Assessment:
        raw = row["result_json"]
        return _from_row(cls, row, result=json.loads(raw) if raw else None)


@dataclass(frozen=True)
class Capture:
    id: int
    assessment_id: int
    expression: str
    file_name: str  # relative to the data folder, '/'-separated
    sha256: str
    quality: dict[str, Any]
    captured_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Capture:
        return _from_row(cls, row, quality=json.loads(row["quality_json"] or "{}"))


@dataclass(frozen=True)
class Report:
    id: int
    assessment_id: int
    file_name: str
    sha256: str
    created_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Report:
        return _from_row(cls, row)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    entity: str  # 'patient', 'assessment', 'capture', 'report'
    entity_id: str  # patient ID or assessment number
    field: str
    old_value: str | None = field(repr=False)  # may hold a name: kept out of repr
    new_value: str | None = field(repr=False)
    reason: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return _from_row(cls, row)


@dataclass(frozen=True)
class Draft:
    """An unfinished assessment to offer for resumption, with the photos taken so far."""

    assessment: Assessment
    captures: tuple[Capture, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Expressions still to capture, in wizard order."""
        done = {c.expression for c in self.captures}
        return tuple(e for e in EXPRESSIONS if e not in done)


RECENT = "recent"


@dataclass(frozen=True)
class FileProblem:
    """A recorded file that is missing or does not match its sha256, or a file no row names."""

    file_name: str
    # 'missing', 'checksum', 'unreadable', 'unrecorded', 'partial' (left by an interrupted write),
    # or 'recent': unrecorded but younger than crash recovery's hour (a save or an import may
    # still be in progress): listed, not a problem (`is_problem`).
    problem: str
    detail: str

    @property
    def is_problem(self) -> bool:
        return self.problem != RECENT
