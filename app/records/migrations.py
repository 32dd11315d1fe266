"""Schema versions of the record database, applied in order from version 1 upwards.

The version lives in `PRAGMA user_version` and each applied step is listed in the
`schema_migrations` table. A migration, once released, is never edited: a change is a new
step appended to MIGRATIONS. Each step runs in its own transaction (the version bump
included), so a crash mid-upgrade leaves the previous version intact. `Store.open` copies
the database to `palsy.db.vN.bak` before upgrading from version N, every time: an earlier copy
of that name (a clinic rolled back to it, then upgraded again) is kept under its UTC time,
`palsy.db.vN.20261206T073800Z.bak`, not overwritten.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.records.errors import StorageError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]
    # Steps that rebuild a table referenced by foreign keys need enforcement off meanwhile
    # (SQLite's documented 12-step ALTER procedure); `PRAGMA foreign_key_check` runs after.
    foreign_keys_off: bool = False
    # False for a step that changes only how records are found (an index), not what a record
    # holds: an export (which carries RECORD_FIELDS_VERSION) then still imports into a station
    # one step behind.
    changes_records: bool = True
    # True for a step that changes how a patient is found by its ID (step 5 recomputed
    # `patients.id_key`): a command that reads records by ID needs it applied, or an ID typed
    # now would not find (or would find another than) the patient an older key was stored for.
    changes_id_lookup: bool = False
    # What refuses the whole upgrade before any pending step is applied (a message), or None to
    # go on: a refusal from inside a later step would leave the earlier steps applied, and the
    # release that wrote the database could no longer open it.
    refusal: Callable[[sqlite3.Connection], str | None] | None = None


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute SQL statements one by one inside the caller's transaction.

    (`executescript` would COMMIT the open transaction first, breaking the one-step-one-
    transaction rule.) Statements are split where SQLite says one is complete, so trigger
    bodies with inner semicolons stay whole.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")


def _v1_initial(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at TEXT NOT NULL
        );
        CREATE TABLE patients (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL UNIQUE,
            id_key TEXT NOT NULL UNIQUE,      -- case-folded patient_id: search, uniqueness
            name TEXT NOT NULL DEFAULT '',
            birth_date TEXT,                  -- ISO date YYYY-MM-DD
            sex TEXT,
            affected_side TEXT,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE assessments (
            id INTEGER PRIMARY KEY,
            patient_ref INTEGER NOT NULL REFERENCES patients(id) ON DELETE RESTRICT,
            status TEXT NOT NULL CHECK (status IN ('draft', 'analysed', 'confirmed')),
            model_grade TEXT,
            confirmed_grade TEXT,
            clinician TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            result_json TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX assessments_by_patient ON assessments(patient_ref, created_at);
        CREATE INDEX assessments_by_status ON assessments(status);
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            expression TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            quality_json TEXT NOT NULL DEFAULT '{}',
            captured_at TEXT NOT NULL,
            UNIQUE (assessment_id, expression)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_by_entity ON audit(entity, entity_id);
        """
    )


def _name_terms(name: str) -> set[str]:
    """Search terms of a name: the whole name and each word, case-folded."""
    from app.records.validate import name_terms

    return name_terms(name)


def _v2_name_search_and_measured_grade(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE patient_terms (
            term TEXT NOT NULL,
            patient_ref INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
            PRIMARY KEY (term, patient_ref)
        ) WITHOUT ROWID;
        CREATE INDEX patient_terms_by_patient ON patient_terms(patient_ref);
        ALTER TABLE assessments ADD COLUMN measured_grade TEXT;
        """
    )
    rows = conn.execute("SELECT id, name FROM patients").fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO patient_terms(term, patient_ref) VALUES (?, ?)",
        [(term, row[0]) for row in rows for term in _name_terms(row[1])],
    )


def _v3_reports_discarded_append_only_audit(conn: sqlite3.Connection) -> None:
    # A 'discarded' status needs a new CHECK constraint: SQLite rebuilds the table for that.
    _run_script(
        conn,
        """
        CREATE TABLE assessments_new (
            id INTEGER PRIMARY KEY,
            patient_ref INTEGER NOT NULL REFERENCES patients(id) ON DELETE RESTRICT,
            status TEXT NOT NULL CHECK (status IN ('draft', 'analysed', 'confirmed', 'discarded')),
            model_grade TEXT,
            measured_grade TEXT,
            confirmed_grade TEXT,
            clinician TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            result_json TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT INTO assessments_new (id, patient_ref, status, model_grade, measured_grade,
                                     confirmed_grade, clinician, notes, result_json,
                                     created_at, updated_at)
            SELECT id, patient_ref, status, model_grade, measured_grade, confirmed_grade,
                   clinician, notes, result_json, created_at, updated_at FROM assessments;
        DROP TABLE assessments;
        ALTER TABLE assessments_new RENAME TO assessments;
        CREATE INDEX assessments_by_patient ON assessments(patient_ref, created_at);
        CREATE INDEX assessments_by_status ON assessments(status);
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            assessment_id INTEGER NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
            file_name TEXT NOT NULL UNIQUE,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX reports_by_assessment ON reports(assessment_id);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
        """
    )


def _v4_name_search_without_accents(conn: sqlite3.Connection) -> None:
    # The search index's terms lose their accents ('elodie' finds 'Élodie'): rebuilt from the names.
    from app.records.validate import name_search_terms

    conn.execute("DELETE FROM patient_terms")
    rows = conn.execute("SELECT id, name FROM patients").fetchall()
    conn.executemany(
        "INSERT OR IGNORE INTO patient_terms(term, patient_ref) VALUES (?, ?)",
        [(term, row[0]) for row in rows for term in name_search_terms(row[1])],
    )


def lookalike_id_groups(conn: sqlite3.Connection) -> list[list[str]]:
    """The patient IDs (oldest record first) that are kept apart by the IDs' stored keys but that
    `validate.id_key` takes for one ID ('MRN-7' and 'MRN–7' with an en dash, 'MRN 7' and
    'MRN  7'); empty when every ID has its own key. Each group is one list."""
    from app.records.validate import id_key

    groups: dict[str, list[str]] = {}
    for pid, _ in conn.execute("SELECT patient_id, id FROM patients ORDER BY id"):
        groups.setdefault(id_key(pid), []).append(pid)
    return [ids for ids in groups.values() if len(ids) > 1]


def _spelt(pid: str) -> str:
    """A patient ID quoted, with what tells it from its look-alike: its characters outside ASCII
    by code and name, its runs of spaces by length ('MRN–7' (U+2013 EN DASH))."""
    marks = [f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in dict.fromkeys(pid) if not c.isascii()]
    marks += [f"{len(run)} spaces in a row" for run in dict.fromkeys(re.findall(r"\s{2,}", pid))]
    return f"'{pid}'" + (f" ({', '.join(marks)})" if marks else "")


def lookalike_ids_refusal(groups: list[list[str]]) -> str:
    """Why step 5 cannot be applied, naming every group of `lookalike_id_groups`, and what to do."""
    named = "; ".join(" and ".join(map(_spelt, ids)) for ids in groups[:10]) + ("; ..." if len(groups) > 10 else "")
    return (
        f"the database holds patient IDs that differ only in a dash, a minus sign or spacing: {named}. This version "
        "of Palsy Grader finds such IDs as one, so one patient would open or import as the other; the database was "
        "not upgraded and nothing in it was changed. Keep using the earlier version of Palsy Grader with this data "
        "folder (it still opens it), and have the wrong ID of each pair corrected, checked against the hospital "
        "record, before upgrading: contact whoever supports Palsy Grader at your site with the IDs named here."
    )


def _lookalike_ids(conn: sqlite3.Connection) -> str | None:
    groups = lookalike_id_groups(conn)
    return lookalike_ids_refusal(groups) if groups else None


def _v5_ids_found_with_any_dash_and_spacing(conn: sqlite3.Connection) -> None:
    # Every ID's key again, dashes as '-' and white space as one space (`validate.id_key`); the
    # names' search terms again too, as a dash in a name now separates its words. Two patients
    # whose IDs would get one key are not merged, nor either one left under a key its ID no longer
    # finds (it would open as the other): the step is refused, naming both.
    from app.records.validate import id_key, name_search_terms

    refused = _lookalike_ids(conn)  # again under the write lock: `migrate` asked before taking it
    if refused:
        raise StorageError(refused)
    rows = conn.execute("SELECT id, patient_id, id_key, name FROM patients").fetchall()
    conn.executemany("UPDATE patients SET id_key = ? WHERE id = ?",
                     [(id_key(pid), ref) for ref, pid, key, _ in rows if id_key(pid) != key])
    conn.execute("DELETE FROM patient_terms")
    conn.executemany(
        "INSERT OR IGNORE INTO patient_terms(term, patient_ref) VALUES (?, ?)",
        [(term, ref) for ref, _, _, name in rows for term in name_search_terms(name)],
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "patients, assessments, captures, audit trail", _v1_initial),
    Migration(2, "name search terms; measured grade", _v2_name_search_and_measured_grade),
    Migration(
        3,
        "reports; 'discarded' status; append-only audit trail",
        _v3_reports_discarded_append_only_audit,
        foreign_keys_off=True,
    ),
    Migration(4, "name search without accents", _v4_name_search_without_accents, changes_records=False),
    Migration(5, "IDs and names found with any dash and spacing", _v5_ids_found_with_any_dash_and_spacing,
              changes_records=False, changes_id_lookup=True, refusal=_lookalike_ids),
)
LATEST_VERSION = MIGRATIONS[-1].version
# The last step that changed what a record holds: the schema version an export declares.
RECORD_FIELDS_VERSION = max(step.version for step in MIGRATIONS if step.changes_records)


def records_read_as_latest(version: int) -> bool:
    """Whether a database at schema `version` holds its records as the latest schema does: every
    pending step only changes how records are found by name (`changes_records` False, as step 4,
    which rebuilt the name search terms), so a command that only reads them needs no upgrade. A
    pending step that changes how an ID finds its patient (`changes_id_lookup`, step 5) needs it."""
    return all(not step.changes_records and not step.changes_id_lookup for step in MIGRATIONS if step.version > version)


@dataclass(frozen=True)
class SchemaUpgrade:
    """An upgrade `Store.open` applied: the database's version before it, and the copy of that
    database it kept (`backup`). Said to the user once (the window's notice, `records import`):
    the upgrade is the moment a station still on the earlier release is locked out, and only
    the log recorded it."""

    from_version: int
    to_version: int
    backup: Path

    def summary(self) -> str:
        """The sentence the window and `records import` show."""
        return (f"The records were upgraded from database version {self.from_version} to {self.to_version}; the "
                f"previous database is kept as {self.backup}. Earlier releases of Palsy Grader can no longer "
                "open this data folder.")


def newer_schema_message(version: int) -> str:
    """Why a database at schema `version`, newer than this program's, is refused: the window's
    line, which the self-test repeats (it passed on a folder the window then refused)."""
    return (f"the database has schema version {version}, newer than this program's {LATEST_VERSION}; "
            "install the newer Palsy Grader that created it.")


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> list[int]:
    """Apply the pending migrations up to `target` on an autocommit connection; return those applied.

    Safe against another process upgrading at the same time: each step re-reads the version
    after taking the write lock. A step already applied takes no lock at all, so opening an
    up-to-date database does not wait for another program's write. A database newer than this
    program is refused, and so is one that a pending step's `refusal` refuses (nothing applied).
    """
    if target > LATEST_VERSION or target < 0:
        raise ValueError(f"unknown schema version {target}; latest is {LATEST_VERSION}")
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise StorageError(newer_schema_message(current))
    for step in MIGRATIONS:  # before the first step: a refused upgrade leaves the database as it was
        refused = step.refusal(conn) if step.refusal and 0 < current < step.version <= target else None
        if refused:
            raise StorageError(refused)
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version > target:
            break
        if schema_version(conn) >= step.version:
            continue  # read without the write lock: opening an up-to-date store never waits on a writer
        if step.foreign_keys_off:
            conn.execute("PRAGMA foreign_keys = OFF")  # ignored inside a transaction: set before
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if schema_version(conn) >= step.version:
                    conn.execute("ROLLBACK")
                    continue
                step.apply(conn)
                problems = conn.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise StorageError(
                        f"upgrading the database to version {step.version} would break "
                        f"{len(problems)} references; nothing was changed."
                    )
                conn.execute(
                    "INSERT INTO schema_migrations(version, description, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.description, datetime.now(timezone.utc).isoformat(timespec="milliseconds")),
                )
                conn.execute(f"PRAGMA user_version = {step.version}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            if step.foreign_keys_off:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(step.version)
    return applied
