"""`records check` compares each assessment and patient with its own audit trail reading one
record's trail at a time: its memory does not grow with the audit table (it held the whole
trail, 84 MB at 188,000 entries), and each report and visit is still judged with its own
record."""

from __future__ import annotations

import sqlite3
import tracemalloc
from pathlib import Path

from app.records import Store
from tests.records.records_helpers import confirmed_assessment


def _clinic(folder: Path, patients: int) -> Path:
    """`patients` patients with two confirmed visits each (about 16 audit entries a patient)."""
    with Store.open(folder) as store, store.transaction():
        for i in range(patients):
            pid = f"MRN-{i}"
            store.create_patient(pid, name=f"Patient {i}")
            for _ in range(2):
                aid = store.start_assessment(pid).id
                store.record_results(aid, {"grade": "II"}, model_grade="II")
                store.confirm_grade(aid, "III", "Dr A", notes="seen")
    return folder


def _peak_bytes_of_record_problems(folder: Path) -> int:
    with Store.open(folder) as store:
        tracemalloc.start()
        try:
            assert store.record_problems() == []
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_the_checks_memory_does_not_grow_with_the_audit_trail(tmp_path: Path) -> None:
    small = _peak_bytes_of_record_problems(_clinic(tmp_path / "small", 200))
    large = _peak_bytes_of_record_problems(_clinic(tmp_path / "large", 1_600))  # 8 times the trail
    assert large < 1.5 * small + 200_000, (small, large)


def _edited(folder: Path, *statements: str) -> None:
    conn = sqlite3.connect(folder / "palsy.db")
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def test_each_report_and_visit_is_judged_with_its_own_record(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        first = confirmed_assessment(store, "MRN-1", "Ann Lee", "II", "Dr A")
        store.create_patient("MRN-2", name="No Visits")  # nothing to take between the two
        third = confirmed_assessment(store, "MRN-3", "Bo Kim", "III", "Dr B", seed=2)
        fourth = confirmed_assessment(store, "MRN-4", "Cy Ode", "IV", "Dr C", seed=3)
        for aid in (first, third, fourth):
            store.save_report(aid, b"%PDF-1.4 report of " + str(aid).encode())
    _edited(folder, f"UPDATE reports SET sha256 = '{'ab' * 32}' WHERE assessment_id = {third}",
            f"UPDATE assessments SET patient_ref = (SELECT id FROM patients WHERE patient_id = 'MRN-4') "
            f"WHERE id = {first}")
    with Store.open(folder) as store:
        problems = store.record_problems()
    assert [p.split(" does not match")[0] for p in problems] == [f"assessment {third} of patient MRN-3", "patient MRN-4"]
    assert f"its report (sha256 {'ab' * 8}...) is not the one its audit trail recorded" in problems[0]
    assert f"assessment {first}'s audit trail names patient MRN-1, not MRN-4" in problems[1]


def test_a_reference_edited_to_text_names_no_record(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    with Store.open(folder) as store:
        first = confirmed_assessment(store, "MRN-1", "Ann Lee", "II", "Dr A")
        second = confirmed_assessment(store, "MRN-2", "Bo Kim", "III", "Dr B", seed=2)
        store.save_report(first, b"%PDF-1.4 report one")
    _edited(folder, f"UPDATE reports SET assessment_id = 'one' WHERE assessment_id = {first}",
            f"UPDATE assessments SET patient_ref = 'two' WHERE id = {second}")
    with Store.open(folder) as store:
        assert store.record_problems() == []  # a broken reference, found by `integrity_problems`
