"""Two visits of one patient on one day are offered under two copy names: the name holds the
visit's local start time (Save a copy starts in the last copy's folder, where a second copy
named by the date alone replaced the first visit's). No Qt; the real store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.export import UNSAFE_IN_NAMES, copy_name, saved_report
from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import AssessmentInfo, PatientInfo

# 2 July 2026 in Auckland (NZST, UTC+12): 10:00 and 12:30 local, stored in UTC across midnight
MORNING, NOON = "2026-07-01T22:00:00.000+00:00", "2026-07-02T00:30:00.000+00:00"
PATIENT = PatientInfo("MRN-7001", "Mere Tane")


@pytest.fixture
def auckland(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Pacific/Auckland")


def _confirmed_with_report(store: Store, created_at: str) -> int:
    aid = store.start_assessment(PATIENT.patient_id, created_at=created_at).id
    store.record_results(aid, {"grade": "II"}, model_grade="II")
    store.confirm_grade(aid, "II", "Dr Kim")
    store.save_report(aid, f"%PDF-1.4 report of {aid}".encode())
    return aid


def test_two_visits_of_one_day_are_offered_under_two_names(tmp_path: Path, auckland: None) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient(PATIENT.patient_id, name=PATIENT.name)
        first, second = _confirmed_with_report(store, MORNING), _confirmed_with_report(store, NOON)
        gateway = StoreGateway(store)
        names = [saved_report(gateway, gateway.assessment(aid), gateway.get_patient(PATIENT.patient_id)).copy_name
                 for aid in (first, second)]
    assert names == ["MRN-7001_Mere Tane_2026-07-02_1000_HB-report.pdf",
                     "MRN-7001_Mere Tane_2026-07-02_1230_HB-report.pdf"]


def test_the_name_gives_the_local_day_and_time_in_characters_every_system_accepts(auckland: None) -> None:
    name = copy_name(AssessmentInfo(1, PATIENT.patient_id, "confirmed", MORNING), PATIENT)
    assert name == "MRN-7001_Mere Tane_2026-07-02_1000_HB-report.pdf"  # not the stored day and time (1 July, 22:00 UTC)
    assert not UNSAFE_IN_NAMES.search(name)  # no ":" of "10:00" (Windows, macOS refuse it)


@pytest.mark.parametrize("created", ["2026/07/02 10:00", "not a time"])
def test_a_stored_time_that_is_no_timestamp_still_gives_a_safe_name(created: str) -> None:
    name = copy_name(AssessmentInfo(1, PATIENT.patient_id, "confirmed", created), PATIENT)
    assert name.startswith("MRN-7001_Mere Tane_") and name.endswith("_HB-report.pdf")
    assert not UNSAFE_IN_NAMES.search(name)
