"""Upgrade findings: a second upgrade's fresh copy, read-only commands on older folders, search
terms written by an older station, times with an offset, overrides without a reason."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from app.records import Store
from app.records.db import side_files
from app.records.migrations import LATEST_VERSION, migrate, schema_version

T = "2024-05-01T10:00:00.000+00:00"


def _build_v3(folder: Path, *, name: str = "Mary Seacole") -> None:
    """A version-3 database as the last release before step 4 wrote it: one patient."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    assert migrate(conn, target=3) == [1, 2, 3]
    conn.execute("INSERT INTO patients(id, patient_id, id_key, name, created_at, updated_at)"
                 " VALUES (1, 'OLD-1', 'old-1', ?, ?, ?)", (name, T, T))
    conn.close()


def _patient_ids(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT patient_id FROM patients ORDER BY id")]
    finally:
        conn.close()


# ------------------------------------------------------------ M1: a second upgrade's copy
def _upgraded_then_rolled_back(folder: Path) -> bytes:
    """A version-3 folder upgraded once (palsy.db.v3.bak holds OLD-1), then rolled back to that
    copy and worked on with the old release (ROLLBACK-WORK added); the first copy's bytes."""
    _build_v3(folder)
    Store.open(folder).close()
    backup = folder / "palsy.db.v3.bak"
    first = backup.read_bytes()
    for side in side_files(folder / "palsy.db"):
        side.unlink(missing_ok=True)
    shutil.copyfile(backup, folder / "palsy.db")
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    assert schema_version(conn) == 3
    conn.execute("INSERT INTO patients(patient_id, id_key, created_at, updated_at)"
                 " VALUES ('ROLLBACK-WORK', 'rollback-work', ?, ?)", (T, T))
    conn.close()
    return first


def test_a_second_upgrade_takes_a_fresh_copy_and_keeps_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first = _upgraded_then_rolled_back(folder)
    backup = folder / "palsy.db.v3.bak"
    with Store.open(folder) as store:  # the second upgrade
        assert schema_version(store.db.connection()) == LATEST_VERSION and store.count_patients() == 2
    assert _patient_ids(backup) == ["OLD-1", "ROLLBACK-WORK"]  # the copy of what was upgraded now
    [kept] = [p for p in folder.glob("palsy.db.v3.*.bak") if p != backup]
    assert kept.read_bytes() == first  # the earlier copy, not overwritten
    assert kept.name.startswith("palsy.db.v3.20") and kept.name.endswith("Z.bak")


def test_a_fresh_copy_that_cannot_be_put_in_place_leaves_the_earlier_under_its_name(tmp_path: Path, monkeypatch) -> None:
    # the earlier copy was renamed aside, then the fresh one failed: no palsy.db.v3.bak was left
    import pytest

    import app.records.store as store_module
    from app.records.errors import StorageError

    folder = tmp_path / "data"
    first = _upgraded_then_rolled_back(folder)
    backup = folder / "palsy.db.v3.bak"

    def no_room(source: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "replace_file", no_room)
    with pytest.raises(StorageError):
        Store.open(folder)
    assert backup.read_bytes() == first
    assert sorted(p.name for p in folder.glob("palsy.db.v3*.bak")) == ["palsy.db.v3.bak"]


def test_an_unchanged_database_does_not_pile_up_copies(tmp_path: Path) -> None:
    # An upgrade that stopped after its copy: the next start's copy holds the same records.
    folder = tmp_path / "data"
    _build_v3(folder)
    live = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    from app.records.store import _backup

    _backup(live, folder / "palsy.db.v3.bak", 3)
    live.close()
    Store.open(folder).close()
    assert sorted(p.name for p in folder.glob("*.bak")) == ["palsy.db.v3.bak"]


# ------------------------------------------------- M2: read-only commands upgrade nothing
def _add_v3_visit(folder: Path, pdf: bytes) -> None:
    """A confirmed visit with a stored report, written as the version-3 release wrote them."""
    import hashlib

    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    conn.execute("INSERT INTO assessments(id, patient_ref, status, model_grade, confirmed_grade, clinician,"
                 " created_at, updated_at) VALUES (1, 1, 'confirmed', 'II', 'II', 'Dr Old', ?, ?)", (T, T))
    conn.execute("INSERT INTO assessments(id, patient_ref, status, created_at, updated_at)"
                 " VALUES (2, 1, 'draft', ?, ?)", (T, T))
    (folder / "reports" / "000001").mkdir(parents=True)
    (folder / "reports" / "000001" / "000001_report_old.pdf").write_bytes(pdf)
    conn.execute("INSERT INTO reports(assessment_id, file_name, sha256, created_at) VALUES (1, ?, ?, ?)",
                 ("reports/000001/000001_report_old.pdf", hashlib.sha256(pdf).hexdigest(), T))
    # with its audit entry, as every release wrote one (`verify` refuses a report its trail never recorded)
    conn.execute("INSERT INTO audit(at, actor, entity, entity_id, field, old_value, new_value)"
                 " VALUES (?, 'gui', 'report', '1', 'report', NULL, ?)", (T, hashlib.sha256(pdf).hexdigest()))
    conn.close()


def _folder_state(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reading_commands_leave_a_version_3_folder_as_it_is(tmp_path: Path, capsys) -> None:
    import json

    from app.cli import main

    folder = tmp_path / "data"
    _build_v3(folder)
    pdf = b"%PDF-1.4 old report\n%%EOF\n"
    _add_v3_visit(folder, pdf)
    (tmp_path / "copy.pdf").write_bytes(pdf)
    before = _folder_state(folder)
    data = ["records", "--data", str(folder)]
    assert main([*data, "verify", str(tmp_path / "copy.pdf"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["assessment"] == 1
    assert main([*data, "patients", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["visits"] == 2
    assert main([*data, "drafts", "--json"]) == 0
    assert [d["assessment"] for d in json.loads(capsys.readouterr().out)] == [2]
    assert main([*data, "export", "OLD-1", "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert _folder_state(folder) == before  # still version 3, no .bak, nothing written
    assert _patient_ids(folder / "palsy.db") == ["OLD-1"]


def test_reading_commands_read_a_version_1_folder_from_an_upgraded_copy(tmp_path: Path, capsys, monkeypatch) -> None:
    import json
    import tempfile

    from app.cli import main
    from tests.records.test_records_migrations import _build_v1

    folder = tmp_path / "v1"
    _build_v1(folder)
    before = _folder_state(folder)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    assert main(["records", "--data", str(folder), "drafts", "--json"]) == 0
    [draft] = json.loads(capsys.readouterr().out)
    assert (draft["assessment"], draft["patient_id"], draft["captured"]) == (2, "OLD-1", ["rest"])
    assert main(["records", "--data", str(folder), "patients", "--json"]) == 0
    assert [p["patient_id"] for p in json.loads(capsys.readouterr().out)] == ["OLD-1", "OLD-2"]
    assert _folder_state(folder) == before  # the old release can still open it
    assert not list((tmp_path / "tmp").iterdir())  # the upgraded copy is gone


# --------------------------------- M3: search terms an older station wrote into a v4 folder
def _check_json(folder: Path, capsys) -> tuple[int, dict]:
    import json

    from app.cli import main

    code = main(["records", "--data", str(folder), "check", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_search_terms_written_the_old_way_are_listed_and_rebuilt_at_open(tmp_path: Path, capsys, caplog) -> None:
    import logging

    from app.records.validate import name_terms

    folder = tmp_path / "data"
    with Store.open(folder) as store:
        store.create_patient("NEW-1", name="Ágnes Öst")
        store.create_patient("NEW-2", name="Elodie Plain")
    # A version-3 station still running wrote NEW-1's terms its way: accents kept.
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    conn.execute("DELETE FROM patient_terms WHERE patient_ref = 1")
    conn.executemany("INSERT INTO patient_terms(term, patient_ref) VALUES (?, 1)", [(t,) for t in name_terms("Ágnes Öst")])
    conn.close()
    code, report = _check_json(folder, capsys)
    assert code == 0 and report["database_problems"] == []
    [note] = report["notes"]
    assert "1 patient(s) (NEW-1) have name search terms written the old way" in note
    with caplog.at_level(logging.INFO, logger="palsy.records"), Store.open(folder) as store:
        assert [p.patient_id for p in store.search_patients("agnes")] == ["NEW-1"]
        assert store.stale_search_terms() == []
    assert any("rebuilt the name search terms of 1 patient(s) (NEW-1)" in r.getMessage() for r in caplog.records)
    assert _check_json(folder, capsys)[1]["notes"] == []


# ------------------------------------------------ M4: times stored with another offset than UTC
def _offset_visits(folder: Path) -> tuple[int, int]:
    """Visit `early` stored by an older import as 10:00+05:00 (05:00 UTC), `late` at 06:00 UTC."""
    with Store.open(folder) as store:
        store.create_patient("TZ-1")
        early = store.start_assessment("TZ-1", created_at="2026-11-20T10:00:00+05:00").id
        late = store.start_assessment("TZ-1", created_at="2026-11-20T06:00:00.000+00:00").id
    return early, late


def test_history_and_listings_order_visits_by_their_moment(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    early, late = _offset_visits(folder)
    with Store.open(folder) as store:
        assert [a.id for a in store.history("TZ-1")] == [early, late]
        assert [d.assessment.id for d in store.unfinished_assessments()] == [late, early]  # newest first
        [summary] = store.patient_summaries()
        assert summary["last_visit"] == "2026-11-20T06:00:00.000+00:00"


def test_history_page_sorts_by_moment() -> None:
    from app.pages.history_logic import visit_order
    from app.records_gateway import AssessmentInfo

    early = AssessmentInfo(1, "TZ-1", "confirmed", "2026-11-20T10:00:00+05:00")
    late = AssessmentInfo(2, "TZ-1", "confirmed", "2026-11-20T06:00:00.000+00:00")
    assert sorted([late, early], key=visit_order) == [early, late]


def test_check_notes_times_not_in_utc_without_failing(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "data"
    early, _ = _offset_visits(folder)
    code, report = _check_json(folder, capsys)
    assert code == 0 and report["database_problems"] == []
    assert any(n.startswith("1 assessment created_at time(s) are not stored in UTC (e.g. '2026-11-20T10:00:00+05:00', "
                            f"assessment {early})") for n in report["notes"])


# ----------------------------------------------- L2: an override without a recorded reason
def test_check_notes_an_override_without_a_reason(tmp_path: Path, capsys) -> None:
    from app.cli import main

    folder = tmp_path / "data"
    with Store.open(folder) as store:
        store.create_patient("OV-1")
        aid = store.start_assessment("OV-1").id
        store.record_results(aid, {}, model_grade="II")
        store.confirm_grade(aid, "V", clinician="Dr Old", notes="")  # what older releases allowed
        kept = store.start_assessment("OV-1").id
        store.record_results(kept, {}, model_grade="II")
        store.confirm_grade(kept, "IV", clinician="Dr New", notes="asymmetry at rest")
    code, report = _check_json(folder, capsys)
    assert code == 0 and report["database_problems"] == []  # a note, not a problem
    [note] = report["notes"]
    assert note.startswith(f"assessment {aid} of patient OV-1: override without a recorded reason: grade V was "
                           "confirmed over the network's II with empty notes (older releases allowed that")
    assert main(["records", "--data", str(folder), "check"]) == 0
    out = capsys.readouterr().out
    assert "(1 note on records to know about, nothing to repair, listed below: not counted)" in out
    assert f"note: assessment {aid} of patient OV-1: override without" in out


def test_open_rebuilds_nothing_for_names_stored_the_current_way(tmp_path: Path, caplog) -> None:
    import logging

    folder = tmp_path / "data"
    with Store.open(folder) as store:
        for i, name in enumerate(("Ágnes Öst", "Αγνή Παπαδοπούλου", "Йосиф Ёлкин", "山田 太郎", "Søren Kierkegaard")):
            store.create_patient(f"P-{i}", name=name)
        assert store.stale_search_terms() == [] and store.stale_search_terms(accented_only=True) == []
    with caplog.at_level(logging.INFO, logger="palsy.records"), Store.open(folder) as store:
        assert store.rebuild_stale_search_terms() == 0
    assert not any("rebuilt the name search terms" in r.getMessage() for r in caplog.records)


def test_a_busy_folder_still_opens_when_the_terms_cannot_be_rebuilt(tmp_path: Path, monkeypatch, caplog) -> None:
    import logging

    from app.records import StorageError
    from app.records.store_patients import PatientsMixin

    folder = tmp_path / "data"
    Store.open(folder).close()

    def busy(self: PatientsMixin) -> int:
        raise StorageError("the database is busy")

    monkeypatch.setattr(PatientsMixin, "rebuild_stale_search_terms", busy)
    with caplog.at_level(logging.WARNING, logger="palsy.records"), Store.open(folder) as store:
        assert store.count_patients() == 0
    assert any("could not rebuild the old-style name search terms" in r.getMessage() for r in caplog.records)
