"""The patients page offers the newest result awaiting confirmation with a count of the others
(an analysis that ended while the therapist was elsewhere was offered nowhere), and asks before
another assessment of a patient assessed today: the store answers both from small queries,
and the in-memory gateway answers the same."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import PatientInfo, RecordsGateway
from tests.doubles import MemoryRecords

RESULT = {"grade": "II", "probabilities": {"II": 0.7}}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[StoreGateway]:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    yield gateway
    gateway.close()


def _visit(records: RecordsGateway, patient_id: str, status: str) -> int:
    """A visit of `patient_id` (registered on first use) left as `status`."""
    try:
        records.get_patient(patient_id)
    except Exception:  # noqa: BLE001 - not registered yet
        records.save_patient(PatientInfo(patient_id, f"Patient {patient_id}"), is_new=True)
    aid = records.start_assessment(patient_id)
    if status == "draft":
        return aid
    records.record_results(aid, "II", "III", RESULT)
    if status == "confirmed":
        records.confirm(aid, "II", "Dr A", "")
    elif status == "withdrawn":
        records.withdraw(aid, "recorded under the wrong patient")
    return aid


@pytest.mark.parametrize("kind", ["store", "memory"])
def test_the_newest_analysed_result_is_offered_with_a_count_of_the_others(gateway: StoreGateway, kind: str) -> None:
    records: RecordsGateway = gateway if kind == "store" else MemoryRecords()
    assert records.offered_review() == (None, 0)
    older = _visit(records, "ANNA", "analysed")
    _visit(records, "ANNA", "confirmed")
    _visit(records, "CARL", "withdrawn")
    _visit(records, "DORA", "draft")
    newest = _visit(records, "BO", "analysed")
    offered, others = records.offered_review()
    assert offered is not None and (offered.assessment_id, offered.patient_id, offered.status) == (newest, "BO", "analysed")
    assert offered.updated  # when it was analysed: the bar says so
    assert others == 1
    # the visit on screen is left out of both
    offered, others = records.offered_review(newest)
    assert offered is not None and offered.assessment_id == older and others == 0
    records.confirm(older, "II", "Dr A", "")
    assert records.offered_review(newest) == (None, 0)


@pytest.mark.parametrize("kind", ["store", "memory"])
def test_the_last_visit_is_the_newest_analysed_or_confirmed(gateway: StoreGateway, kind: str) -> None:
    records: RecordsGateway = gateway if kind == "store" else MemoryRecords()
    _visit(records, "BO", "draft")
    assert records.last_visit("BO") is None  # a draft is no visit yet
    _visit(records, "BO", "confirmed")
    analysed = _visit(records, "BO", "analysed")
    _visit(records, "BO", "withdrawn")
    _visit(records, "BO", "draft")
    _visit(records, "ANNA", "confirmed")
    last = records.last_visit("BO")
    assert last is not None and (last.assessment_id, last.status) == (analysed, "analysed")


def test_the_offered_result_joins_the_patient_for_its_one_row_only(gateway: StoreGateway) -> None:
    """One query joining and sorting every analysed visit took 45 ms at 20,000 (the page asks it
    each time it shows): a count, the newest among the assessments alone, and that one row's patient."""
    for i in range(30):
        _visit(gateway, f"P{i}", "analysed")
    statements: list[str] = []
    gateway.store.db.connection().set_trace_callback(statements.append)
    try:
        offered, others = gateway.offered_review()
    finally:
        gateway.store.db.connection().set_trace_callback(None)
    assert offered is not None and offered.patient_id == "P29" and others == 29
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3, statements
    joined = [s for s in selects if "JOIN" in s.upper()]
    assert len(joined) == 1 and joined[0].rstrip().endswith(f"WHERE a.id = {offered.assessment_id}"), joined
    assert not any("OVER" in s.upper() for s in selects), selects  # the count is the status index's alone


def test_the_newest_is_offered_by_its_moment_when_an_older_release_kept_a_zoned_time(gateway: StoreGateway) -> None:
    """An older release's import kept the export's zone: 10:00+05:00 (05:00 UTC) sorts as text
    after 08:00+00:00, yet the visit analysed at 08:00 UTC is the newer one."""
    imported = _visit(gateway, "IMPORTED", "analysed")
    analysed = _visit(gateway, "ANALYSED", "analysed")
    with gateway.store.db.write() as conn:
        conn.execute("UPDATE assessments SET updated_at = '2026-12-07T10:00:00.000+05:00' WHERE id = ?", (imported,))
        conn.execute("UPDATE assessments SET updated_at = '2026-12-07T08:00:00.000+00:00' WHERE id = ?", (analysed,))
    offered, others = gateway.offered_review()
    assert offered is not None and (offered.assessment_id, offered.patient_id) == (analysed, "ANALYSED")
    assert others == 1
    offered, others = gateway.offered_review(analysed)
    assert offered is not None and offered.assessment_id == imported and others == 0
