"""The patients page's bar is filled from the one draft it offers and a count of the others,
read in the same few SQL statements whatever the number of drafts: it built every draft of
the clinic with its photos to show one (0.43 s of frozen window at 1,000 drafts). The draft
offered is the newest with photos, as the in-memory gateway picks it too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import PatientInfo, RecordsGateway
from tests.doubles import MemoryRecords

PHOTO = np.full((32, 32, 3), 7, np.uint8)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[StoreGateway]:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    yield gateway
    gateway.close()


def _draft(gateway: RecordsGateway, patient_id: str, photos: int, created: str) -> int:
    """A draft of a new patient with `photos` photos, started at `created`."""
    gateway.save_patient(PatientInfo(patient_id, "Left Unfinished"), is_new=True)
    if isinstance(gateway, StoreGateway):
        aid = gateway.store.start_assessment(patient_id, created_at=created).id
    else:
        aid = gateway.start_assessment(patient_id)
        gateway.assessments[aid].created = created
    for expression in ("rest", "close_eyes", "raise_eyebrows")[:photos]:
        gateway.save_capture(aid, expression, PHOTO, {})
    return aid


def _clinic(gateway: RecordsGateway) -> dict[str, int]:
    """Drafts of four patients: the newest has no photo; the newest with photos has two."""
    return {"old": _draft(gateway, "OLD", 3, "2026-11-01T09:00:00.000+00:00"),
            "offered": _draft(gateway, "NEWEST-WITH-PHOTOS", 2, "2026-11-03T09:00:00.000+00:00"),
            "middle": _draft(gateway, "MIDDLE", 1, "2026-11-02T09:00:00.000+00:00"),
            "empty": _draft(gateway, "EMPTY", 0, "2026-11-04T09:00:00.000+00:00")}


@pytest.mark.parametrize("kind", ["store", "memory"])
def test_the_newest_draft_with_photos_is_offered_with_a_count_of_the_others(
        gateway: StoreGateway, kind: str) -> None:
    records: RecordsGateway = gateway if kind == "store" else MemoryRecords()
    drafts = _clinic(records)
    draft, others = records.offered_draft()
    assert draft is not None and draft.assessment_id == drafts["offered"]
    assert draft.patient_id == "NEWEST-WITH-PHOTOS" and list(draft.captures) == ["rest", "close_eyes"]
    assert others == 3
    # the one being analysed is left out of both: the next newest with photos is offered
    draft, others = records.offered_draft(drafts["offered"])
    assert draft is not None and draft.assessment_id == drafts["middle"] and others == 2
    records.discard(drafts["middle"])
    records.discard(drafts["old"])
    draft, others = records.offered_draft(drafts["offered"])
    assert draft is not None and draft.assessment_id == drafts["empty"] and others == 0  # none with photos left
    draft, others = records.offered_draft(drafts["empty"])
    assert draft is not None and draft.assessment_id == drafts["offered"] and others == 0
    records.discard(drafts["offered"])
    records.discard(drafts["empty"])
    assert records.offered_draft() == (None, 0)


def test_the_offered_draft_takes_as_many_statements_for_fifty_drafts_as_for_four(gateway: StoreGateway) -> None:
    _clinic(gateway)
    built: list[int] = []
    real_info = gateway._info
    gateway._info = lambda a, *rest: built.append(a.id) or real_info(a, *rest)  # type: ignore[method-assign]
    conn = gateway.store.db.connection()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        draft, _ = gateway.offered_draft()
        few = len(statements)
        conn.set_trace_callback(None)
        for i in range(46):
            _draft(gateway, f"MORE{i:02d}", 3, "2026-10-01T09:00:00.000+00:00")
        statements.clear()
        built.clear()
        conn.set_trace_callback(statements.append)
        again, others = gateway.offered_draft()
    finally:
        conn.set_trace_callback(None)
    assert len(statements) == few
    assert built == [draft.assessment_id] and again == draft and others == 49  # the offered draft alone is built
