"""A saved report is offered (Open report, Save a copy) only while the records still hold what it
prints: the visit's decision, the patient's details and the grade history of the visits up to
this one. Through the real store, with PDF bytes that are not a rendered report (no Qt). The
store's clock ticks a millisecond at each reading (or stands still: `frozen`), so that no test
hangs on the wall clock advancing between two writes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path

import pytest

from app.export import outdated_report_text, saved_report
from app.gateway_store import StoreGateway
from app.records import Store, validate
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from app.records_gateway import PatientInfo
from tests.doubles import MemoryRecords

RESULT = {"grade": "III", "probabilities": {"III": 0.8}}
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def stamp(milliseconds: int) -> str:
    return (START + timedelta(milliseconds=milliseconds)).isoformat(timespec="milliseconds")


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    ticks = count()
    monkeypatch.setattr(validate, "now_iso", lambda: stamp(next(ticks)))
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


def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every later write in one millisecond, as an export and the next change at two stations."""
    monkeypatch.setattr(validate, "now_iso", lambda: stamp(10_000))


def test_an_earlier_visit_confirmed_again_or_for_the_first_time_outdates_the_report(gateway, monkeypatch) -> None:
    waiting, first = visit(gateway, None), visit(gateway, "IV")
    aid = visit(gateway)
    frozen(monkeypatch)  # the order of the changes counts, not their times
    export(gateway, aid)
    gateway.confirm(first, "V", "Dr Kim", "")  # printed as IV
    assert offered(gateway, aid) is None
    export(gateway, aid)
    assert offered(gateway, aid) is not None  # exported again in the same millisecond: current
    gateway.confirm(waiting, "II", "Dr Kim", "")  # not printed, now a grade of the history
    assert offered(gateway, aid) is None


def test_a_change_in_the_reports_own_millisecond_outdates_it(gateway, monkeypatch) -> None:
    aid = visit(gateway)
    frozen(monkeypatch)
    export(gateway, aid)
    gateway.save_patient(PatientInfo("MRN-1", "Ada King"), is_new=False)
    assert offered(gateway, aid) is None
    assert "(the patient's details)" in outdated_report_text(gateway, gateway.assessment(aid))


def test_a_report_exported_after_a_change_from_a_station_whose_clock_runs_ahead_is_current(gateway, monkeypatch) -> None:
    aid = visit(gateway)
    with monkeypatch.context() as ahead:
        ahead.setattr(validate, "now_iso", lambda: stamp(120_000))  # two minutes ahead of ours
        gateway.save_patient(PatientInfo("MRN-1", "Ada King"), is_new=False)
    export(gateway, aid)  # as told: "export it again"
    assert offered(gateway, aid) is not None


def test_notes_the_report_does_not_print_leave_it_offered(gateway) -> None:
    first = visit(gateway, "IV")
    aid = visit(gateway)
    export(gateway, aid)
    gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace", notes="prefers morning slots"), is_new=False)
    gateway.confirm(first, "IV", "Dr Lee", "measured again on the left")  # same grade, its notes corrected
    assert offered(gateway, aid) is not None
    assert outdated_report_text(gateway, gateway.assessment(aid)) == ""
    gateway.confirm(aid, "III", "Dr Kim", "seen with her daughter")  # this visit's notes are printed
    assert offered(gateway, aid) is None
    assert "(this visit's grade, clinician or notes)" in outdated_report_text(gateway, gateway.assessment(aid))


def test_an_imported_report_is_judged_by_the_times_of_the_copied_trail(gateway, tmp_path) -> None:
    aid = visit(gateway)
    export(gateway, aid)
    gateway.save_patient(PatientInfo("MRN-1", "Ada King"), is_new=False)  # after the report
    folder = export_patient(gateway.store, "MRN-1", tmp_path / "usb")
    imported = StoreGateway(Store.open(tmp_path / "other"))
    try:
        import_patient(imported.store, folder)  # copies the patient's trail before its visits'
        assert offered(imported, imported.history("MRN-1", photos=False)[0].assessment_id) is None
    finally:
        imported.close()


def test_changes_the_report_does_not_print_leave_it_offered(gateway) -> None:
    draft, withdrawn_analysed = gateway.start_assessment("MRN-1"), visit(gateway, None)
    aid = visit(gateway)
    export(gateway, aid)
    gateway.discard(draft)
    gateway.withdraw(withdrawn_analysed, "wrong patient")  # never confirmed: never printed
    visit(gateway, "II")  # a later visit: a report dated before it says nothing of it
    assert offered(gateway, aid) is not None


def test_the_in_memory_records_list_graded_visits_and_keep_no_reports() -> None:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "Bo"), is_new=True)
    aid = records.start_assessment("P1")
    records.record_results(aid, "II", "II", RESULT)
    assert records.graded_visits("P1") == []
    records.confirm(aid, "II", "Dr Kim", "")
    records.withdraw(aid, "wrong patient")
    assert [(v.assessment_id, v.status) for v in records.graded_visits("P1")] == [(aid, "discarded")]
    assert records.changes_since_report(aid, "P1") == []


def test_a_patient_whose_id_is_the_visits_number_is_not_taken_for_the_visit(gateway) -> None:
    gateway.save_patient(PatientInfo("1", "Bo Berg"), is_new=True)
    aid = gateway.start_assessment("1")
    gateway.record_results(aid, "III", "III", RESULT)
    gateway.confirm(aid, "III", "Dr Kim", "")
    gateway.save_report(aid, b"%PDF-1.4 report", expect=gateway.assessment(aid), patient=gateway.get_patient("1"),
                        history=gateway.history("1", photos=False))
    gateway.save_patient(PatientInfo("1", "Bo Berg", notes="prefers morning slots"), is_new=False)
    assert (aid, outdated_report_text(gateway, gateway.assessment(aid))) == (1, "")
