"""Guards of the record store and of export/import pinned at their edges: a file outside the
export folder, what de-identification removes and keeps, status rules of discard and report,
the newest schema plus one, multi-chunk writes, search order and limits, and a re-import."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.records import DuplicateRecordError, StorageError, Store, import_folder
from app.records.errors import RecordStateError
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.files import atomic_write
from app.records.import_folder import import_patient
from app.records.migrations import LATEST_VERSION, migrate
from models.errors import InputError
from tests.records.records_helpers import confirmed_assessment, edit_manifest, tiny_png

# --- import: a file outside the export folder ----------------------------------------------


def test_a_listed_file_outside_the_export_folder_is_refused(tmp_path: Path, exported: Path) -> None:
    outside = exported.parent / "outside.png"  # beside the export folder, not in it
    data = tiny_png(5)
    outside.write_bytes(data)
    edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(
        file="../outside.png", sha256=hashlib.sha256(data).hexdigest()))
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(InputError, match="outside"):
            import_patient(target, exported)
        assert target.count_patients() == 0


# --- de-identification -------------------------------------------------------------------


def test_deidentified_export_removes_the_birth_date_from_result_text(store: Store, tmp_path: Path) -> None:
    birth_date = "1961-04-12"
    store.create_patient("DOB-1", name="Yuri Gagarin", birth_date=birth_date, actor="nurse")
    aid = store.start_assessment("DOB-1", actor="nurse").id
    store.record_results(aid, {"grade": "III", "folder": f"/p/{birth_date}/x"}, model_grade="III")
    folder = export_patient(store, "DOB-1", tmp_path / "out", deidentify=True, pseudonym="STUDY-1")
    text = (folder / MANIFEST).read_text()
    assert birth_date not in text
    [assessment] = json.loads(text)["assessments"]
    assert assessment["result"]["folder"] == "/p//x"


def test_deidentified_export_keeps_a_grade_that_equals_a_single_letter_of_the_name(store: Store,
                                                                                   tmp_path: Path) -> None:
    store.create_patient("ONE-1", name="Ivan V Petrov", actor="nurse")
    aid = store.start_assessment("ONE-1", actor="nurse").id
    store.record_results(aid, {"grade": "V", "note": "Ivan Petrov"}, model_grade="V")
    folder = export_patient(store, "ONE-1", tmp_path / "out", deidentify=True, pseudonym="STUDY-2")
    [assessment] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert assessment["result"]["grade"] == "V"  # an initial is not removed from every word
    assert assessment["model_grade"] == "V"
    assert "Ivan" not in assessment["result"]["note"] and "Petrov" not in assessment["result"]["note"]


# --- status rules ------------------------------------------------------------------------


def _confirmed(store: Store) -> int:
    return confirmed_assessment(store, "ST-1", "Sam Status", "III", "Dr Kim", seed=3)


def test_a_confirmed_assessment_cannot_be_discarded(store: Store) -> None:
    aid = _confirmed(store)
    with pytest.raises(RecordStateError, match="confirmed"):
        store.discard_assessment(aid, actor="nurse", reason="mistake")
    assessment = store.get_assessment(aid)
    assert assessment.status == "confirmed" and assessment.confirmed_grade == "III"
    assert [a.id for a in store.history("ST-1")] == [aid]


def test_discarding_twice_says_it_was_discarded_before(store: Store) -> None:
    store.create_patient("ST-3", name="Dee Twice")
    aid = store.start_assessment("ST-3").id
    store.discard_assessment(aid, actor="nurse")
    with pytest.raises(RecordStateError) as refused:
        store.discard_assessment(aid, actor="nurse")
    assert "discarded before" in str(refused.value) and "confirmed" not in str(refused.value)


def test_a_report_of_an_analysed_assessment_is_refused(store: Store) -> None:
    store.create_patient("ST-2", name="Una Confirmed")
    aid = store.start_assessment("ST-2").id
    store.save_capture(aid, "rest", tiny_png(4))
    store.record_results(aid, {"grade": "II"}, model_grade="II")
    with pytest.raises(RecordStateError, match="confirm the grade first"):
        store.save_report(aid, b"%PDF-1.4 unconfirmed")
    assert store.reports(aid) == []
    assert [p for p in store.layout.reports_dir.rglob("*") if p.is_file()] == []


# --- the newest schema plus one ----------------------------------------------------------


def test_a_database_one_schema_step_newer_is_refused(tmp_path: Path) -> None:
    Store.open(tmp_path / "d").close()
    conn = sqlite3.connect(tmp_path / "d" / "palsy.db")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StorageError, match=f"schema version {LATEST_VERSION + 1}, newer"):
        Store.open(tmp_path / "d")
    conn = sqlite3.connect(tmp_path / "d" / "palsy.db", isolation_level=None)
    try:
        with pytest.raises(StorageError, match=f"schema version {LATEST_VERSION + 1}, newer"):
            migrate(conn)
    finally:
        conn.close()


def test_an_export_one_schema_step_newer_is_refused(tmp_path: Path, exported: Path) -> None:
    edit_manifest(exported, lambda m: m.update(schema_version=LATEST_VERSION + 1))
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(InputError, match=rf"newer Palsy Grader \(records schema version {LATEST_VERSION + 1};"):
            import_patient(target, exported)
        assert target.count_patients() == 0


# --- files -------------------------------------------------------------------------------


def test_atomic_write_of_several_chunks_round_trips(tmp_path: Path) -> None:
    data = np.random.default_rng(7).integers(0, 256, 3 * (1 << 20) + 123, dtype=np.uint8).tobytes()
    target = tmp_path / "big.bin"
    digest = atomic_write(target, data)
    assert target.read_bytes() == data
    assert digest == hashlib.sha256(data).hexdigest()


# --- search ------------------------------------------------------------------------------


def test_an_empty_search_lists_the_most_recently_updated_first(store: Store) -> None:
    for pid, name in (("A-1", "Alma First"), ("B-1", "Bert Second"), ("C-1", "Cleo Third")):
        store.create_patient(pid, name=name)
        time.sleep(0.01)  # distinct millisecond stamps
    store.update_patient("A-1", actor="nurse", notes="seen again")
    assert [p.patient_id for p in store.search_patients("")] == ["A-1", "C-1", "B-1"]
    assert [p.patient_id for p in store.search_patients("", limit=1)] == ["A-1"]


def test_a_name_search_stops_at_the_limit(store: Store) -> None:
    for i, surname in enumerate(("Berg", "Cole", "Dahl", "Eads", "Funk")):
        store.create_patient(f"P-{i}", name=f"Anna {surname}")
    assert len(store.search_patients("anna")) == 5
    assert len(store.search_patients("anna", limit=2)) == 2
    assert len(store.search_patients("anna", limit=4)) == 4


# --- re-import of a patient the station has ----------------------------------------------


def test_importing_a_patient_that_exists_is_refused_before_any_file_is_written(
        tmp_path: Path, exported: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "station2") as target:
        target.create_patient("IMP-1", name="Local Record")
        writes: list[Path] = []
        real = import_folder.atomic_write

        def noting(path: Path, data: bytes, **kwargs: Any) -> str:
            writes.append(path)
            return real(path, data, **kwargs)

        monkeypatch.setattr(import_folder, "atomic_write", noting)
        with pytest.raises(DuplicateRecordError,
                           match="patient IMP-1 already exists on this station; nothing was imported"):
            import_patient(target, exported)
        assert writes == []
        assert target.get_patient("IMP-1").name == "Local Record"
        assert target.history("IMP-1") == []
