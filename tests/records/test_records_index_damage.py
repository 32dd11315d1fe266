"""Damage inside an index that leaves every b-tree well formed (review): SQLite's quick check
does not read an index's contents, so such a database passes it while a query through the index
misses rows. Crash recovery must not then take recorded reports for orphans and move them out
of the data folder, and the listings must refuse the database rather than list too few rows."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.errors import DatabaseDamagedError
from app.records.recovery import database_problems, orphan_files, quarantine_orphans
from tests.records.records_helpers import tiny_png


def _empty_index(db_path: Path, table: str) -> None:
    """Point the unique index of `table` at an empty, well-formed index b-tree (a partial index
    on the same column that holds no row), as damage to the index's pages can."""
    conn = sqlite3.connect(db_path)
    column = {"reports": "file_name", "patients": "name"}[table]
    conn.execute(f"CREATE INDEX empty_twin ON {table}({column}) WHERE 0")
    conn.commit()
    name = f"sqlite_autoindex_{table}_1"
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE name IN (?, 'empty_twin')", (name,)))
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name=?", (roots["empty_twin"], name))
    conn.execute("UPDATE sqlite_master SET rootpage=? WHERE name='empty_twin'", (roots[name],))
    conn.commit()
    conn.close()


def _with_reports(folder: Path) -> list[Path]:
    """A closed store with one confirmed assessment and two reports, made old enough (two
    hours) to be taken for a crash's orphans if no row named them."""
    with Store.open(folder) as store:
        store.create_patient("MRN-1", name="P 1")
        aid = store.start_assessment("MRN-1").id
        store.save_capture(aid, "rest", tiny_png(1))
        store.record_results(aid, {"grade": "II"}, model_grade="II")
        store.confirm_grade(aid, "II", "Dr X")
        store.save_report(aid, b"%PDF-1.4 report one")
        store.save_report(aid, b"%PDF-1.4 report two")
    reports = sorted((folder / "reports").rglob("*.pdf"))
    old = time.time() - 7200
    for path in (*reports, *(folder / "photos").rglob("*.png")):
        os.utime(path, (old, old))
    return reports


def test_recovery_keeps_recorded_reports_whose_index_is_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    reports = _with_reports(folder)
    _empty_index(folder / "palsy.db", "reports")
    with sqlite3.connect(folder / "palsy.db") as conn:
        assert database_problems(conn) == []  # the quick check does not see it
        assert database_problems(conn, thorough=True)
    with Store.open(folder) as store:
        assert store.recovery.recovered_orphans == []
    assert sorted((folder / "reports").rglob("*.pdf")) == reports
    assert not (folder / "recovered").exists()


def test_orphans_are_not_moved_while_an_index_is_damaged(tmp_path: Path) -> None:
    # a real orphan (a crash before the commit) beside the damage: nothing is moved until repaired
    from app.records.paths import DataLayout

    folder = tmp_path / "data"
    reports = _with_reports(folder)
    orphan = reports[0].with_name("000001_report_orphan.pdf")
    orphan.write_bytes(b"%PDF-1.4 never recorded")
    os.utime(orphan, (time.time() - 7200,) * 2)
    _empty_index(folder / "palsy.db", "reports")
    conn = sqlite3.connect(folder / "palsy.db")
    try:
        layout = DataLayout.locate(str(folder))
        assert orphan_files(layout, conn) == [orphan]
        with pytest.raises(DatabaseDamagedError):
            quarantine_orphans(layout, conn)
    finally:
        conn.close()
    assert orphan.is_file() and all(p.is_file() for p in reports)


def test_listing_patients_refuses_a_damaged_index(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        for n in range(1, 6):
            store.create_patient(f"MRN-{n}", name=f"P {n}")
    assert main(["records", "--data", str(folder), "patients"]) == 0
    _empty_index(folder / "palsy.db", "patients")
    capsys.readouterr()
    assert main(["records", "--data", str(folder), "patients"]) == 2
    assert "damaged" in capsys.readouterr().err
