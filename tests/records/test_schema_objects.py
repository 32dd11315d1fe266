"""palsy.db must hold exactly the objects Palsy Grader creates: an added trigger (which can
rewrite a confirmed grade as it is saved) makes `Store.open` refuse the database, and
`records check` and `records backup` report every extra, missing or changed object (exit 1)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.errors import StorageError
from app.records.schema_check import schema_problems

REGRADE = ("CREATE TRIGGER evil AFTER UPDATE OF confirmed_grade ON assessments WHEN NEW.confirmed_grade <> 'I' "
           "BEGIN UPDATE assessments SET confirmed_grade = 'I' WHERE id = NEW.id; END")


def _data(tmp_path: Path, *sql: str) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("P1", name="X")
    conn = sqlite3.connect(data / "palsy.db")
    for statement in sql:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return data


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_a_fresh_store_matches_the_expected_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        assert schema_problems(store.db.connection()) == []
        assert store.record_problems() == []


@pytest.mark.parametrize("sql", [
    REGRADE,
    # the program's own append-only guard replaced by one that lets changes through
    "DROP TRIGGER audit_no_update",
])
def test_open_refuses_a_database_whose_triggers_were_changed(tmp_path: Path, sql: str) -> None:
    data = _data(tmp_path, sql)
    with pytest.raises(StorageError, match=r"trigger '(evil|audit_no_update)'.*Restore palsy.db from a backup"):
        Store.open(data)


def test_check_and_backup_report_extra_and_missing_objects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, REGRADE, "CREATE TABLE stash(x)", "DROP INDEX audit_by_entity")
    code, out = _run(capsys, "records", "--data", str(data), "check")
    assert code == 1
    for needle in ("trigger 'evil' that Palsy Grader did not create", "table 'stash' that Palsy Grader did not create",
                   "lacks the index 'audit_by_entity'"):
        assert needle in out, needle
    code, out = _run(capsys, "records", "--data", str(data), "backup", "--out", str(tmp_path / "bk"))
    assert code == 1 and "trigger 'evil'" in out and "has problems" in out


def test_a_changed_table_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, "ALTER TABLE patients ADD COLUMN extra TEXT")
    with Store.open(data):  # a table changes no record as it is written: opened (and logged)
        pass
    code, out = _run(capsys, "records", "--data", str(data), "check")
    assert code == 1 and "the table 'patients' in palsy.db differs" in out
