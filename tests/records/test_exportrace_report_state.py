"""A report is stored only while the record still holds the decision it was rendered from
(`save_report(expect=...)`, checked in the same transaction as the report's row)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.gateway_store import StoreGateway
from app.records import Store
from app.records.errors import RecordStateError
from tests.records.records_helpers import confirmed_assessment


def _confirmed(store: Store) -> int:
    return confirmed_assessment(store, "MRN-9", "Ada Lovelace", "II", "Dr First")


def test_a_report_of_a_decision_changed_meanwhile_is_refused(store: Store) -> None:
    aid = _confirmed(store)
    rendered_from = store.get_assessment(aid)
    expect = {"confirmed_grade": rendered_from.confirmed_grade, "clinician": rendered_from.clinician,
              "notes": rendered_from.notes, "updated_at": rendered_from.updated_at}
    store.confirm_grade(aid, "V", "Dr Second", "override: clear asymmetry")  # during the render
    with pytest.raises(RecordStateError, match="changed while its report was written"):
        store.save_report(aid, b"%PDF-1.4 grade II by Dr First", expect=expect)
    assert store.reports(aid) == []
    assert not list((store.root / "reports").rglob("*.pdf"))  # the file went with the refused row
    now = store.get_assessment(aid)
    report = store.save_report(aid, b"%PDF-1.4 grade V by Dr Second", expect={
        "confirmed_grade": now.confirmed_grade, "clinician": now.clinician, "notes": now.notes,
        "updated_at": now.updated_at})
    assert store.reports(aid) == [report]


def test_the_gateway_passes_the_rendered_record(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        aid = _confirmed(gateway.store)
        info = gateway.assessment(aid)
        assert info.updated  # the record's last change travels with it
        gateway.confirm(aid, "II", "Dr First", "a note added meanwhile")
        with pytest.raises(RecordStateError):
            gateway.save_report(aid, b"%PDF-1.4 old", expect=info)
        assert gateway.save_report(aid, b"%PDF-1.4 new", expect=gateway.assessment(aid)).is_file()
    finally:
        gateway.close()
