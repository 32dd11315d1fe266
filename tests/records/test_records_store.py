"""Patients, assessments, captures, reports, audit trail and search of the record store."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from app.records import (
    DuplicateRecordError,
    RecordNotFoundError,
    RecordStateError,
    Store,
    default_data_dir,
)
from app.records.files import sha256_bytes
from models.errors import InputError
from models.labels import EXPRESSIONS
from tests.records.records_helpers import tiny_png


def test_data_folder_and_files_are_user_only(tmp_path: Path) -> None:
    root = tmp_path / "new" / "data"
    with Store.open(root) as s:
        s.create_patient("P1")
        aid = s.start_assessment("P1").id
        cap = s.save_capture(aid, "rest", tiny_png(0))
        for folder in (root, root / "photos", s.capture_path(cap).parent):
            assert folder.stat().st_mode & 0o777 == 0o700, folder
        for name in ("palsy.db", "palsy.db-wal", "palsy.db-shm"):
            assert (root / name).stat().st_mode & 0o777 == 0o600, name
        assert s.capture_path(cap).stat().st_mode & 0o777 == 0o600


def test_palsy_home_overrides_the_platform_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home"
    with Store.open() as s:
        assert s.root == (tmp_path / "home").resolve()
    monkeypatch.delenv("PALSY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and not os.uname().sysname == "Darwin":
        assert default_data_dir() == tmp_path / "xdg" / "palsygrader"


def test_patient_create_get_update_with_audit(store: Store) -> None:
    p = store.create_patient(" MRN-001 ", name="Grace Hopper", birth_date="1906-12-09", sex="Female",
                             affected_side="Right", notes="referred", actor="nurse")
    assert (p.patient_id, p.sex, p.affected_side, p.birth_date) == ("MRN-001", "female", "right", "1906-12-09")
    assert store.get_patient("mrn-001").name == "Grace Hopper"
    with pytest.raises(DuplicateRecordError, match="already exists"):
        store.create_patient("mrn-001")
    updated = store.update_patient("MRN-001", actor="nurse", name="Grace B. Hopper", affected_side="left")
    assert (updated.name, updated.affected_side) == ("Grace B. Hopper", "left")
    changes = [(e.field, e.old_value, e.new_value) for e in store.audit_trail("patient", "MRN-001")]
    assert ("name", "Grace Hopper", "Grace B. Hopper") in changes
    assert ("affected_side", "right", "left") in changes
    with pytest.raises(RecordNotFoundError):
        store.get_patient("nobody")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"patient_id": ""}, "empty"),
        ({"patient_id": "A\x00B"}, "printable"),
        ({"patient_id": "P", "birth_date": "31/12/1970"}, "YYYY-MM-DD"),
        ({"patient_id": "P", "birth_date": "2999-01-01"}, "future"),
        ({"patient_id": "P", "affected_side": "both"}, "affected side"),
        ({"patient_id": "P", "sex": "x"}, "sex"),
        ({"patient_id": "P", "name": "Ada\tLovelace"}, r"control character \(U\+0009\)"),  # a pasted tab
        ({"patient_id": "P", "notes": "one\x1b[31m"}, r"control character \(U\+001B\)"),
    ],
)
def test_bad_patient_input_is_refused(store: Store, kwargs: dict, message: str) -> None:
    pid = kwargs.pop("patient_id")
    with pytest.raises(InputError, match=message):
        store.create_patient(pid, **kwargs)
    assert store.count_patients() == 0


def test_search_by_id_prefix_and_any_name_word(store: Store) -> None:
    store.create_patient("AB-100", name="Marie Curie")
    store.create_patient("AB-200", name="Pierre Curie")
    store.create_patient("XY-300", name="Ada Lovelace")
    ids = lambda prefix: [p.patient_id for p in store.search_patients(prefix)]  # noqa: E731
    assert ids("ab-") == ["AB-100", "AB-200"]
    assert ids("ab-2") == ["AB-200"]
    assert ids("CUR") == ["AB-100", "AB-200"]
    assert ids("marie c") == ["AB-100"]
    assert ids("love") == ["XY-300"]
    assert ids("zzz") == []
    assert len(store.search_patients("", limit=2)) == 2
    store.update_patient("XY-300", actor="nurse", name="Ada King")
    assert ids("love") == [] and ids("king") == ["XY-300"]


def test_name_search_ignores_accents_both_ways(store: Store) -> None:
    store.create_patient("A-1", name="Élodie Müller")
    store.create_patient("A-2", name="Łukasz Żółć")
    store.create_patient("A-3", name="Søren Kierkegaard")
    store.create_patient("A-4", name="Elodine Mull")
    store.create_patient("A-5", name="がくと")
    ids = lambda prefix: [p.patient_id for p in store.search_patients(prefix)]  # noqa: E731
    assert ids("elodie") == ids("ÉLODIE") == ids("Élodie") == ["A-1"]
    assert ids("elod") == ["A-1", "A-4"]
    assert ids("muller") == ids("müller") == ["A-1"]
    assert ids("müll") == ids("mull") == ["A-4", "A-1"]  # by the matching term: 'mull' < 'muller'
    assert ids("elodie muller") == ["A-1"]
    assert ids("lukasz") == ids("łuk") == ["A-2"] and ids("zolc") == ["A-2"]
    assert ids("soren") == ids("sø") == ["A-3"]
    # Only Latin/Greek/Cyrillic accents go: kana voicing marks tell sounds apart.
    assert ids("が") == ["A-5"] and ids("か") == []
    store.update_patient("A-1", actor="nurse", name="Hélène Dubois")
    assert ids("elodie") == [] and ids("helene") == ["A-1"]


def test_capture_sequence_retake_and_draft_listing(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    first = store.get_capture(aid, "rest")
    retake = store.save_capture(aid, "rest", tiny_png(11), {"sharpness": 0.95}, actor="nurse")
    assert retake.sha256 == sha256_bytes(tiny_png(11)) and retake.file_name != first.file_name
    assert not store.capture_path(first).exists()  # the replaced photo is gone
    assert store.load_capture(aid, "rest") == tiny_png(11)
    retakes = [e for e in store.audit_trail("capture", aid) if e.reason == "retake"]
    assert [(e.field, e.old_value, e.new_value) for e in retakes] == [("rest", first.sha256, retake.sha256)]
    [draft] = store.unfinished_assessments()
    assert draft.assessment.id == aid and draft.assessment.patient_id == "MRN-7"
    assert [c.expression for c in draft.captures] == ["rest", "close_eyes"]
    assert draft.missing == EXPRESSIONS[2:]


def test_array_photos_are_png_and_decode_back(store: Store) -> None:
    store.create_patient("P2")
    aid = store.start_assessment("P2").id
    image = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    cap = store.save_capture(aid, "open_mouth", image)
    assert cap.file_name.endswith(".png")
    assert np.array_equal(store.load_capture_image(aid, "open_mouth"), image)
    with pytest.raises(InputError, match="uint8"):
        store.save_capture(aid, "rest", image.astype(np.float32))
    with pytest.raises(InputError, match="neither a PNG nor a JPEG"):
        store.save_capture(aid, "rest", b"GIF89a....")
    with pytest.raises(InputError, match="unknown expression"):
        store.save_capture(aid, "smile", tiny_png(1))


def test_results_confirmation_and_every_override_is_audited(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    with pytest.raises(RecordStateError, match="analyse it first"):
        store.confirm_grade(aid, "II", "Dr A")
    store.record_results(aid, {"grade": "II", "probabilities": {"II": 0.7}}, model_grade="II", measured_grade="III")
    with pytest.raises(InputError, match="clinician"):
        store.confirm_grade(aid, "II", "  ")
    with pytest.raises(InputError, match="control character"):
        store.confirm_grade(aid, "IV", "Dr\x00A")
    store.confirm_grade(aid, "IV", "Dr A", notes="asymmetric smile\n\tat rest too")  # notes keep lines and tabs
    store.confirm_grade(aid, "II", "Dr B")
    final = store.confirm_grade(aid, "V", "Dr A")
    assert (final.status, final.confirmed_grade, final.model_grade, final.measured_grade) == ("confirmed", "V", "II", "III")
    assert final.overridden and final.result["probabilities"] == {"II": 0.7}
    grade_changes = [(e.actor, e.old_value, e.new_value, e.reason)
                     for e in store.audit_trail("assessment", aid) if e.field == "confirmed_grade"]
    assert grade_changes == [
        ("Dr A", None, "IV", "override of model grade II"),
        ("Dr B", "IV", "II", "agrees with model grade II"),
        ("Dr A", "II", "V", "override of model grade II"),
    ]
    # Only what a confirmation changed is audited: a field given again unchanged adds no entry.
    trail = store.audit_trail("assessment", aid)
    assert all(e.old_value != e.new_value for e in trail), [(e.field, e.old_value) for e in trail if e.old_value == e.new_value]
    assert [(e.actor, e.field) for e in trail if e.actor.startswith("Dr ")] == [
        ("Dr A", "confirmed_grade"), ("Dr A", "clinician"), ("Dr A", "notes"), ("Dr A", "status"),
        ("Dr B", "confirmed_grade"), ("Dr B", "clinician"),
        ("Dr A", "confirmed_grade"), ("Dr A", "clinician"),
    ]
    with pytest.raises(RecordStateError):
        store.save_capture(aid, "rest", tiny_png(3))
    with pytest.raises(RecordStateError):
        store.record_results(aid, {}, model_grade="I")
    assert store.unfinished_assessments() == []


def test_audit_trail_is_append_only(patient_with_draft: tuple[Store, int]) -> None:
    import sqlite3

    store, _ = patient_with_draft
    conn = store.db.connection()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit")


def test_reports_need_confirmation_and_are_checksummed(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    with pytest.raises(RecordStateError, match="confirm"):
        store.save_report(aid, b"%PDF-1.4 draft")
    store.record_results(aid, {}, model_grade="III")
    store.confirm_grade(aid, "III", "Dr A")
    report = store.save_report(aid, b"%PDF-1.4 final")
    assert store.load_report(report) == b"%PDF-1.4 final"
    assert store.reports(aid) == [report]
    with pytest.raises(InputError, match="not a PDF"):
        store.save_report(aid, b"hello")


def test_history_is_ordered_and_hides_discarded(store: Store) -> None:
    store.create_patient("H1")
    ids = [store.start_assessment("H1", created_at=f"2024-0{m}-01T00:00:00.000+00:00").id for m in (3, 1, 2)]
    store.record_results(ids[0], {}, model_grade="IV")
    store.discard_assessment(ids[2], actor="nurse", reason="wrong patient")
    assert [a.id for a in store.history("H1")] == [ids[1], ids[0]]
    assert [a.id for a in store.history("H1", include_discarded=True)] == [ids[1], ids[2], ids[0]]
    assert [d.assessment.id for d in store.unfinished_assessments()] == [ids[1]]


def test_logs_carry_patient_ids_never_names(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from app.records.export_folder import export_patient
    from app.records.import_folder import import_patient

    caplog.set_level(logging.DEBUG, logger="palsy.records")
    name, dob = "Zebulon Quixote-Marchetti", "1961-07-23"
    with Store.open(tmp_path / "a") as s:
        s.create_patient("LOG-42", name=name, birth_date=dob, notes="lives with Quixote family")
        s.update_patient("LOG-42", actor="nurse", name=name + " Jr", notes="n")
        aid = s.start_assessment("LOG-42").id
        s.save_capture(aid, "rest", tiny_png(5))
        s.save_capture(aid, "rest", tiny_png(6))
        s.record_results(aid, {"grade": "II"}, model_grade="II")
        s.confirm_grade(aid, "III", "Dr Who")
        folder = export_patient(s, "LOG-42", tmp_path / "out")
        with pytest.raises(DuplicateRecordError):
            s.create_patient("LOG-42", name=name)
    with Store.open(tmp_path / "b") as other:
        import_patient(other, folder)
        found = other.search_patients("zeb")
        assert [p.patient_id for p in found] == ["LOG-42"] and "Zebulon" not in repr(found)
    assert "LOG-42" in caplog.text  # logs were captured...
    for secret in ("Zebulon", "Quixote", "Marchetti", dob):  # ...and hold no identity
        assert secret not in caplog.text
