"""A saved report is offered (Open report, Save a copy) only while the records still hold what it
prints: the visit's decision, the patient's details and the grade history of the visits up to
this one. Through the real store, with PDF bytes that are not a rendered report (no Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.export import outdated_report_text, saved_report
from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import MemoryRecords, PatientInfo

RESULT = {"grade": "III", "probabilities": {"III": 0.8}}


@pytest.fixture
def gateway(tmp_path: Path):
    g = StoreGateway(Store.open(tmp_path / "data"))
    g.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    yield g
    g.close()


def visit(gateway, grade: str | None = "III") -> int:
    """A visit, analysed and (with a `grade`) confirmed."""
    aid = gateway.start_assessment("MRN-1")
    gateway.record_results(aid, "III", "III", RESULT)
    if grade:
        gateway.confirm(aid, grade, "Dr Kim", "")
    return aid


def export(gateway, aid: int) -> None:
    """A report of the records as they stand (its bytes differ each time, as a real one's
    creation date does: the same bytes again are the same stored report)."""
    info, patient = gateway.assessment(aid), gateway.get_patient("MRN-1")
    pdf = f"%PDF-1.4 report {len(gateway.saved_reports(aid))}".encode()
    gateway.save_report(aid, pdf, expect=info, patient=patient,
                        history=gateway.history("MRN-1", photos=False))


def offered(gateway, aid: int):
    return saved_report(gateway, gateway.assessment(aid), gateway.get_patient("MRN-1"))


def test_an_earlier_visit_entered_in_error_outdates_the_report(gateway) -> None:
    first, second = visit(gateway, "IV"), visit(gateway)
    export(gateway, second)
    assert offered(gateway, second) is not None
    gateway.withdraw(first, "recorded under the wrong patient")  # the report printed its grade IV
    assert offered(gateway, second) is None
    assert outdated_report_text(gateway, gateway.assessment(second)) == (
        "The saved report predates a change to the records (an earlier visit confirmed or marked entered in "
        "error): export it again (Ctrl+E)")
    export(gateway, second)  # exported again: its history holds
    assert offered(gateway, second) is not None
    assert outdated_report_text(gateway, gateway.assessment(second)) == ""


def test_a_corrected_name_outdates_the_report_and_its_copy_name(gateway) -> None:
    aid = visit(gateway)
    export(gateway, aid)
    assert offered(gateway, aid).copy_name.startswith("MRN-1_Ada Lovelace_")
    gateway.save_patient(PatientInfo("MRN-1", "Ada King"), is_new=False)
    assert offered(gateway, aid) is None  # the PDF prints "Ada Lovelace": no copy named "Ada King"
    assert "(the patient's details)" in outdated_report_text(gateway, gateway.assessment(aid))
    export(gateway, aid)
    assert offered(gateway, aid).copy_name.startswith("MRN-1_Ada King_")


def test_an_earlier_visit_confirmed_again_or_for_the_first_time_outdates_the_report(gateway) -> None:
    waiting, first = visit(gateway, None), visit(gateway, "IV")
    aid = visit(gateway)
    export(gateway, aid)
    gateway.confirm(first, "V", "Dr Kim", "")  # printed as IV
    assert offered(gateway, aid) is None
    export(gateway, aid)
    gateway.confirm(waiting, "II", "Dr Kim", "")  # not printed, now a grade of the history
    assert offered(gateway, aid) is None


def test_changes_the_report_does_not_print_leave_it_offered(gateway) -> None:
    draft, withdrawn_analysed = gateway.start_assessment("MRN-1"), visit(gateway, None)
    aid = visit(gateway)
    export(gateway, aid)
    gateway.discard(draft)
    gateway.withdraw(withdrawn_analysed, "wrong patient")  # never confirmed: never printed
    visit(gateway, "II")  # a later visit: a report dated before it says nothing of it
    assert offered(gateway, aid) is not None


def test_the_in_memory_records_say_when_graded_visits_and_patients_changed() -> None:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "Bo"), is_new=True)
    before = records.patient_updated("P1")
    aid = records.start_assessment("P1")
    records.record_results(aid, "II", "II", RESULT)
    assert records.graded_visits("P1") == []
    records.confirm(aid, "II", "Dr Kim", "")
    confirmed = records.graded_visits("P1")[0].updated
    records.withdraw(aid, "wrong patient")
    assert [(v.assessment_id, v.status) for v in records.graded_visits("P1")] == [(aid, "discarded")]
    assert records.graded_visits("P1")[0].updated >= confirmed > ""
    records.save_patient(PatientInfo("P1", "Bo Berg"), is_new=False)
    assert records.patient_updated("P1") >= before > ""
