"""The patient search finds an ID by the number alone ('1001' finds MRN-1001), as people read
it off a wristband, after the prefix matches and within the result limit."""

from __future__ import annotations

from app.gateway_store import StoreGateway
from app.records import Store


def _ids(store: Store, text: str, limit: int = 50) -> list[str]:
    return [p.patient_id for p in store.search_patients(text, limit=limit)]


def test_the_number_alone_finds_the_patient(store: Store) -> None:
    store.create_patient("MRN-1001", name="Anna Berg")
    store.create_patient("MRN-2002", name="Bo Carlsson")
    assert _ids(store, "1001") == _ids(store, " 1001 ") == ["MRN-1001"]
    assert _ids(store, "001") == ["MRN-1001"] and _ids(store, "100") == ["MRN-1001"]
    assert _ids(store, "１００１") == ["MRN-1001"]  # full-width digits fold like the stored ID
    assert [p.patient_id for p in StoreGateway(store).search_patients("1001")] == ["MRN-1001"]


def test_prefix_matches_come_before_ids_holding_the_digits(store: Store) -> None:
    store.create_patient("MRN-123", name="Anna Berg")
    store.create_patient("123-9", name="Bo Carlsson")
    store.create_patient("A-1234", name="Cid Dahl")
    store.create_patient("X-9", name="123 Erik")  # a name word of digits is a name match
    assert _ids(store, "123") == ["123-9", "X-9", "A-1234", "MRN-123"]


def test_short_or_mixed_queries_still_match_from_the_start_only(store: Store) -> None:
    store.create_patient("MRN-1001", name="Anna Berg")
    assert _ids(store, "10") == [] and _ids(store, "01") == []  # two digits: too many patients
    assert _ids(store, "n-1001") == [] and _ids(store, "1001b") == []  # not digits alone
    assert _ids(store, "berg") == ["MRN-1001"] and _ids(store, "mrn-10") == ["MRN-1001"]


def test_the_digit_search_keeps_the_result_limit(store: Store) -> None:
    with store.transaction():
        for i in range(12):
            store.create_patient(f"MRN-{i:02d}777")
    store.create_patient("777-1")
    assert _ids(store, "777", limit=5) == ["777-1", "MRN-00777", "MRN-01777", "MRN-02777", "MRN-03777"]
    assert len(_ids(store, "777")) == 13 and _ids(store, "777", limit=0) == []


def test_the_in_memory_records_search_by_the_number_as_the_store_does() -> None:
    from app.records_gateway import PatientInfo
    from tests.doubles import MemoryRecords

    records = MemoryRecords()
    for pid, name in (("MRN-123", "Anna Berg"), ("123-9", "Bo Carlsson"), ("A-1234", "Cid Dahl")):
        records.save_patient(PatientInfo(patient_id=pid, name=name), is_new=True)
    assert [p.patient_id for p in records.search_patients("123")] == ["123-9", "A-1234", "MRN-123"]
    assert [p.patient_id for p in records.search_patients("12")] == ["123-9"]  # two digits: from the start only
