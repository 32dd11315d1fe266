"""Text cells whose stored bytes are not valid UTF-8: damage SQLite's integrity check passes.

Bit rot inside a row (not its page structure), or a tool that wrote another encoding when a name
was corrected by hand, leaves a text cell that does not decode. The records connections read it
with U+FFFD in place of the bad bytes (`db.decoded_text`), so the app and the commands keep
working; `palsy records check` (and the check of a backup's copy) lists each such cell as a
database problem, read here as the stored bytes themselves (`CAST(... AS BLOB)`), whatever the
connection's `text_factory`. A cell's content is never quoted: it may be a name, and the lines
reach palsy.log, which holds none.
"""

from __future__ import annotations

import sqlite3

# Cells listed one by one; beyond that one line counts the rest.
LISTED_CELLS = 20
_DAMAGED = ("is not valid text (its stored bytes are not UTF-8; the app shows a replacement character in their "
            "place): the database is damaged. Restore palsy.db from a backup that checks clean (an older one lacks "
            "what was saved since), or ask whoever supports Palsy Grader at your site.")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    try:
        conn.execute(f"SELECT rowid FROM {_quoted(table)} LIMIT 0")
    except sqlite3.OperationalError:  # WITHOUT ROWID
        return False
    return True


def undecodable_cells(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(table, row, column) of every text cell of `conn`'s tables whose bytes are not valid
    UTF-8, in table order; `row` is "row N" (its rowid), or for a WITHOUT ROWID table its
    non-text key columns ("the row with patient_ref 3"). SQLite joins the text of CHUNK_ROWS
    rows at a time into one string, decoded at once; only a chunk that fails is read again
    cell by cell. About 0.5 s for a 9 MB database (800 patients, 65,000 audit entries) on the
    shared 2-core machine, most of it SQLite reading every text cell."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")]
    found = []
    for table in tables:
        info = conn.execute(f"PRAGMA table_info({_quoted(table)})").fetchall()
        columns = [row[1] for row in info]
        if not columns:
            continue
        if not _has_rowid(conn, table):  # its key's columns that hold no text (a text key is checked, not shown)
            keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
            found += _cells_of_rows(conn, table, keys, columns, "", ())
            continue
        text = " || char(10) || ".join(f"CASE WHEN typeof({_quoted(c)}) = 'text' THEN {_quoted(c)} ELSE '' END"
                                       for c in columns)  # an ASCII byte between cells: no sequence spans two
        chunk = (f"SELECT max(r), count(*), CAST(group_concat(t, char(10)) AS BLOB) FROM (SELECT rowid AS r, {text}"
                 f" AS t FROM {_quoted(table)} {{where}} ORDER BY rowid LIMIT {CHUNK_ROWS})")
        last = None
        while True:
            if last is None:
                end, count, joined = conn.execute(chunk.format(where="")).fetchone()
            else:
                end, count, joined = conn.execute(chunk.format(where="WHERE rowid > ?"), (last,)).fetchone()
            if not count:
                break
            if not decodes(joined or b""):
                where = ("WHERE rowid <= ?", (end,)) if last is None else ("WHERE rowid > ? AND rowid <= ?", (last, end))
                found += _cells_of_rows(conn, table, ["rowid"], columns, *where)
            last = end
    return found


# Rows whose text SQLite joins into one string for `undecodable_cells`.
CHUNK_ROWS = 256


def _cells_of_rows(conn: sqlite3.Connection, table: str, keys: list[str], columns: list[str], where: str,
                   params: tuple) -> list[tuple[str, str, str]]:
    """`undecodable_cells` of the rows of `table` that `where` picks, read cell by cell."""
    key_sql = [f"CASE WHEN typeof({_quoted(k)}) IN ('integer', 'real') THEN {_quoted(k)} END" for k in keys]
    cells = [f"CASE WHEN typeof({_quoted(c)}) = 'text' THEN CAST({_quoted(c)} AS BLOB) ELSE x'' END" for c in columns]
    found = []
    for row in conn.execute(f"SELECT {', '.join(key_sql + cells)} FROM {_quoted(table)} {where}", params):
        values = row[len(keys):]
        found += [(table, _row_label(keys, row[:len(keys)]), column)
                  for column, value in zip(columns, values, strict=True) if not decodes(value)]
    return found


# The SQL function `with_valid_text` adds: 1 when its argument (a cell CAST AS BLOB) is valid UTF-8.
VALID_TEXT = "palsy_valid_text"


def with_valid_text(conn: sqlite3.Connection) -> sqlite3.Connection:
    """`conn` with the SQL function VALID_TEXT(CAST(column AS BLOB)): 0 for a cell whose bytes
    are not valid UTF-8, else 1. For a note that must not explain such a cell away (a damaged
    time is no older release's offset)."""
    conn.create_function(VALID_TEXT, 1, lambda value: int(not isinstance(value, bytes) or decodes(value)),
                         deterministic=True)
    return conn


def decodes(value: bytes) -> bool:
    """Whether `value` (a cell's stored bytes, or a chunk of cells joined) is valid UTF-8."""
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _row_label(keys: list[str], values: tuple) -> str:
    if keys == ["rowid"]:
        return f"row {values[0]}"
    named = [f"{k} {v}" for k, v in zip(keys, values, strict=True) if v is not None]
    return f"the row with {', '.join(named)}" if named else "a row"


def undecodable_text_problems(conn: sqlite3.Connection) -> list[str]:
    """One `records check` line per undecodable text cell (`undecodable_cells`), at most
    LISTED_CELLS of them and a line counting the rest."""
    cells = undecodable_cells(conn)
    lines = [f"the {column} of table {table}, {row}, {_DAMAGED}" for table, row, column in cells[:LISTED_CELLS]]
    if len(cells) > LISTED_CELLS:
        lines.append(f"{len(cells) - LISTED_CELLS} more text cells are not valid text (not listed): the database "
                     "is damaged; restore palsy.db from a backup that checks clean.")
    return lines
