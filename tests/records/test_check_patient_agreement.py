"""`records check` lists a patient whose row disagrees with its own audit trail, as import
refuses such an export (`patient_agreement`; identity audit of 2026-12-06: a name edited in
palsy.db by hand, or a visit moved to another patient, passed `check` unremarked)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.records import Store
from tests.records.records_helpers import confirmed_assessment


def _edited(folder: Path, sql: str) -> None:
    conn = sqlite3.connect(folder / "palsy.db")
    conn.execute(sql)
    conn.commit()
    conn.close()


def _problems(folder: Path) -> list[str]:
    with Store.open(folder) as store:
        return store.record_problems()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        confirmed_assessment(store, "MRN-5", "Jon Smyth", "III", "Dr A")
        store.update_patient("MRN-5", actor="gui", name="John Smith", birth_date="1960-03-02")
        confirmed_assessment(store, "MRN-6", "Mary Major", "II", "Dr B", seed=2)
    return data


def test_a_store_as_it_wrote_itself_has_no_problem(folder: Path) -> None:
    assert _problems(folder) == []


@pytest.mark.parametrize(("sql", "said"), [
    ("UPDATE patients SET name = 'Someone Else' WHERE patient_id = 'MRN-5'", "its name is not the last one"),
    ("UPDATE patients SET birth_date = '1990-09-09' WHERE patient_id = 'MRN-5'", "its date of birth is not the last one"),
])
def test_an_edited_name_or_date_of_birth_is_listed(folder: Path, sql: str, said: str) -> None:
    _edited(folder, sql)
    [problem] = _problems(folder)
    assert problem.startswith("patient MRN-5 does not match its own audit trail") and said in problem
    assert "Someone Else" not in problem and "1990" not in problem  # no values in the words


def test_a_visit_moved_to_another_patient_is_listed(folder: Path) -> None:
    _edited(folder, "UPDATE assessments SET patient_ref = (SELECT id FROM patients WHERE patient_id = 'MRN-6') "
                    "WHERE id = 1")
    [problem] = _problems(folder)
    assert problem.startswith("patient MRN-6 does not match its own audit trail")
    assert "assessment 1's audit trail names patient MRN-5, not MRN-6" in problem
