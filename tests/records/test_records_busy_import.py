"""An import writes its files before its write transaction: other windows and stations can
save while a large import copies photos over a slow disk, and a failure removes exactly the
files the import wrote."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.records import DuplicateRecordError, StorageError, Store, import_folder
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from tests.records.records_helpers import temp_files, tiny_png


def _export(tmp_path: Path) -> Path:
    """An export of patient BUSY-1: a confirmed assessment (3 photos, a report) and a draft."""
    with Store.open(tmp_path / "source") as source:
        source.create_patient("BUSY-1", name="Ada Busy")
        done = source.start_assessment("BUSY-1").id
        for i, expression in enumerate(("rest", "close_eyes", "open_mouth")):
            source.save_capture(done, expression, tiny_png(90 + i))
        source.record_results(done, {"grade": "II"}, model_grade="II")
        source.confirm_grade(done, "II", "Dr Kim")
        source.save_report(done, b"%PDF-1.4 busy")
        draft = source.start_assessment("BUSY-1").id
        source.save_capture(draft, "rest", tiny_png(95))
        return export_patient(source, "BUSY-1", tmp_path / "usb")


def _files(data: Path) -> set[Path]:
    return {p for part in ("photos", "reports") for p in (data / part).rglob("*") if p.is_file()}


def _lock_is_free(db_path: Path) -> bool:
    """Whether another connection takes the write lock at once (no waiting)."""
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_the_write_lock_is_free_while_the_import_writes_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _export(tmp_path)
    data = tmp_path / "station2"
    real = import_folder.atomic_write
    free_while_writing: list[bool] = []

    def watching(target: Path, payload: bytes, **kw: object) -> str:
        free_while_writing.append(_lock_is_free(data / "palsy.db"))
        return real(target, payload, **kw)

    monkeypatch.setattr(import_folder, "atomic_write", watching)
    with Store.open(data) as target:
        import_patient(target, folder)
        assert free_while_writing == [True] * 5  # 4 photos and a report, none under the lock
        assert [a.status for a in target.history("BUSY-1")] == ["confirmed", "draft"]
        assert target.verify_files() == [] and target.unrecorded_files() == []


def test_a_failed_transaction_removes_the_files_the_import_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _export(tmp_path)
    written: list[Path] = []
    real = import_folder.atomic_write

    def noting(target: Path, payload: bytes, **kw: object) -> str:
        written.append(target)
        return real(target, payload, **kw)

    def failing(*args: object) -> None:
        assert all(p.is_file() for p in written)  # the files are in place before the rows
        raise StorageError("disk I/O error while recording the audit trail")

    monkeypatch.setattr(import_folder, "atomic_write", noting)
    monkeypatch.setattr(import_folder, "_copy_audit", failing)
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(StorageError, match="disk I/O error"):
            import_patient(target, folder)
        assert len(written) == 5
        assert target.count_patients() == 0 and target.audit_trail() == []
        assert _files(target.root) == set() and temp_files(target.root) == []


def test_a_failed_import_keeps_an_identical_file_it_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A data folder that lost its database still holds the photos (not the report): the import
    reuses them, writes the report, and a failure removes the report only."""
    folder = _export(tmp_path)
    data = tmp_path / "data"
    Store.open(data).close()  # a new, empty database (Store.open refuses to make one beside the files)
    shutil.copytree(tmp_path / "source" / "photos", data / "photos", dirs_exist_ok=True)
    before = {p: p.read_bytes() for p in _files(data)}
    assert len(before) == 4

    def failing(*args: object) -> None:
        assert len(_files(data)) == 5  # the report was written beside the reused photos
        raise StorageError("disk I/O error while recording the audit trail")

    monkeypatch.setattr(import_folder, "_copy_audit", failing)
    with Store.open(data) as target:
        with pytest.raises(StorageError, match="disk I/O error"):
            import_patient(target, folder)
        assert target.count_patients() == 0
    assert {p: p.read_bytes() for p in _files(data)} == before


def test_a_refused_begin_removes_the_files_the_import_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holds the write lock when the import wants to record its rows: the
    import fails as busy and leaves neither rows nor files."""
    folder = _export(tmp_path)
    data = tmp_path / "station2"
    real = import_folder.atomic_write
    holder: list[sqlite3.Connection] = []

    def lock_after_the_last(target: Path, payload: bytes, **kw: object) -> str:
        digest = real(target, payload, **kw)
        if target.suffix == ".png" and "000002" in target.name:  # the last file written
            conn = sqlite3.connect(data / "palsy.db", timeout=0, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            holder.append(conn)
        return digest

    monkeypatch.setattr(import_folder, "atomic_write", lock_after_the_last)
    with Store.open(data) as target:
        target.db.connection().execute("PRAGMA busy_timeout = 0")
        try:
            with pytest.raises(StorageError):
                import_patient(target, folder)
        finally:
            for conn in holder:
                conn.execute("ROLLBACK")
                conn.close()
        assert holder and target.count_patients() == 0
        assert _files(data) == set() and temp_files(data) == []


def _station_with_a_patient(tmp_path: Path) -> Path:
    """The importing station's data folder, holding patient LOCAL-1 (who gets assessments
    while an import runs)."""
    data = tmp_path / "station2"
    with Store.open(data) as setup:
        setup.create_patient("LOCAL-1")
    return data


def test_numbers_taken_during_the_import_are_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A station starts an assessment (and takes a photo) while the import writes the files it
    named for that number: the import writes them again for the next numbers, removes its
    first copies and leaves the other station's photo alone."""
    folder, data = _export(tmp_path), _station_with_a_patient(tmp_path)
    real = import_folder.atomic_write
    station: list[int] = []

    def busy_station(target: Path, payload: bytes, **kw: object) -> str:
        if not station:
            with Store.open(data, recover_files=False) as other:
                aid = other.start_assessment("LOCAL-1").id
                other.save_capture(aid, "rest", tiny_png(7))
                station.append(aid)
        return real(target, payload, **kw)

    monkeypatch.setattr(import_folder, "atomic_write", busy_station)
    with Store.open(data) as target:
        import_patient(target, folder)
        assert station == [1]
        assert [a.id for a in target.history("BUSY-1")] == [2, 3]
        assert target.captures(1)[0].file_name.startswith("photos/000001/000001_rest_")
        assert all(c.file_name.startswith("photos/000002/000002_") for c in target.captures(2))
        assert target.verify_files() == [] and target.unrecorded_files() == []
        assert len(_files(data)) == 6 and temp_files(data) == []


def test_a_station_that_keeps_starting_assessments_gets_a_last_try_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, data = _export(tmp_path), _station_with_a_patient(tmp_path)
    real = import_folder.atomic_write
    started: list[int] = []
    under_lock: list[Path] = []

    def busy_station(target: Path, payload: bytes, **kw: object) -> str:
        if not _lock_is_free(data / "palsy.db"):
            under_lock.append(target)
        elif "_rest_" in target.name and "reports" not in target.parts:  # once per try
            with Store.open(data, recover_files=False) as other:
                started.append(other.start_assessment("LOCAL-1").id)
        return real(target, payload, **kw)

    monkeypatch.setattr(import_folder, "atomic_write", busy_station)
    with Store.open(data) as target:
        import_patient(target, folder)
        tries = import_folder._UNLOCKED_TRIES
        # Each try that wrote without the lock lost its numbers twice over (two rest photos).
        assert len(started) == 2 * tries and len(under_lock) == 5
        first = max(started) + 1
        assert [a.id for a in target.history("BUSY-1")] == [first, first + 1]
        assert target.verify_files() == [] and target.unrecorded_files() == []
        assert len(_files(data)) == 5 and temp_files(data) == []


@pytest.mark.parametrize("second", ["same export", "de-identified export"])
def test_two_imports_of_the_same_photos_at_once_lose_no_committed_photo(tmp_path: Path, second: str) -> None:
    """Import A places its files for the next number; before it takes the lock, import B of the
    same photos (numbered alike, so it reuses A's files) runs whole and commits. A's failed try
    (number taken, or the patient now exists) must not delete the files B's rows name."""
    with Store.open(tmp_path / "source") as source:
        source.create_patient("RACE-1", name="Ada Race")
        aid = source.start_assessment("RACE-1").id
        for i, expression in enumerate(("rest", "close_eyes")):
            source.save_capture(aid, expression, tiny_png(40 + i))
        plain = export_patient(source, "RACE-1", tmp_path / "usb")
        other = plain if second == "same export" else export_patient(
            source, "RACE-1", tmp_path / "usb", deidentify=True, pseudonym="ANON-1")
    data = tmp_path / "station"
    with Store.open(data) as store_a, Store.open(data) as store_b:
        real_place = import_folder._place_files
        state = {"b_done": False}

        def place(store, root, assessments, first_id):
            placed = real_place(store, root, assessments, first_id)
            if store is store_a and not state["b_done"]:
                state["b_done"] = True
                import_patient(store_b, other)  # B, whole, between A's placement and A's lock
            return placed

        import_folder._place_files = place
        try:
            if second == "same export":
                with pytest.raises(DuplicateRecordError):
                    import_patient(store_a, plain)
            else:
                assert import_patient(store_a, plain).patient_id == "RACE-1"
        finally:
            import_folder._place_files = real_place
    with Store.open(data) as store:
        assert store.verify_files() == []  # every recorded photo is there and intact
        assert store.unrecorded_files() == []  # and A left nothing behind
        patients = sorted(p.patient_id for p in store.search_patients(""))
        assert patients == (["RACE-1"] if second == "same export" else ["ANON-1", "RACE-1"])
