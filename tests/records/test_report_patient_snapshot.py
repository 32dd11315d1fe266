"""A report is stored only while the patient's record still holds the name, date of birth,
sex and side it prints (audit 2026-12-06: a name corrected at another station while the
report was written was printed, and the report kept as the patient's)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.export import store_report
from app.gateway_store import StoreGateway
from app.records import Store
from app.records.errors import RecordStateError
from tests.records.records_helpers import confirmed_assessment


def test_a_report_naming_a_patient_corrected_meanwhile_is_refused(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-1", "Wrong Name", "II", "Dr First")
    printed = {"name": "Wrong Name", "birth_date": None, "sex": None, "affected_side": None}
    store.update_patient("MRN-1", actor="station B", name="Right Name")  # during the render
    with pytest.raises(RecordStateError, match=r"patient MRN-1's record \(name\) changed while the report"):
        store.save_report(aid, b"%PDF-1.4 Wrong Name", expect_patient=printed)
    assert store.reports(aid) == []
    assert not list((store.root / "reports").rglob("*.pdf"))
    report = store.save_report(aid, b"%PDF-1.4 Right Name", expect_patient={**printed, "name": "Right Name"})
    assert store.reports(aid) == [report]
    with pytest.raises(ValueError, match="notes"):
        store.save_report(aid, b"%PDF-1.4 x", expect_patient={"notes": ""})


def test_the_window_path_passes_the_printed_patient(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        aid = confirmed_assessment(gateway.store, "MRN-2", "Jon Smyth", "III", "Dr A")
        info, patient = gateway.assessment(aid), gateway.get_patient("MRN-2")
        assert patient.affected_side == "unknown"  # the store's "no side", as the gateway shows it
        gateway.save_patient(replace(patient, birth_date="1960-03-02"), is_new=False)
        with pytest.raises(RecordStateError, match=r"\(birth date\)"):
            store_report(gateway, aid, b"%PDF-1.4 old", expect=info, patient=patient)
        path = store_report(gateway, aid, b"%PDF-1.4 new", expect=info, patient=gateway.get_patient("MRN-2"))
        assert path.is_file()
    finally:
        gateway.close()


def test_a_report_whose_grade_history_changed_meanwhile_is_refused(tmp_path: Path) -> None:
    """An earlier visit marked entered in error (or confirmed again) at another station while a
    later visit's report was written: the PDF printed it in its grade history, and was kept."""
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        store = gateway.store
        earlier = confirmed_assessment(store, "MRN-3", "Kit Ono", "IV", "Dr A")
        later = store.start_assessment("MRN-3").id
        store.record_results(later, {"grade": "III"}, model_grade="III")
        store.confirm_grade(later, "III", "Dr A")
        info, patient, history = gateway.assessment(later), gateway.get_patient("MRN-3"), gateway.history("MRN-3")
        gateway.start_assessment("MRN-3")  # a draft begun meanwhile is not in the grade history: no refusal
        assert store_report(gateway, later, b"%PDF-1.4 first", expect=info, patient=patient, history=history).is_file()
        store.withdraw_assessment(earlier, actor="station B", reason="recorded under the wrong patient")
        with pytest.raises(RecordStateError, match="other visits of patient MRN-3 changed"):
            store_report(gateway, later, b"%PDF-1.4 second", expect=info, patient=patient, history=history)
        assert len(store.reports(later)) == 1
        now = gateway.history("MRN-3")
        assert store_report(gateway, later, b"%PDF-1.4 third", expect=info, patient=patient, history=now).is_file()
    finally:
        gateway.close()
