"""A past visit recorded under the wrong patient is marked entered in error: it leaves the
patient's history and later reports, its photos, results and reports are kept, the audit trail
says why, and an export of the patient still imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store
from app.records.audit_agreement import ENTERED_IN_ERROR, reports_allowed, trail_disagreements
from app.records.errors import RecordStateError
from app.records.export_folder import export_patient
from app.records.export_format import IMPORTED_MARK
from app.records.import_folder import import_patient
from models.errors import InputError
from tests.records.records_helpers import confirmed_assessment, tiny_png

WRONG_PATIENT = "recorded under the wrong patient"


def _status_entries(store: Store, aid: int) -> list[tuple[str | None, str | None, str]]:
    return [(e.old_value, e.new_value, e.reason) for e in store.audit_trail("assessment", aid) if e.field == "status"]


def _analysed(store: Store, patient_id: str) -> int:
    aid = store.start_assessment(patient_id).id
    store.save_capture(aid, "rest", tiny_png(5))
    store.record_results(aid, {"grade": "III"}, model_grade="III")
    return aid


def test_a_confirmed_visit_is_withdrawn_with_its_reason_and_nothing_is_deleted(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-1", "Ada Lovelace", "II", "Dr Kim")
    report = store.save_report(aid, b"%PDF-1.4 report")
    photo = store.captures(aid)[0]
    withdrawn = store.withdraw_assessment(aid, actor="gui", reason=f"  {WRONG_PATIENT} ")
    assert withdrawn.status == "discarded"
    assert withdrawn.confirmed_grade == "II" and withdrawn.clinician == "Dr Kim"  # the record as it was
    assert _status_entries(store, aid)[-1] == ("confirmed", "discarded", ENTERED_IN_ERROR + WRONG_PATIENT)
    assert [a.id for a in store.history("MRN-1")] == []
    assert [a.id for a in store.history("MRN-1", include_discarded=True)] == [aid]
    assert store.captures(aid) == [photo] and store.reports(aid) == [report]
    assert (store.layout.root / report.file_name).is_file()
    assert store.verify_files() == []  # every photo and report still there, as recorded


def test_an_analysed_visit_is_withdrawn_too(store: Store) -> None:
    store.create_patient("MRN-2", name="Bob Jones")
    aid = _analysed(store, "MRN-2")
    assert store.withdraw_assessment(aid, actor="gui", reason="photos of another person").status == "discarded"
    assert _status_entries(store, aid)[-1] == ("analysed", "discarded", ENTERED_IN_ERROR + "photos of another person")
    assert store.history("MRN-2") == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(store: Store, reason: str | None) -> None:
    aid = confirmed_assessment(store, "MRN-3", "Cy Young", "IV", "Dr Kim")
    before = store.audit_trail("assessment", aid)
    with pytest.raises(InputError, match=f"assessment {aid} was not marked entered in error: a reason is required"):
        store.withdraw_assessment(aid, actor="gui", reason=reason)  # type: ignore[arg-type]
    assert store.get_assessment(aid).status == "confirmed"
    assert store.audit_trail("assessment", aid) == before


def test_a_reason_over_500_characters_is_refused(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-4", "Di Lane", "I", "Dr Kim")
    with pytest.raises(InputError, match="longer than 500 characters"):
        store.withdraw_assessment(aid, actor="gui", reason="x" * 501)
    assert store.get_assessment(aid).status == "confirmed"
    store.withdraw_assessment(aid, actor="gui", reason="x" * 500)
    assert store.get_assessment(aid).status == "discarded"


def test_a_draft_is_not_withdrawn_but_discarded(store: Store) -> None:
    store.create_patient("MRN-5", name="Ed Moss")
    aid = store.start_assessment("MRN-5").id
    with pytest.raises(RecordStateError, match=rf"cannot mark entered in error assessment {aid}: it is draft; "
                                               r"an unfinished assessment is discarded from the patients page"):
        store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    assert store.get_assessment(aid).status == "draft"
    store.discard_assessment(aid, actor="gui", reason="abandoned")  # unchanged for drafts
    assert _status_entries(store, aid)[-1] == ("draft", "discarded", "abandoned")


def test_a_visit_is_withdrawn_once(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-6", "Flo Rida", "III", "Dr Kim")
    store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    with pytest.raises(RecordStateError, match=r"it is discarded; it was discarded or marked entered in error before"):
        store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    assert len(_status_entries(store, aid)) == 4  # draft, analysed, confirmed, discarded: one withdrawal


def test_discard_still_keeps_confirmed_visits(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-7", "Gil Bates", "II", "Dr Kim")
    with pytest.raises(RecordStateError, match="confirmed assessments are kept"):
        store.discard_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    assert store.get_assessment(aid).status == "confirmed"


# -- the audit trail's agreement ---------------------------------------------------------------

def _trail(store: Store, aid: int) -> list[dict]:
    entries = (e for entity in ("assessment", "report") for e in store.audit_trail(entity, aid))
    return [{"entity": e.entity, "field": e.field, "old_value": e.old_value, "new_value": e.new_value,
             "reason": e.reason, "at": e.at} for e in sorted(entries, key=lambda e: e.id)]


def test_a_withdrawn_confirmed_visit_agrees_with_its_trail_and_keeps_its_reports(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-8", "Hal Ito", "V", "Dr Kim")
    report = store.save_report(aid, b"%PDF-1.4 report")
    store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    row = store.get_assessment(aid)
    values = {f: getattr(row, f) for f in ("status", "model_grade", "measured_grade", "confirmed_grade", "clinician")}
    assert trail_disagreements(_trail(store, aid), values, [report.sha256]) == []
    assert reports_allowed("discarded", _trail(store, aid))


def test_only_a_confirmed_visit_withdrawn_in_error_may_hold_reports(store: Store) -> None:
    store.create_patient("MRN-9", name="Ivy Lee")
    analysed = _analysed(store, "MRN-9")
    store.withdraw_assessment(analysed, actor="gui", reason=WRONG_PATIENT)
    assert not reports_allowed("discarded", _trail(store, analysed))  # never confirmed: never had a report
    discarded = _analysed(store, "MRN-9")
    store.discard_assessment(discarded, actor="gui", reason=ENTERED_IN_ERROR + "typed by hand")
    assert not reports_allowed("discarded", _trail(store, discarded))  # analysed -> discarded
    assert reports_allowed("confirmed", [])
    assert not reports_allowed("analysed", [])
    plain = [{"entity": "assessment", "field": "status", "old_value": "confirmed", "new_value": "discarded",
              "reason": "no longer needed"}]
    assert not reports_allowed("discarded", plain)  # a discard of a confirmed visit not said to be in error


@pytest.mark.parametrize("marks", [1, 2])
def test_a_withdrawal_copied_by_imports_still_allows_its_reports(marks: int) -> None:
    reason = f"{IMPORTED_MARK} " * marks + ENTERED_IN_ERROR + WRONG_PATIENT
    entries = [{"entity": "assessment", "field": "status", "old_value": "analysed", "new_value": "confirmed", "reason": ""},
               {"entity": "assessment", "field": "status", "old_value": "confirmed", "new_value": "discarded",
                "reason": reason}]
    assert reports_allowed("discarded", entries)
    # without old values (read by new values only), the status before is the trail's last one
    assert reports_allowed("discarded", [{**e, "old_value": None} for e in entries])


# -- export and import ---------------------------------------------------------------------------

def _export_withdrawn(tmp_path: Path, *, with_report: bool) -> tuple[Path, int, int]:
    """A patient with a withdrawn confirmed visit (with a report or not), a withdrawn analysed
    visit and a kept confirmed one, exported; (folder, withdrawn confirmed, kept)."""
    with Store.open(tmp_path / "source") as source:
        withdrawn = confirmed_assessment(source, "WE-1", "Jo Ames", "IV", "Dr Kim")
        if with_report:
            source.save_report(withdrawn, b"%PDF-1.4 report of the wrong patient")
        source.withdraw_assessment(withdrawn, actor="gui", reason=WRONG_PATIENT)
        analysed = _analysed(source, "WE-1")
        source.withdraw_assessment(analysed, actor="gui", reason=WRONG_PATIENT)
        kept = source.start_assessment("WE-1").id
        source.save_capture(kept, "rest", tiny_png(9))
        source.record_results(kept, {"grade": "II"}, model_grade="II")
        source.confirm_grade(kept, "II", "Dr Kim")
        if not with_report:  # with one: `records check` (store_checks) still calls its report unexpected
            assert source.record_problems() == []
        return export_patient(source, "WE-1", tmp_path / "usb"), withdrawn, kept


def _import_and_check(tmp_path: Path, folder: Path, *, reports: int) -> None:
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, folder)
        visits = target.history("WE-1", include_discarded=True)
        assert [a.status for a in visits] == ["discarded", "discarded", "confirmed"]
        assert [a.confirmed_grade for a in target.history("WE-1")] == ["II"]
        assert len(target.reports(visits[0].id)) == reports
        assert target.captures(visits[0].id) == [] and target.captures(visits[1].id) == []  # photos not exported
        reasons = [e.reason for e in target.audit_trail("assessment", visits[0].id) if e.new_value == "discarded"]
        assert reasons == [f"{IMPORTED_MARK} {ENTERED_IN_ERROR}{WRONG_PATIENT}"]
        assert target.record_problems() == []
        # and exported again from there, it imports on a third station
        again = export_patient(target, "WE-1", tmp_path / "usb2")
    with Store.open(tmp_path / "station3") as third:
        import_patient(third, again)
        assert [a.status for a in third.history("WE-1", include_discarded=True)] == ["discarded", "discarded", "confirmed"]


def test_an_export_with_withdrawn_visits_imports(tmp_path: Path) -> None:
    folder, _withdrawn, _kept = _export_withdrawn(tmp_path, with_report=False)
    _import_and_check(tmp_path, folder, reports=0)


def test_an_export_with_a_withdrawn_visit_that_had_a_report_imports(tmp_path: Path) -> None:
    folder, _withdrawn, _kept = _export_withdrawn(tmp_path, with_report=True)
    _import_and_check(tmp_path, folder, reports=0)  # the report stays on the recording station


def test_records_check_accepts_the_report_of_a_withdrawn_visit(store: Store) -> None:
    aid = confirmed_assessment(store, "MRN-10", "Kit Ono", "II", "Dr Kim")
    store.save_report(aid, b"%PDF-1.4 report")
    store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    assert store.record_problems() == []


# -- later reports ---------------------------------------------------------------------------------

def test_a_later_report_leaves_the_withdrawn_visit_out_of_its_grade_history(tmp_path: Path) -> None:
    from app.export import report_context
    from app.gateway_store import open_gateway
    from app.settings import Settings

    gateway = open_gateway(tmp_path / "data")
    try:
        store = gateway.store
        first = confirmed_assessment(store, "MRN-11", "Lu Park", "II", "Dr Kim")
        wrong = _analysed(store, "MRN-11")
        store.confirm_grade(wrong, "VI", "Dr Kim")
        later = _analysed(store, "MRN-11")
        store.confirm_grade(later, "III", "Dr Kim")
        before = report_context(gateway.assessment(later), gateway.get_patient("MRN-11"), Settings(),
                                gateway.history("MRN-11"))
        assert [p.grade for p in before.history] == ["II", "VI", "III"]
        store.withdraw_assessment(wrong, actor="gui", reason=WRONG_PATIENT)
        context = report_context(gateway.assessment(later), gateway.get_patient("MRN-11"), Settings(),
                                 gateway.history("MRN-11"))
        assert [p.grade for p in context.history] == ["II", "III"]
        assert first in [a.assessment_id for a in gateway.history("MRN-11")]
    finally:
        gateway.close()


def test_when_a_visit_was_withdrawn_and_how_many_a_patient_has(store: Store) -> None:
    """`entered_in_error_at` / `withdrawn_count`: withdrawals only, not drafts discarded."""
    kept = confirmed_assessment(store, "MRN-20", "Kit Ono", "II", "Dr Kim")
    withdrawn = store.start_assessment("MRN-20").id
    store.record_results(withdrawn, {"grade": "III"}, model_grade="III")
    store.confirm_grade(withdrawn, "III", "Dr Kim")
    draft = store.start_assessment("MRN-20").id
    store.discard_assessment(draft, actor="gui", reason="left before any photo was taken")
    store.withdraw_assessment(withdrawn, actor="gui", reason=WRONG_PATIENT)
    assert store.entered_in_error_at(withdrawn) is not None
    assert store.entered_in_error_at(kept) is None and store.entered_in_error_at(draft) is None
    assert store.withdrawn_count("MRN-20") == 1


def test_withdrawn_count_reads_the_visits_in_one_query(store: Store) -> None:
    """Second review 2026-12-06: one query per discarded visit (and every result read) each time
    the history showed."""
    kept = confirmed_assessment(store, "MRN-30", "Kit Ono", "II", "Dr Kim")
    for _ in range(5):
        aid = store.start_assessment("MRN-30").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.withdraw_assessment(aid, actor="gui", reason=WRONG_PATIENT)
    statements = []
    store.db.connection().set_trace_callback(statements.append)
    try:
        assert store.withdrawn_count("MRN-30") == 5
    finally:
        store.db.connection().set_trace_callback(None)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2
    assert store.entered_in_error_at(kept) is None
