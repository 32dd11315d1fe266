"""Read-only checks of the store: the audit trail, SQLite integrity, file checksums, files
that no row names and temporary files left by an interrupted write."""

from __future__ import annotations

import itertools
import json
import os
import posixpath
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.local_time import local_minute_zoned
from app.records.audit_agreement import AUDITED_FIELDS, reports_allowed, trail_disagreements
from app.records.errors import ChecksumError, StorageError
from app.records.files import PHOTO_HINT, REPORT_HINT, read_verified, sha256_file
from app.records.migrations import MIGRATIONS, schema_version
from app.records.paths import DataLayout, may_leave_the_folder
from app.records.patient_agreement import AUDITED_FIELDS as PATIENT_FIELDS
from app.records.patient_agreement import patient_disagreements
from app.records.recovery import (
    ORPHAN_MIN_AGE_S,
    abandoned_temp_files,
    recovered_copies,
    temp_candidates,
    unnamed_files,
    walk_paths,
)
from app.records.result_shape import result_problem
from app.records.rows import RECENT, AuditEntry, FileProblem
from app.records.schema_check import RESTORE_HINT, schema_problems
from app.records.store_assessments import LOCAL_VISIT, LOCAL_VISIT_ARGS
from app.records.store_base import StoreBase
from app.records.store_patients import stale_search_terms
from app.records.text_checks import VALID_TEXT, decodes, undecodable_text_problems, with_valid_text
from app.records.validate import CLOCK_SKEW, CLOCK_STEP, id_key
from models.labels import GRADES


def walk_data_files(layout: DataLayout) -> list[str]:
    """`recovery.walk_data_files` as text: its Path per file held every photo's Path at once
    during the check (50 MB at 144,000 photos); a Path is made only of a file reported."""
    return walk_paths(layout)


# An unrecorded file younger than crash recovery's hour is 'recent' (a save or an import in
# progress), as is one up to this far in the future (a file server whose clock runs a little
# ahead); further ahead (a folder copied from a computer whose clock was hours ahead) it is not.
CLOCK_AHEAD_S = 300.0
# Assessment numbers named in one patient's note on overrides without a reason.
_LISTED_OVERRIDES = 10
# Visits named in one patient's note on visits stamped out of the order they were made.
_LISTED_STEPS = 5


# What happens to an unrecorded file (crash recovery at `Store.open`: files older than an hour
# are moved to recovered/; one whose time lies ahead of the clock is never old enough).
_MOVED_AT_START = ("the next start of Palsy Grader or `palsy records import` moves it to recovered/ in the "
                   "data folder, deleting nothing.")
_NOT_MOVED_FUTURE = ("its file time lies in the future, so the next start does not move it to recovered/: "
                     "move it out of the data folder yourself.")


def _age_s(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except OSError:
        return ORPHAN_MIN_AGE_S  # gone or unreadable meanwhile: judged as an old file


# The audit columns each trail check is given, as the entries of an export list them.
_ASSESSMENT_ENTRY = ("entity", "entity_id", "field", "new_value", "at")
_PATIENT_ENTRY = ("entity", "entity_id", "field", "new_value", "reason", "at")


def _grouped(rows: Iterable[sqlite3.Row], key: str) -> Iterator[tuple[Any, list[sqlite3.Row]]]:
    """(value, rows) for each run of consecutive `rows` with one value of `key`: rows read in
    that order give one group at a time, never the whole table."""
    for value, group in itertools.groupby(rows, key=lambda row: row[key]):
        yield value, list(group)


def _entries(rows: list[sqlite3.Row], columns: tuple[str, ...]) -> list[dict]:
    """The audit entries of joined rows (`columns` of each), none for a row that the LEFT JOIN
    found without one."""
    return [{c: row[c] for c in columns} for row in rows if row["entity"] is not None]


def analysis_disagreements(result: dict, row: dict[str, Any]) -> list[str]:
    """How a stored analysis result (assessment.json, of the shape `result_shape` accepts)
    differs from its row's `model_grade` and `measured_grade` (the columns `row` holds; the
    audit trail is compared with those): its network `grade`, the grade its `probabilities`
    put highest, and its `measured.grade`. The store writes them together (`record_results`),
    so a difference is an edit outside it. Only what both hold is judged: a result without
    probabilities or a measured part, or a row without a grade, says nothing to compare (rows
    analysed before the measured grade had its column, schema step 2, have none).
    Probabilities are stored rounded (4 decimals), so a grade tied for the highest is the highest."""
    found = []
    model = row.get("model_grade")
    if model:
        if result.get("grade") and result["grade"] != model:
            found.append(f"its stored analysis gives network grade {result['grade']} but its record says {model}")
        probabilities = result.get("probabilities")
        numbers = {g: p for g, p in probabilities.items() if isinstance(p, (int, float)) and not isinstance(p, bool)
                   } if isinstance(probabilities, dict) else {}
        top = max(numbers.values(), default=None)
        if top is not None and numbers.get(model) != top:
            highest = next((g for g in GRADES if numbers.get(g) == top), None) or \
                next(g for g, p in numbers.items() if p == top)
            if highest != result.get("grade"):  # else said once, by the grade's line
                found.append(f"its stored analysis's probabilities put grade {highest} highest but its record "
                             f"says network grade {model}")
    measured = result.get("measured")
    if row.get("measured_grade") and isinstance(measured, dict) and "grade" in measured:
        if measured["grade"] != row["measured_grade"]:
            found.append(f"its stored analysis gives measured grade {measured['grade'] or 'none'} but its record "
                         f"says {row['measured_grade']}")
    return found


class _SortedGroups:
    """Rows read in ascending order of `key`, taken group by group with ascending values: a
    merge beside another query in that order, holding one group in memory. The key is an
    integer (the queries leave out a row edited to hold text there: it names no row)."""

    def __init__(self, rows: Iterable[sqlite3.Row], key: str) -> None:
        self._groups = _grouped(rows, key)
        self._next = next(self._groups, None)

    def take(self, value: Any) -> list[sqlite3.Row]:
        """The rows whose `key` is `value` (none when there are none); smaller ones are skipped."""
        while self._next is not None and self._next[0] < value:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != value:
            return []
        rows, self._next = self._next[1], next(self._groups, None)
        return rows


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

    def record_problems(self) -> list[str]:
        """Rows that the store's own writes never make (a database edited by hand, or an import
        before these were refused): a report of an assessment that is not confirmed, and an
        analysis result without the shape the app writes (`result_shape`), which no window can
        reopen, objects in palsy.db that this program does not create (`schema_check`: an added
        trigger can rewrite grades), rows that differ from their own audit trail
        (`audit_agreement`), and text cells whose bytes are not valid UTF-8 (`text_checks`:
        damage SQLite's integrity check passes). Empty when there are none."""
        problems = []
        tables = self._tables()
        if "reports" in tables:  # from schema version 3 (`check` does not upgrade)
            for row in self.db.query(
                "SELECT DISTINCT a.id, a.status, p.patient_id FROM reports r JOIN assessments a ON a.id = r.assessment_id"
                " JOIN patients p ON p.id = a.patient_ref WHERE a.status != 'confirmed' ORDER BY a.id"
            ):
                if reports_allowed(row["status"], self._status_trail(row["id"])):
                    continue  # confirmed, reported, then marked entered in error: its reports stay
                problems.append(
                    f"assessment {row['id']} of patient {row['patient_id']} is {row['status']} but has a stored "
                    "report; only confirmed assessments take reports (the database was edited, or the record "
                    "came from an altered export): review that visit and its report."
                )
        graded = [c for c in ("model_grade", "measured_grade") if c in self._columns("assessments")]
        for row in self.db.query_each(  # one result at a time: 12 KB each, tens of thousands of rows
            f"SELECT a.id, a.result_json, {''.join('a.' + c + ', ' for c in graded)}p.patient_id FROM assessments a"
            " JOIN patients p ON p.id = a.patient_ref WHERE a.result_json IS NOT NULL ORDER BY a.id"
        ):
            try:
                result = json.loads(row["result_json"])
                problem = result_problem(result)
            except (ValueError, RecursionError):
                problem = "it is not JSON"
            if problem:
                problems.append(
                    f"assessment {row['id']} of patient {row['patient_id']}: its stored analysis result is "
                    f"damaged ({problem}), so it cannot be reopened; restore palsy.db from a backup if it was edited."
                )
                continue
            differences = analysis_disagreements(result, {c: row[c] for c in graded})
            if differences:
                problems.append(
                    f"assessment {row['id']} of patient {row['patient_id']}: {'; '.join(differences)}: the database "
                    "was edited (the store writes both together), or the record came from an altered export. Review "
                    "that visit, whose window shows the stored analysis, and its report; restore palsy.db from a "
                    "backup if it was edited."
                )
        schema = [f"{problem}. {RESTORE_HINT}." for _, problem in schema_problems(self.db.connection())]
        return (undecodable_text_problems(self.db.connection()) + schema + self._upgrade_refusals()
                + self._stale_id_keys() + problems + self._audit_disagreements() + self._future_time_problems())

    def _stale_id_keys(self) -> list[str]:
        """Patients whose stored ID key is not what this release computes from their ID (a data
        folder of a development build whose comparison of IDs differed): typing such an ID can
        find another patient, or miss its own. None in a folder before the step that computes
        the keys this way (the upgrade recomputes them)."""
        conn = self.db.connection()
        if schema_version(conn) < max(step.version for step in MIGRATIONS if step.changes_id_lookup):
            return []
        damaged = self._damaged_cells("patients", ("patient_id", "id_key"))  # a problem (`text_checks`), not stale
        stale = [pid for ref, pid, key in self.db.query("SELECT id, patient_id, id_key FROM patients ORDER BY id")
                 if key != id_key(pid) and ref not in damaged]
        if not stale:
            return []
        some = ", ".join(stale[:5]) + (", ..." if len(stale) > 5 else "")
        return [f"{len(stale)} patient ID(s) ({some}) are stored under a search key that this version computes "
                "differently, so typing such an ID may open another patient or miss its own: ask whoever supports "
                "Palsy Grader at your site before recording more visits."]

    def _upgrade_refusals(self) -> list[str]:
        """Why a pending schema step would refuse this older database (`check` does not upgrade):
        patient IDs that differ only in a dash or spacing, which this release finds as one. Said
        here too, or `check` of such a folder found no problem and the next start refused it."""
        conn = self.db.connection()
        current = schema_version(conn)
        return [f"{refused[0].upper()}{refused[1:]}" for step in MIGRATIONS
                if step.refusal and 0 < current < step.version and (refused := step.refusal(conn))]

    def _status_trail(self, assessment_id: int) -> list[dict]:
        """The assessment's status changes from its audit trail, in the order written."""
        return [dict(r) for r in self.db.query(
            "SELECT entity, field, old_value, new_value, reason FROM audit WHERE entity = 'assessment'"
            " AND entity_id = ? AND field = 'status' ORDER BY id", (str(assessment_id),))]

    def _audit_disagreements(self) -> list[str]:
        """One line per assessment whose row or reports differ from the last values of its own
        audit trail (`audit_agreement`): the store writes both in one transaction, so such a row
        was edited outside it (or came from an export altered before imports refused that).
        The trail is read once, in the order it was written (`trail_disagreements`)."""
        with self.db.read():  # one snapshot: a grade confirmed between the two reads is no edit
            return self._audit_disagreements_in_snapshot() + self._patient_disagreements_in_snapshot()

    def _damaged_cells(self, table: str, columns: Iterable[str]) -> dict[int, set[str]]:
        """Which of `columns` of each row of `table` (by rowid) hold bytes that are not valid
        UTF-8: such a cell is a problem of its own (`text_checks`), so a comparison with the
        audit trail leaves it out rather than call it an edit."""
        present = self._columns(table)
        columns = [c for c in columns if c in present]
        damaged: dict[int, set[str]] = {}
        if not columns:
            return damaged
        cells = [f"CASE WHEN typeof({c}) = 'text' THEN CAST({c} AS BLOB) END" for c in columns]
        for row in self.db.query_each(f"SELECT rowid, {', '.join(cells)} FROM {table}"):
            bad = {c for c, value in zip(columns, tuple(row)[1:], strict=True)
                   if value is not None and not decodes(value)}
            if bad:
                damaged[row[0]] = bad
        return damaged

    def _patient_disagreements_in_snapshot(self) -> list[str]:
        """One line per patient whose name, date of birth, sex or side differ from the last
        values its audit trail recorded, or one of whose visits' trails names another patient
        (`patient_agreement`, the check an import makes): the row was edited outside the store,
        or moved to another patient by hand. One patient's trail and visits in memory at a time."""
        damaged = self._damaged_cells("patients", ("patient_id", *PATIENT_FIELDS))  # before any query is open
        visits = _SortedGroups(self.db.query_each(
            "SELECT a.patient_ref, a.id AS number, u.entity, u.entity_id, u.field, u.new_value, u.reason, u.at"
            " FROM assessments a LEFT JOIN audit u ON u.entity = 'assessment' AND u.entity_id = CAST(a.id AS TEXT)"
            " AND u.field = 'status' AND u.new_value = 'draft' WHERE typeof(a.patient_ref) = 'integer'"
            " ORDER BY a.patient_ref, a.id, u.id"
        ), "patient_ref")
        problems = []
        for _, rows in _grouped(self.db.query_each(
            f"SELECT p.id, p.patient_id, {', '.join('p.' + c for c in PATIENT_FIELDS)}, u.entity, u.entity_id,"
            " u.field, u.new_value, u.reason, u.at FROM patients p LEFT JOIN audit u ON u.entity = 'patient'"
            " AND u.entity_id = p.patient_id ORDER BY p.id, u.id"
        ), "id"):
            row = rows[0]
            unreadable = damaged.get(row["id"], set())
            if "patient_id" in unreadable:  # its trail and its visits' name the ID as it was: nothing to compare
                visits.take(row["id"])
                continue
            patient = {key: row[key] for key in ("id", "patient_id", *PATIENT_FIELDS)}
            patient["audit"] = [e for e in _entries(rows, _PATIENT_ENTRY) if e.get("field") not in unreadable]
            own_visits = [{"number": number, "audit": _entries(entries, _PATIENT_ENTRY)}
                          for number, entries in _grouped(visits.take(row["id"]), "number")]
            found = patient_disagreements(patient, own_visits, id_key)
            if found:
                problems.append(
                    f"patient {row['patient_id']} does not match its own audit trail ({'; '.join(found)}): the "
                    "database was edited, or the record came from an altered export. Review the patient's record "
                    "and visits; restore palsy.db from a backup if it was edited."
                )
        return problems

    def _audit_disagreements_in_snapshot(self) -> list[str]:
        """See `_audit_disagreements`: each assessment is read with its own trail (one join,
        in the order of the assessments), so one trail is in memory at a time, not the whole
        audit table (84 MB at 188,000 entries)."""
        columns = [c for c in AUDITED_FIELDS if c in self._columns("assessments")]
        damaged = self._damaged_cells("assessments", columns)  # before any query is open
        tables = self._tables()
        reports = _SortedGroups(self.db.query_each(  # from schema version 3 (`check` does not upgrade)
            "SELECT assessment_id, sha256 FROM reports WHERE typeof(assessment_id) = 'integer'"
            " ORDER BY assessment_id, id"
        ) if "reports" in tables else iter(()), "assessment_id")
        problems = []
        for number, rows in _grouped(self.db.query_each(
            f"SELECT a.id, {', '.join('a.' + c for c in columns)}, p.patient_id, u.entity, u.entity_id, u.field,"
            " u.new_value, u.at FROM assessments a JOIN patients p ON p.id = a.patient_ref LEFT JOIN audit u"
            " ON u.entity IN ('assessment', 'report') AND u.entity_id = CAST(a.id AS TEXT) ORDER BY a.id, u.id"
        ), "id"):
            row = rows[0]
            unreadable = damaged.get(number, set())
            entries = [e for e in _entries(rows, _ASSESSMENT_ENTRY)
                       if not (e.get("entity") == "assessment" and e.get("field") in unreadable)]
            found = trail_disagreements(entries, {c: row[c] for c in columns},
                                        [r["sha256"] for r in reports.take(number)])
            if found:
                problems.append(
                    f"assessment {number} of patient {row['patient_id']} does not match its own audit trail "
                    f"({'; '.join(found)}): the database was edited, or the record came from an altered export. "
                    "Review that visit and its report; restore palsy.db from a backup if it was edited."
                )
        return problems

    def _tables(self) -> set[str]:
        return {r[0] for r in self.db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.db.query(f"PRAGMA table_info({table})")}

    def record_notes(self) -> list[str]:
        """What `records check` lists without counting it as a problem: records an older release
        wrote as it then did, which this one reads correctly and nobody needs to repair. Name
        search terms written the old way (`stale_search_terms`; the next start rebuilds them),
        stored times not in the store's UTC form, and grade overrides without a reason. Also
        visits stamped by a clock set back (`_clock_step_notes`): a warning to read them with
        care, as nothing in the records can be repaired."""
        notes = []
        with self.db.read() as conn:
            # a name that does not decode is a problem (`text_checks`), not an older station's terms
            damaged = {r[0] for r in with_valid_text(conn).execute(
                f"SELECT id FROM patients WHERE NOT {VALID_TEXT}(CAST(name AS BLOB))")}
            stale = [(ref, pid) for ref, pid in stale_search_terms(conn) if ref not in damaged]
        if stale:
            some = ", ".join(pid for _, pid in stale[:5]) + (", ..." if len(stale) > 5 else "")
            notes.append(
                f"{len(stale)} patient(s) ({some}) have name search terms written the old way (by a station of an "
                "older release left running while the folder was upgraded): searching their name without its "
                "accents misses them. The next start of Palsy Grader rebuilds them; nothing else to do.")
        return (notes + self._non_utc_time_notes() + self._override_without_reason_notes()
                + self._clock_step_notes())

    # The store's form of every time it writes (`validate.now_iso`): UTC, milliseconds.
    _UTC_FORM = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]+00:00"
    # (table, column, what a row is called, its reference: what and column)
    _TIMED = (("patients", "created_at", "patient", ("patient", "patient_id")),
              ("patients", "updated_at", "patient", ("patient", "patient_id")),
              ("assessments", "created_at", "assessment", ("assessment", "id")),
              ("assessments", "updated_at", "assessment", ("assessment", "id")),
              ("captures", "captured_at", "capture", ("assessment", "assessment_id")),
              ("reports", "created_at", "report", ("assessment", "assessment_id")),
              ("audit", "at", "audit entry", ("audit entry", "id")))

    def _non_utc_time_notes(self) -> list[str]:
        """One line per kind of stored time with rows not in the store's UTC form: an older
        release's import kept the times of the export as they were ('2026-12-06T10:00:00+05:00').
        The app orders visits by the moment such a time names, so nothing needs to be done."""
        tables = self._tables()
        with_valid_text(self.db.connection())
        notes = []
        for table, column, row_name, (what, ref) in self._TIMED:
            if table not in tables:
                continue
            rows = self.db.query(  # the bare column: the row of the one MIN() (SQLite)
                f"SELECT COUNT(*), {ref}, MIN({column}) FROM {table} WHERE {column} NOT GLOB ?"
                f" AND {VALID_TEXT}(CAST({column} AS BLOB))", (self._UTC_FORM,))  # not valid text: a problem
            count, first, example = rows[0]
            if count:
                notes.append(
                    f"{count} {row_name} {column} time(s) are not stored in UTC (e.g. {example!r}, {what} {first}): "
                    "imported by an older release with their original offset. Palsy Grader orders visits by the "
                    "moment such a time names; nothing to do.")
        return notes

    def _override_without_reason_notes(self) -> list[str]:
        """Confirmed grades that override the network's with empty notes: older releases allowed
        that, and their de-identified exports dropped the notes that held the reason; this one
        asks for the reason (`results_logic`) and exports NOTES_REMOVED in its place. The record
        is as it was confirmed, so it is listed, not counted: a clinician may confirm it again
        with the reason. One line per patient: an imported record may hold hundreds. A visit
        whose row differs from its own audit trail is left out: `check` lists it as a problem
        (the database was edited), and the note would explain that edit away."""
        rows = self.db.query(
            "SELECT a.id, p.patient_id, a.model_grade, a.confirmed_grade FROM assessments a"
            " JOIN patients p ON p.id = a.patient_ref WHERE a.status = 'confirmed' AND a.model_grade IS NOT NULL"
            " AND a.confirmed_grade IS NOT NULL AND a.confirmed_grade != a.model_grade AND trim(a.notes) = ''"
            " ORDER BY p.patient_id, a.id")
        by_patient: dict[str, list[Any]] = {}
        for row in rows:
            if self._visit_disagrees_with_its_trail(row["id"]):
                continue
            by_patient.setdefault(row["patient_id"], []).append(row)
        return [self._override_note(pid, found) for pid, found in by_patient.items()]

    def _visit_disagrees_with_its_trail(self, number: int) -> bool:
        """Whether assessment `number`'s row or reports differ from its own audit trail, as
        `_audit_disagreements` judges each visit (one visit's trail read)."""
        columns = [c for c in AUDITED_FIELDS if c in self._columns("assessments")]
        with self.db.read():
            row = self.db.query(f"SELECT {', '.join(columns)} FROM assessments WHERE id = ?", (number,))
            entries = self.db.query(
                f"SELECT {', '.join(_ASSESSMENT_ENTRY)} FROM audit WHERE entity IN ('assessment', 'report')"
                " AND entity_id = ? ORDER BY id", (str(number),))
            reports = self.db.query("SELECT sha256 FROM reports WHERE assessment_id = ? ORDER BY id", (number,)) \
                if "reports" in self._tables() else []
        return bool(row) and bool(trail_disagreements([dict(e) for e in entries], dict(row[0]),
                                                      [r["sha256"] for r in reports]))

    @staticmethod
    def _override_note(patient_id: str, rows: list[Any]) -> str:
        why = ("older releases allowed that, and their de-identified exports dropped the notes; the audit "
               "trail names who confirmed and when; nothing to repair.")
        if len(rows) == 1:
            r = rows[0]
            return (f"assessment {r['id']} of patient {patient_id}: override without a recorded reason: grade "
                    f"{r['confirmed_grade']} was confirmed over the network's {r['model_grade']} with empty notes ({why})")
        numbers = ", ".join(str(r["id"]) for r in rows[:_LISTED_OVERRIDES])
        more = f" and {len(rows) - _LISTED_OVERRIDES} more" if len(rows) > _LISTED_OVERRIDES else ""
        return (f"patient {patient_id}: {len(rows)} overrides without a recorded reason (assessments {numbers}{more}): "
                f"grades confirmed over the network's with empty notes ({why})")

    def _clock_step_notes(self) -> list[str]:
        """One line per patient with a visit recorded on this station that is stamped more than
        CLOCK_STEP before a visit of theirs with a lower number: the clock was stepped back
        between them, so the history, the last visit and the report's grade history put the
        later visit first. Visits sort by time (an imported one keeps its station's), so
        nothing is reordered; the records are listed to be read with that in mind, each with its
        start in local time and zone, as the history and `records patients` date it (the stored
        UTC stamp named a day no other output shows near midnight). Only local
        visits are compared: an import marks the audit entry that began each visit
        (IMPORTED_MARK); a visit with no such entry cannot be told apart and is left out."""
        rows = self.db.query_each(
            "SELECT a.id, a.created_at, julianday(a.created_at) AS day, p.patient_id FROM assessments a"
            " JOIN patients p ON p.id = a.patient_ref WHERE a.status != 'discarded' AND " + LOCAL_VISIT
            + " ORDER BY p.id, a.id", LOCAL_VISIT_ARGS)
        step_days = CLOCK_STEP.total_seconds() / 86400
        notes = []
        for patient_id, visits in _grouped(rows, "patient_id"):
            steps, latest = [], None
            for visit in visits:
                if visit["day"] is None:
                    continue  # text SQLite reads as no time (an edited row): nothing to compare
                if latest is not None and latest["day"] - visit["day"] > step_days:
                    steps.append(f"assessment {visit['id']}, stamped {local_minute_zoned(visit['created_at'])}, "
                                 f"was begun after assessment {latest['id']}, stamped "
                                 f"{local_minute_zoned(latest['created_at'])}")
                if latest is None or visit["day"] > latest["day"]:
                    latest = visit
            if steps:
                notes.append(self._clock_step_note(patient_id, steps))
        return notes

    @staticmethod
    def _clock_step_note(patient_id: str, steps: list[str]) -> str:
        more = f" and {len(steps) - _LISTED_STEPS} more" if len(steps) > _LISTED_STEPS else ""
        return (f"patient {patient_id} has visits recorded here stamped earlier than visits made before "
                f"them ({'; '.join(steps[:_LISTED_STEPS])}{more}): the clock of the station that recorded them was "
                "set back between them, so the history, the last visit and the reports' grade history list them out "
                "of the order they were made. Check that station's date and time; read these visits' dates with "
                "that in mind.")

    def _future_time_problems(self) -> list[str]:
        """One line per kind of stored time (assessments' created_at and updated_at, captures,
        audit) with rows dated more than CLOCK_SKEW ahead of this computer's clock: recorded
        while a station's clock was ahead (such visits sort after every later one, and an export
        of them is refused on import). The store writes UTC with milliseconds, so text compares
        as time; the latest is said in local time with its zone, as every other output says it."""
        limit = (datetime.now(timezone.utc) + CLOCK_SKEW).isoformat(timespec="milliseconds")
        found: dict[str, list[Any]] = {}  # what -> [count, latest time, first row naming it]
        for row in self.db.query_each(  # one pass: the audit trail may hold millions of rows
            "SELECT 'assessment created_at' AS what, a.created_at AS at, 'assessment ' || a.id AS ref"
            " FROM assessments a WHERE a.created_at > :limit"
            " UNION ALL SELECT 'assessment updated_at', a.updated_at, 'assessment ' || a.id"
            " FROM assessments a WHERE a.updated_at > :limit"
            " UNION ALL SELECT 'capture captured_at', c.captured_at, 'assessment ' || c.assessment_id"
            " FROM captures c WHERE c.captured_at > :limit"
            " UNION ALL SELECT 'audit entry at', u.at, u.entity || ' ' || u.entity_id"
            " FROM audit u WHERE u.at > :limit",
            {"limit": limit},
        ):
            entry = found.setdefault(row["what"], [0, row["at"], row["ref"]])
            entry[0] += 1
            entry[1] = max(entry[1], row["at"])
        return [
            f"{count} {what} time(s) lie in the future (the latest {local_minute_zoned(latest)}, e.g. {ref}): "
            "recorded while this or another station's clock was ahead; such visits sort after later ones and "
            "their export is refused on import. Correct the computer's clock; review these records."
            for what, (count, latest, ref) in found.items()
        ]

    def _file_rows(self) -> list[sqlite3.Row]:
        """The file_name of every recorded file (`_recorded_names`), its name alone: with its
        id and sha256 the list was 67 MB at 144,000 photos."""
        query = self._file_query("file_name")
        return self.db.query(query) if query else []

    def _each_file_row(self) -> Iterator[sqlite3.Row]:
        """id, file_name, sha256, kind and table of every recorded file, read a few hundred rows
        at a time, never all of them at once."""
        query = self._file_query("id, file_name, sha256")
        return self.db.query_each(query) if query else iter(())

    def _file_query(self, columns: str) -> str:
        """The query of `columns`, kind ('photo' or 'report') and table of every recorded file
        ('' when there is no table of files). `check` does not upgrade an old database, and the
        reports table only exists from schema version 3."""
        tables = self._tables()
        return " UNION ALL ".join(
            f"SELECT {columns}, '{kind}' AS kind, '{table}' AS source FROM {table}"
            for table, kind in (("captures", "photo"), ("reports", "report"))
            if table in tables
        )

    def _row_unchanged(self, row: sqlite3.Row) -> bool:
        """Whether the file row read earlier still names the same file with the same sha256 (a
        retake replaces a capture row and deletes its old file once the new row is committed)."""
        now = self.db.query(f"SELECT file_name, sha256 FROM {row['source']} WHERE id = ?", (row["id"],))
        return bool(now) and (now[0]["file_name"], now[0]["sha256"]) == (row["file_name"], row["sha256"])

    def verify_files(self) -> list[FileProblem]:
        """Check every recorded photo and report against its sha256.

        The rows are read once, a few at a time, each name looked up without a realpath
        (`DataLayout.resolver`); a file found missing, unreadable or damaged is reported only
        when its row, read again once all were read, still names it: a retake in the app or
        another program may have replaced the row and deleted the old file meanwhile (not a
        problem). Read again after the scan: while its query runs, the connection sees the
        database as it was when the scan began."""
        resolve = self.layout.resolver()
        failed: list[tuple[sqlite3.Row, Path, StorageError]] = []
        for row in self._each_file_row():
            path = resolve(row["file_name"])
            hint = REPORT_HINT if row["kind"] == "report" else PHOTO_HINT
            try:
                read_verified(path, row["sha256"], hint)
            except StorageError as exc:
                failed.append((row, path, exc))
        problems: list[FileProblem] = []
        for row, path, exc in failed:
            if self._row_unchanged(row):
                if isinstance(exc, ChecksumError):
                    kind = "checksum"
                else:
                    kind = "unreadable" if path.exists() else "missing"
                detail = str(exc) + (self._recovered_hint(row["file_name"], row["sha256"], path) if kind == "missing" else "")
                problems.append(FileProblem(row["file_name"], kind, detail))
        return problems

    def _recovered_hint(self, name: str, sha256: str, path: Path) -> str:
        """For a missing file: where in recovered/ a file of its name is (crash recovery moved it
        there when a database without its row was opened), and whether it is the recorded one."""
        copies = recovered_copies(self.layout, name)
        for copy in copies:
            try:
                if sha256_file(copy) == sha256:
                    return f" {copy} holds it (its sha256 matches the record): move it back to {path}."
            except OSError:
                continue
        if copies:
            return (f" A file of that name is in recovered/ ({copies[0]}) but its sha256 differs from "
                    "the record: check it before moving it back.")
        return ""

    def _recorded_names(self) -> set[str]:
        """The recorded files' names, normalised, as text: relative to the data folder and
        '/'-separated, as stored. Comparing text, not resolved paths, spares a realpath per row
        (seconds for a large clinic's 75,000 photos). A name that could point outside the data
        folder (absolute, '..', a drive) is resolved, and refused as before (StorageError)."""
        names = set()
        for row in self._file_rows():
            name = posixpath.normpath(row["file_name"])
            if may_leave_the_folder(name):
                self.layout.resolve(row["file_name"])  # StorageError when it does
            names.add(name)
        return names

    def unrecorded_files(self) -> list[FileProblem]:
        """Files that should not be in the data folder: photo and report files that no row
        names ('unrecorded': left by a crash before its commit, or beside a database that was
        lost or replaced), and temporary files whose writer is gone ('partial', see
        `_leftover_temp_files`). Nothing is moved or deleted (`Store.open` does that).

        A file is reported unrecorded only when rows read again after the first comparison
        still do not name it and it still exists: a photo whose row was committed after the
        first read (a capture in progress), or an old photo that a retake deleted after
        replacing its row, is not a problem."""
        files = walk_data_files(self.layout)  # before the rows: a photo recorded meanwhile is not reported
        stray = unnamed_files(self.layout, files, self._recorded_names())
        if stray:  # fresh rows, then the files: a retake deletes after its commit
            stray = [path for path in unnamed_files(self.layout, stray, self._recorded_names()) if os.path.lexists(path)]
        now = time.time()
        unrecorded = []
        for path in stray:
            name, age = path.relative_to(self.layout.root).as_posix(), _age_s(path, now)
            if -CLOCK_AHEAD_S <= age < ORPHAN_MIN_AGE_S:  # written lately: a save or an import in progress
                unrecorded.append(FileProblem(
                    name, RECENT,
                    f"{path} was written {max(0.0, age):.0f} s ago and no row names it yet: a save or an "
                    "import may still be in progress (an import writes its photos before recording them). "
                    "Not a problem now; if it is still unrecorded after an hour, the next start moves it to "
                    "recovered/ and check reports it."))
            else:
                unrecorded.append(FileProblem(
                    name, "unrecorded",
                    f"{path} is recorded in no database row: no assessment uses it (a photo replaced by a "
                    "retake, or a save stopped before it was recorded). Nothing is lost if no record is "
                    f"missing: {_MOVED_AT_START if age >= 0 else _NOT_MOVED_FUTURE} Only if patients, visits or "
                    "photos are missing, restore palsy.db from a backup (an older one lacks what was saved since)."))
        return unrecorded + self._leftover_temp_files(files)

    def _leftover_temp_files(self, files: list[str]) -> list[FileProblem]:
        """Temporary files (`.NAME.partial-PID-XXXX-HOST`) that the next normal open removes
        (`recovery.temp_left_behind`, the rule of `recovery.recover`): this computer's whose
        writing process is gone, another computer's once an hour old as well, any older than a
        day. A younger one of a live process, or another station's, is a write in progress, not
        a problem."""
        return [
            FileProblem(
                path.relative_to(self.layout.root).as_posix(),
                "partial",
                f"{path} was left by an interrupted write (a program stopped while saving); it "
                "holds nothing recorded and is removed at the next normal open (the app, or "
                "`palsy records import`).",
            )
            for path in abandoned_temp_files(temp_candidates(files), time.time())
        ]
