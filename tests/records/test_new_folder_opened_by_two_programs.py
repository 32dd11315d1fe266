"""Two programs opening a brand-new data folder at the same moment (the window and a terminal
`palsy records import`): neither is refused as if the database were lost, and they share one
database.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app.records import Store
from app.records import lost_database as lost_module
from app.records.lost_database import lost_database_error
from app.records.migrations import LATEST_VERSION
from app.records.paths import FILE_MODE, DataLayout
from app.records.schema_check import schema_problems

ROOT = Path(__file__).resolve().parents[2]

# A program that opens the folder and pauses inside its first write to the new palsy.db (a
# write transaction open, its journal on disk) until the file named by argv[2] appears.
PAUSED_CREATOR = textwrap.dedent(
    """
    import sqlite3, sys, time
    from pathlib import Path
    from app.records import Store
    from app.records.db import Database

    folder, go = Path(sys.argv[1]), Path(sys.argv[2])
    real_connection = Database.connection

    def paused_connection(self):
        if not getattr(paused_connection, "done", False):
            paused_connection.done = True
            raw = sqlite3.connect(self.path, isolation_level=None)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("PRAGMA user_version = 0")
            raw.execute("CREATE TABLE creator_was_here (x)")
            print("paused", flush=True)
            deadline = time.monotonic() + 30
            while not go.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            raw.execute("ROLLBACK")
            raw.close()
        return real_connection(self)

    Database.connection = paused_connection
    Store.open(folder).close()
    print("ok", flush=True)
    """
)


def _assert_one_sound_database(folder: Path) -> None:
    if os.name == "posix":
        assert stat.S_IMODE((folder / "palsy.db").stat().st_mode) == FILE_MODE
    conn = sqlite3.connect(folder / "palsy.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert schema_problems(conn) == []
    finally:
        conn.close()


def test_a_program_creating_the_database_is_not_taken_for_a_lost_database(tmp_path: Path) -> None:
    folder, go = tmp_path / "new station", tmp_path / "go"
    creator = subprocess.Popen(
        [sys.executable, "-c", PAUSED_CREATOR, str(folder), str(go)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert creator.stdout is not None
        assert creator.stdout.readline().strip() == "paused", creator.stderr.read() if creator.stderr else ""
        errors: list[BaseException] = []

        def open_meanwhile() -> None:
            try:
                Store.open(folder).close()
            except Exception as exc:  # reported by the assertion below
                errors.append(exc)

        opener = threading.Thread(target=open_meanwhile)
        opener.start()
        opener.join(timeout=1.0)  # a refusal comes at once; a sound open waits for the creator's write
        go.touch()
        opener.join(timeout=30)
        out, err = creator.communicate(timeout=30)
    finally:
        go.touch()
        if creator.poll() is None:
            creator.kill()
            creator.wait()
    assert not opener.is_alive()
    assert errors == []
    assert out.strip() == "ok", err
    _assert_one_sound_database(folder)


CHILD = "import sys\nfrom app.records import Store\nStore.open(sys.argv[1]).close()\nprint('ok')"


def test_two_programs_opening_new_folders_together_both_open_them(tmp_path: Path) -> None:
    for attempt in range(10):
        folder = tmp_path / f"station{attempt}"
        programs = [subprocess.Popen([sys.executable, "-c", CHILD, str(folder)], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for program in programs:
            out, err = program.communicate(timeout=60)
            assert out.strip() == "ok", err
        _assert_one_sound_database(folder)
        assert not list(folder.glob(".palsy.db*"))  # no temporary database left beside it


def test_a_database_made_while_the_folder_was_judged_is_not_lost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The check saw no palsy.db, then another program put its new database and -wal there before
    # the check looked for journals: that is a database being made, not a lost one.
    with Store.open(tmp_path / "made") as made:
        made.create_patient("MRN-1")
        db_bytes = made.layout.db_path.read_bytes()
    layout = DataLayout.locate(tmp_path / "judged")
    layout.root.mkdir()
    real_pending = lost_module.pending_changes

    def made_meanwhile(db: Path) -> list[Path]:
        db.write_bytes(db_bytes)
        db.with_name(f"{db.name}-wal").write_bytes(b"frames")
        return real_pending(db)

    monkeypatch.setattr(lost_module, "pending_changes", made_meanwhile)
    assert lost_database_error(layout) is None


def test_a_lost_database_is_still_refused_after_the_second_look(tmp_path: Path) -> None:
    layout = DataLayout.locate(tmp_path / "lost")
    layout.root.mkdir()
    layout.db_path.write_bytes(b"")
    layout.db_path.with_name("palsy.db-journal").write_bytes(b"journal of the lost database")
    error = lost_database_error(layout)
    assert error is not None and "is empty (0 bytes)" in str(error)


def test_the_schema_is_judged_in_one_snapshot_while_another_program_upgrades(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another program commits the next schema steps between reading the version and the tables:
    # the triggers of version 3 are no "trigger Palsy Grader did not create" at version 2.
    from app.records import schema_check
    from app.records.migrations import migrate

    path = tmp_path / "palsy.db"
    upgrader = sqlite3.connect(path, isolation_level=None)
    upgrader.execute("PRAGMA journal_mode = WAL")
    migrate(upgrader, 2)
    reader = sqlite3.connect(path, isolation_level=None)
    real_version = schema_check.schema_version

    def upgraded_meanwhile(conn: sqlite3.Connection) -> int:
        version = real_version(conn)
        migrate(upgrader)
        return version

    monkeypatch.setattr(schema_check, "schema_version", upgraded_meanwhile)
    try:
        assert schema_problems(reader) == []
        assert not reader.in_transaction
        assert upgrader.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    finally:
        reader.close()
        upgrader.close()
