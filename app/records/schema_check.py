"""Whether palsy.db holds exactly the tables, indexes and triggers that Palsy Grader creates.

The expected schema is not written down twice: it is what `migrations.migrate` builds in an
empty in-memory database, up to the same schema version. Anything else is a problem, because
SQLite runs whatever is in the file: an added trigger can rewrite a confirmed grade as it is
saved (the app would then show and report another grade than the one confirmed) or copy
names into an added table, and a backup copies it along. `Store.open` refuses a database whose
triggers differ (they change data); `palsy records check` and `backup` report every difference.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from app.records.migrations import migrate, schema_version

# (type, name) -> the object's SQL, normalised: SQLite rewrites table SQL on a rename, and an
# older SQLite may quote names differently; spacing, quotes and case are not differences.
Schema = dict[tuple[str, str], str]

RESTORE_HINT = ("Restore palsy.db from a backup taken before it was changed (docs/bundle.md, "
                "\"Backup and restore\")")


def _normalised(sql: str | None) -> str:
    return re.sub(r"\s+", " ", (sql or "").replace('"', "").replace("`", "")).strip().casefold()


def schema_of(conn: sqlite3.Connection) -> Schema:
    """The database's own objects (SQLite's internal `sqlite_*` ones left out: autoindexes,
    statistics, which SQLite makes itself and a user cannot name so)."""
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    return {(row[0], row[1]): _normalised(row[2]) for row in rows}


@contextmanager
def _one_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Read the block's statements in one read transaction (or the caller's own transaction)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


@lru_cache(maxsize=8)
def expected_schema(version: int) -> Schema:
    """What the migrations create up to `version`, built in memory (the code is the reference)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn, version)
        return schema_of(conn)
    finally:
        conn.close()


def schema_problems(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(object type, problem) for every table, index, view or trigger that is extra, missing or
    changed compared with what this program creates at the database's schema version; empty
    when they are the same. (A database newer than this program is not judged: `open` and
    `open_existing` refuse it first.)"""
    with _one_snapshot(conn):  # another program's upgrade step between the two reads is no problem
        version = schema_version(conn)
        found = schema_of(conn)
    if version <= 0:
        return []
    try:
        expected = expected_schema(version)
    except ValueError:  # newer than this program
        return []
    problems = []
    for (kind, name), sql in sorted(found.items()):
        if (kind, name) not in expected:
            problems.append((kind, f"palsy.db holds {'an' if kind[0] in 'aeiou' else 'a'} {kind} {name!r} that Palsy Grader did not create"
                                   + (": it can change records as they are saved" if kind == "trigger" else "")))
        elif expected[(kind, name)] != sql:
            problems.append((kind, f"the {kind} {name!r} in palsy.db differs from the one Palsy Grader creates"))
    problems += [
        (kind, f"palsy.db lacks the {kind} {name!r} that Palsy Grader creates")
        for kind, name in sorted(expected) if (kind, name) not in found
    ]
    return problems


def trigger_problem(problems: list[tuple[str, str]]) -> str | None:
    """The message `Store.open` refuses a database with when its triggers differ from this
    program's (an added trigger changes data as it is written), from its `schema_problems`;
    None when they are the same."""
    triggers = [text for kind, text in problems if kind == "trigger"]
    if not triggers:
        return None
    return (f"{'; '.join(triggers)}. Nothing was opened or changed, so nothing is saved through it. {RESTORE_HINT}; "
            "`palsy records check` lists every difference.")
