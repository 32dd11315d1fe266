"""One damaged (non-UTF-8) text cell is one `records check` problem: the cell that does not
decode (`text_checks`), not also a "search key this version computes differently" or "does not
match its own audit trail ... the database was edited" for the same cell (audit r2, finding 3)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import confirmed_assessment

NOT_TEXT = "is not valid text"


def _damage(data: Path, script: str) -> None:
    conn = sqlite3.connect(data / "palsy.db", isolation_level=None)
    try:
        conn.executescript(script)
    finally:
        conn.close()


def _problems(data: Path) -> list[str]:
    with Store.open(data) as store:
        return store.record_problems()


def test_a_damaged_patient_id_is_one_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        confirmed_assessment(store, "MRN-1", "Ann One", "IV", "Dr A", seed=1)
        confirmed_assessment(store, "MRN-2", "Bob Two", "III", "Dr A", seed=2)
    assert _problems(data) == []
    _damage(data, "UPDATE patients SET patient_id = CAST(x'4d524e2d32ff' AS TEXT) WHERE patient_id = 'MRN-2'")
    [problem] = _problems(data)
    assert problem.startswith("the patient_id of table patients, row 2, " + NOT_TEXT), problem


def test_a_damaged_clinician_or_corrected_name_is_one_problem_each(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        first = confirmed_assessment(store, "MRN-1", "Ann One", "IV", "Dr A", seed=1)
        confirmed_assessment(store, "MRN-2", "Bob Two", "III", "Dr A", seed=2)
        store.update_patient("MRN-2", actor="clerk", name="Bob Twoo")  # the trail records the name
    assert _problems(data) == []
    _damage(data, f"UPDATE assessments SET clinician = CAST(x'4472ff41' AS TEXT) WHERE id = {first};"
                  "UPDATE patients SET name = CAST(x'426f62ff' AS TEXT) WHERE patient_id = 'MRN-2';")
    problems = _problems(data)
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"the clinician of table assessments, row {first}, {NOT_TEXT}")
    assert problems[1].startswith(f"the name of table patients, row 2, {NOT_TEXT}")


def test_verify_says_a_damaged_clinician_cell_is_damage_not_an_edit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        first = confirmed_assessment(store, "MRN-1", "Ann One", "IV", "Dr A", seed=1)
        store.save_report(first, b"%PDF-1.4\n% r1\n%%EOF\n")
    pdf = next((data / "reports" / f"{first:06d}").glob("*.pdf"))
    _damage(data, f"UPDATE assessments SET clinician = CAST(x'4472ff41' AS TEXT) WHERE id = {first}")
    capsys.readouterr()
    assert main(["records", "--data", str(data), "verify", str(pdf)]) == 1
    out = capsys.readouterr().out
    assert "edited outside Palsy Grader" not in out, out
    assert f"the clinician of assessment {first} {NOT_TEXT}" in out and "the database is damaged" in out, out
    assert main(["records", "--data", str(data), "verify", "--json", str(pdf)]) == 1
    item = json.loads(capsys.readouterr().out)
    assert item["stored"] is False and item["damaged_text"] == [f"the clinician of assessment {first}"]
    assert "disagrees_with_audit_trail" not in item
