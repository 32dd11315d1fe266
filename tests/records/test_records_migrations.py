"""Upgrading an older database keeps every row; steps are ordered and transactional."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from app.records import StorageError, Store
from app.records.files import TEMP_MARK, atomic_write
from app.records.migrations import LATEST_VERSION, MIGRATIONS, migrate, schema_version
from tests.records.records_helpers import tiny_png


def _build_v1(folder: Path) -> None:
    """A version-1 database as the first release wrote it, with one photo on disk."""
    folder.mkdir(parents=True)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    assert migrate(conn, target=1) == [1]
    t = "2024-05-01T10:00:00.000+00:00"
    conn.execute(
        "INSERT INTO patients(id, patient_id, id_key, name, birth_date, sex, affected_side, notes, created_at, updated_at)"
        " VALUES (1, 'OLD-1', 'old-1', 'Florence Nightingale', '1920-05-12', 'female', 'left', 'n1', ?, ?)", (t, t))
    conn.execute(
        "INSERT INTO patients(id, patient_id, id_key, name, created_at, updated_at) VALUES (2, 'OLD-2', 'old-2', 'Mary Seacole', ?, ?)",
        (t, t))
    conn.execute(
        "INSERT INTO assessments(id, patient_ref, status, model_grade, confirmed_grade, clinician, notes, result_json, created_at, updated_at)"
        " VALUES (1, 1, 'confirmed', 'II', 'III', 'Dr Old', 'note', '{\"grade\": \"II\"}', ?, ?)", (t, t))
    conn.execute("INSERT INTO assessments(id, patient_ref, status, created_at, updated_at) VALUES (2, 1, 'draft', ?, ?)", (t, t))
    (folder / "photos" / "000002").mkdir(parents=True)
    digest = atomic_write(folder / "photos" / "000002" / "000002_rest_old.png", tiny_png(9))
    conn.execute(
        "INSERT INTO captures(assessment_id, expression, file_name, sha256, quality_json, captured_at)"
        " VALUES (2, 'rest', 'photos/000002/000002_rest_old.png', ?, '{\"sharpness\": 0.5}', ?)", (digest, t))
    conn.execute(
        "INSERT INTO audit(at, actor, entity, entity_id, field, old_value, new_value, reason)"
        " VALUES (?, 'Dr Old', 'assessment', '1', 'confirmed_grade', NULL, 'III', 'override of model grade II')", (t,))
    assert schema_version(conn) == 1
    conn.close()


def test_versions_are_ordered_from_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_upgrade_from_version_1_keeps_all_data(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    with Store.open(folder) as store:
        assert schema_version(store.db.connection()) == LATEST_VERSION
        applied = [r[0] for r in store.db.query("SELECT version FROM schema_migrations ORDER BY version")]
        assert applied == list(range(1, LATEST_VERSION + 1))
        p = store.get_patient("old-1")
        assert (p.name, p.birth_date, p.sex, p.affected_side, p.notes) == (
            "Florence Nightingale", "1920-05-12", "female", "left", "n1")
        # v2 built the name index from existing names.
        assert [x.patient_id for x in store.search_patients("seac")] == ["OLD-2"]
        assert [x.patient_id for x in store.search_patients("florence n")] == ["OLD-1"]
        first, second = store.history("OLD-1")
        assert (first.status, first.model_grade, first.confirmed_grade, first.clinician, first.notes) == (
            "confirmed", "II", "III", "Dr Old", "note")
        assert first.result == {"grade": "II"} and first.measured_grade is None
        [draft] = store.unfinished_assessments()
        assert draft.assessment.id == second.id == 2
        assert store.load_capture(2, "rest") == tiny_png(9)
        assert draft.captures[0].quality == {"sharpness": 0.5}
        [entry] = store.audit_trail("assessment", 1)
        assert (entry.actor, entry.new_value, entry.reason) == ("Dr Old", "III", "override of model grade II")
        assert store.integrity_problems() == []
        # v3 features work on the upgraded data.
        store.discard_assessment(2, actor="nurse")
        with pytest.raises(sqlite3.IntegrityError):
            store.db.connection().execute("DELETE FROM audit")
    backup = sqlite3.connect(folder / "palsy.db.v1.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 2
    backup.close()


def test_upgrade_to_version_4_rebuilds_the_name_index_without_accents(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    migrate(conn, target=3)
    conn.execute("UPDATE patients SET name = 'Élodie Müller' WHERE id = 2")
    conn.execute("DELETE FROM patient_terms WHERE patient_ref = 2")
    conn.execute("INSERT INTO patient_terms(term, patient_ref) VALUES ('élodie müller', 2), ('élodie', 2), ('müller', 2)")
    conn.close()
    with Store.open(folder) as store:
        assert [x.patient_id for x in store.search_patients("elodie")] == ["OLD-2"]
        assert [x.patient_id for x in store.search_patients("Müll")] == ["OLD-2"]
        assert [x.patient_id for x in store.search_patients("florence")] == ["OLD-1"]
        terms = {r[0] for r in store.db.query("SELECT term FROM patient_terms WHERE patient_ref = 2")}
        assert terms == {"elodie muller", "elodie", "muller"}
    backup = sqlite3.connect(folder / "palsy.db.v3.bak")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 3
    backup.close()


def test_an_upgrade_without_room_for_it_says_how_much_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    from app.records import store as store_module

    monkeypatch.setattr(store_module.shutil, "disk_usage", lambda path: shutil_usage(free=3_000_000))
    with pytest.raises(StorageError, match=r"from schema version 1 needs about \d+ MB free .*; 3 MB are free\. Nothing was changed"):
        Store.open(folder)
    conn = sqlite3.connect(folder / "palsy.db")
    assert schema_version(conn) == 1 and conn.execute("SELECT COUNT(*) FROM patients").fetchone()[0] == 2
    conn.close()
    assert not (folder / "palsy.db.v1.bak").exists()
    monkeypatch.undo()
    with Store.open(folder) as store:  # with room, it upgrades
        assert schema_version(store.db.connection()) == LATEST_VERSION


def shutil_usage(free: int) -> object:
    import shutil

    return shutil._ntuple_diskusage(total=10 * free, used=9 * free, free=free)  # type: ignore[attr-defined]


def test_a_failing_step_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    migrate(conn, target=2)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done(x)")
        raise RuntimeError("power cut")

    from app.records import migrations

    steps = list(migrations.MIGRATIONS)
    steps[2] = migrations.Migration(3, "broken", broken, foreign_keys_off=True)
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(steps))
    with pytest.raises(RuntimeError, match="power cut"):
        migrations.migrate(conn)
    assert schema_version(conn) == 2
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
    monkeypatch.undo()
    with Store.open(folder) as store:
        assert store.count_patients() == 2


# --------------------------------------------------------------- the backup before an upgrade
def _backup_disk_full(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Make writing the backup copy fail as on a full disk: SQLite answers SQLITE_FULL after two
    pages of the copy, or the fsync of the copy gets ENOSPC."""
    if how == "sqlite_full":
        real = sqlite3.connect

        def connect(database: object, *args: object, **kwargs: object) -> sqlite3.Connection:
            conn = real(database, *args, **kwargs)
            if ".bak" in str(database):
                conn.execute("PRAGMA max_page_count = 2")
            return conn

        monkeypatch.setattr(sqlite3, "connect", connect)
    else:
        def no_space(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", no_space)


def _backup_state(path: Path) -> tuple[int, int, str]:
    """(user_version, patients, integrity check) of a backup file, read without touching it."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?immutable=1", uri=True)
    try:
        return (conn.execute("PRAGMA user_version").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM patients").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("how", ["sqlite_full", "fsync_enospc"])
def test_backup_on_a_full_disk_names_the_backup_and_leaves_no_partial_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    _backup_disk_full(monkeypatch, how)
    with pytest.raises(StorageError) as info:
        Store.open(folder)
    monkeypatch.undo()
    message = str(info.value)
    assert f"{folder / 'palsy.db.v1.bak'} " in message and "disk is full" in message
    assert "Free some disk space" in message and "was not upgraded" in message
    assert "database /" not in message  # not "cannot save to the database .../palsy.db"
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["palsy.db"]  # no .bak, no temp file
    conn = sqlite3.connect(folder / "palsy.db")
    assert schema_version(conn) == 1
    conn.close()
    # Space freed: the next open takes a complete copy, then upgrades.
    with Store.open(folder) as store:
        assert schema_version(store.db.connection()) == LATEST_VERSION and store.count_patients() == 2
    backup = folder / "palsy.db.v1.bak"
    assert _backup_state(backup) == (1, 2, "ok")
    assert os.name != "posix" or backup.stat().st_mode & 0o777 == 0o600
    assert not [p for p in folder.iterdir() if TEMP_MARK in p.name or p.name.startswith("palsy.db.v1.bak-")]


@pytest.mark.parametrize("kind", ["empty", "truncated", "not_sqlite", "other_version", "hot_journal"])
def test_an_incomplete_backup_is_taken_again_before_upgrading(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    backup = folder / "palsy.db.v1.bak"
    copy = sqlite3.connect(backup)
    sqlite3.connect(folder / "palsy.db").backup(copy)
    copy.execute("PRAGMA journal_mode = DELETE")
    copy.close()
    whole = backup.read_bytes()
    if kind == "empty":  # what a full disk left before
        backup.write_bytes(b"")
    elif kind == "truncated":  # a crash in the middle of the copy
        backup.write_bytes(whole[: len(whole) // 2])
    elif kind == "not_sqlite":
        backup.write_bytes(b"not a database" * 100)
    elif kind == "other_version":
        conn = sqlite3.connect(backup)
        conn.execute("PRAGMA user_version = 2")
        conn.close()
    else:  # a complete-looking file beside a journal SQLite would roll back
        (folder / "palsy.db.v1.bak-journal").write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + bytes(504))
    with Store.open(folder) as store:
        assert schema_version(store.db.connection()) == LATEST_VERSION
    assert _backup_state(backup) == (1, 2, "ok")
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(("palsy.db.v1", ".palsy.db.v1"))) == [
        "palsy.db.v1.bak"]


def test_a_complete_backup_is_kept(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    _build_v1(folder)
    backup = folder / "palsy.db.v1.bak"
    live = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    copy = sqlite3.connect(backup)
    live.backup(copy)
    copy.close()
    live.execute("INSERT INTO patients(patient_id, id_key, created_at, updated_at) VALUES ('NEW-3', 'new-3', 't', 't')")
    live.close()
    before = backup.read_bytes()
    with Store.open(folder) as store:
        assert store.count_patients() == 3
    # The copy taken first is not overwritten: kept under its UTC time; the fresh one holds NEW-3.
    [kept] = [p for p in folder.glob("palsy.db.v1.*.bak") if p != backup]
    assert kept.read_bytes() == before
    assert _backup_state(backup)[:2] == (1, 3)
