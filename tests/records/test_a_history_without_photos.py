"""A history read without its photos (the history page's, a report's grade history) holds the
same visits and reads no photo: the photos were four fifths of a 500-visit patient's read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import PatientInfo, RecordsGateway
from tests.doubles import MemoryRecords


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[StoreGateway]:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    yield gateway
    gateway.close()


def _visits(records: RecordsGateway) -> None:
    """A confirmed visit, an analysed one, a withdrawn one and a draft, each with two photos."""
    records.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    for grade in ("II", "III", "IV", None):
        aid = records.start_assessment("MRN-1")
        for expression in ("rest", "close_eyes"):
            records.save_capture(aid, expression, np.full((32, 32, 3), 5, np.uint8), {})
        if grade:
            records.record_results(aid, grade, grade, {"grade": grade})
        if grade == "II":
            records.confirm(aid, grade, "Dr Kim", "")
        if grade == "IV":
            records.withdraw(aid, "recorded under the wrong patient")


@pytest.mark.parametrize("kind", ["store", "memory"])
def test_a_history_without_photos_is_the_history_less_its_photos(gateway: StoreGateway, kind: str) -> None:
    records: RecordsGateway = gateway if kind == "store" else MemoryRecords()
    _visits(records)
    visits = records.history("MRN-1")
    bare = records.history("MRN-1", photos=False)
    assert [v.status for v in bare] == ["confirmed", "analysed", "draft"]
    assert all(list(v.captures) == ["rest", "close_eyes"] for v in visits)
    assert bare == [replace(v, captures={}, captured_at={}) for v in visits]


def test_a_history_without_photos_reads_none(gateway: StoreGateway) -> None:
    _visits(gateway)
    statements: list[str] = []
    conn = gateway.store.db.connection()
    conn.set_trace_callback(statements.append)
    try:
        gateway.history("MRN-1", photos=False)
    finally:
        conn.set_trace_callback(None)
    assert statements and not [s for s in statements if "captures" in s]
