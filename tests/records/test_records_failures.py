"""Full disk, read-only folder and damaged files: clear StorageError, nothing saved is lost."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from app.records import ChecksumError, StorageError, Store
from app.records import files as files_module
from tests.records.records_helpers import temp_files, tiny_png


def _snapshot(store: Store, aid: int) -> dict[str, bytes]:
    return {c.expression: store.load_capture(aid, c.expression) for c in store.captures(aid)}


def _raise(code: int):
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize("call", ["write", "fsync"])
def test_disk_full_during_capture_loses_nothing(patient_with_draft: tuple[Store, int], monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    store, aid = patient_with_draft
    before = _snapshot(store, aid)
    audit_before = store.audit_trail()
    monkeypatch.setattr(files_module.os, call, _raise(errno.ENOSPC))
    with pytest.raises(StorageError, match="disk is full"):
        store.save_capture(aid, "raise_eyebrows", tiny_png(20))
    with pytest.raises(StorageError, match="disk is full"):
        store.save_capture(aid, "rest", tiny_png(21))  # a retake must not lose the first photo
    monkeypatch.undo()
    assert _snapshot(store, aid) == before
    assert store.audit_trail() == audit_before
    assert temp_files(store.root) == []
    assert store.verify_files() == [] and store.integrity_problems() == []
    # Once space is back the same call works.
    store.save_capture(aid, "raise_eyebrows", tiny_png(20))
    assert set(_snapshot(store, aid)) == {"rest", "close_eyes", "raise_eyebrows"}


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_read_only_folder_gives_clear_error_and_loses_nothing(patient_with_draft: tuple[Store, int], monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    # We run as root, where chmod cannot make a folder read-only: simulate the kernel's answer.
    store, aid = patient_with_draft
    before = _snapshot(store, aid)
    real_open = os.open

    def refuse_create(path: object, flags: int, *args: object) -> int:
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(files_module.os, "open", refuse_create)
    with pytest.raises(StorageError, match="read-only or not writable") as info:
        store.save_capture(aid, "rest", tiny_png(30))
    assert "PALSY_HOME" in str(info.value)
    monkeypatch.undo()
    assert _snapshot(store, aid) == before and temp_files(store.root) == []


def test_read_only_data_folder_at_open_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Path, "mkdir", _raise(errno.EROFS))
    with pytest.raises(StorageError, match="read-only"):
        Store.open(tmp_path / "nowhere")


def test_an_existing_database_on_read_only_media_is_not_said_to_be_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store.open(tmp_path / "data").close()
    real_open = os.open

    def read_only_media(path: object, flags: int, *args: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_media)
    with pytest.raises(StorageError, match=r"cannot write .*palsy\.db: the data folder is read-only") as info:
        Store.open(tmp_path / "data")
    assert "cannot create" not in str(info.value)


def test_read_only_database_gives_storage_error(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    before = _snapshot(store, aid)
    store.db.connection().execute("PRAGMA query_only = ON")  # SQLite answers SQLITE_READONLY
    with pytest.raises(StorageError, match="read-only"):
        store.create_patient("NEW-1")
    with pytest.raises(StorageError, match="read-only"):
        store.save_capture(aid, "wrinkle_nose", tiny_png(40))
    store.db.connection().execute("PRAGMA query_only = OFF")
    assert _snapshot(store, aid) == before
    # The photo written before the database refused was removed again: no orphan left.
    assert sorted(p.name for p in store.capture_path(store.get_capture(aid, "rest")).parent.iterdir()) == sorted(
        Path(c.file_name).name for c in store.captures(aid)
    )


def test_database_full_rolls_back_and_removes_the_new_photo(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    before = _snapshot(store, aid)
    conn = store.db.connection()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL
    big_quality = {"note": "x" * 20_000}
    with pytest.raises(StorageError, match="disk is full"):
        store.save_capture(aid, "puff_cheeks", tiny_png(50), big_quality)
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert _snapshot(store, aid) == before
    folder = store.capture_path(store.get_capture(aid, "rest")).parent
    assert not any("puff_cheeks" in p.name for p in folder.iterdir())
    assert store.integrity_problems() == []


def test_corrupted_photo_is_detected_by_checksum(patient_with_draft: tuple[Store, int]) -> None:
    store, aid = patient_with_draft
    path = store.capture_path(store.get_capture(aid, "close_eyes"))
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError, match="damaged"):
        store.load_capture(aid, "close_eyes")
    assert store.load_capture(aid, "rest") == tiny_png(1)
    problems = store.verify_files()
    assert [(p.file_name, p.problem) for p in problems] == [(store.get_capture(aid, "close_eyes").file_name, "checksum")]
    path.unlink()
    assert [p.problem for p in store.verify_files()] == ["missing"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    import sqlite3

    Store.open(tmp_path / "d").close()
    conn = sqlite3.connect(tmp_path / "d" / "palsy.db")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        Store.open(tmp_path / "d")
    # `records check` too: it reported "0 problems" for a database this program cannot judge
    with pytest.raises(StorageError, match="schema version 99, newer than this program's .*newer Palsy Grader"):
        Store.open_existing(tmp_path / "d")


def test_damaged_database_file_is_a_storage_error(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "palsy.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="damaged"):
        Store.open(folder)


# ------------------------------------------------------------- a first open on a full disk
def _sqlite_disk_full(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """SQLite answers "disk is full": when opening the file, or once its header page is written
    (the first table does not fit)."""
    real = sqlite3.connect

    def connect(database: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        if where == "open":
            raise sqlite3.OperationalError("database or disk is full")
        conn = real(database, *args, **kwargs)
        conn.execute("PRAGMA max_page_count = 1")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)


@pytest.mark.parametrize("where", ["open", "schema"])
def test_first_open_on_a_full_disk_leaves_no_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    folder = tmp_path / "home"
    _sqlite_disk_full(monkeypatch, where)
    with pytest.raises(StorageError, match="disk is full"):
        Store.open(folder)
    monkeypatch.undo()
    assert not folder.exists()  # neither the empty palsy.db nor the folders this open made
    with pytest.raises(StorageError, match="there is no data folder") as info:
        Store.open_existing(folder)  # `records check`: not "restore palsy.db from a backup"
    assert "backup" not in str(info.value)
    with Store.open(folder) as store:  # space freed
        store.create_patient("MRN-1")
        assert store.count_patients() == 1


def test_first_open_failure_keeps_what_it_did_not_create_or_what_holds_a_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An empty palsy.db that was there before this open is not this open's to remove.
    mine = tmp_path / "given"
    mine.mkdir()
    (mine / "palsy.db").write_bytes(b"")
    _sqlite_disk_full(monkeypatch, "open")
    with pytest.raises(StorageError, match="disk is full"):
        Store.open(mine)
    monkeypatch.undo()
    assert (mine / "palsy.db").is_file()
    # A new store whose first schema step committed before a later one failed holds a usable schema.
    from app.records import migrations

    def broken(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    steps = list(migrations.MIGRATIONS)
    steps[1] = migrations.Migration(2, "broken", broken)
    monkeypatch.setattr(migrations, "MIGRATIONS", tuple(steps))
    with pytest.raises(StorageError, match="disk is full"):
        Store.open(tmp_path / "half")
    monkeypatch.undo()
    conn = sqlite3.connect(tmp_path / "half" / "palsy.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    with Store.open(tmp_path / "half") as store:
        assert store.count_patients() == 0


# ------------------------------------------------------------------- read-only media
def _shm_cannot_be_created(root: Path, tmp_path: Path) -> None:
    """What read-only media do to SQLite: it cannot create the WAL index palsy.db-shm. (As root,
    chmod does not stop writes, so the name is taken by a link into a folder that does not exist.)"""
    try:
        (root / "palsy.db-shm").symlink_to(tmp_path / "no-such-folder" / "shm")
    except OSError as exc:  # Windows without the symlink privilege
        pytest.skip(f"cannot make a symbolic link here: {exc}")


def test_check_and_drafts_read_a_store_on_read_only_media(
        patient_with_draft: tuple[Store, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    store, aid = patient_with_draft
    root = store.root
    store.close()
    assert not (root / "palsy.db-wal").exists()  # closed cleanly: everything is in palsy.db
    _shm_cannot_be_created(root, tmp_path)
    with Store.open_existing(root) as reader:
        assert reader.count_patients() == 1 and reader.db.immutable
        assert reader.integrity_problems() == [] and reader.verify_files() == [] and reader.unrecorded_files() == []
        [draft] = reader.unfinished_assessments()
        assert draft.assessment.id == aid and reader.load_capture(aid, "rest") == tiny_png(1)
    capsys.readouterr()
    assert main(["records", "--data", str(root), "check"]) == 0
    assert "1 patient in " in capsys.readouterr().out
    assert main(["records", "--data", str(root), "drafts", "--json"]) == 0
    assert '"assessment": ' + str(aid) in capsys.readouterr().out


def test_read_only_media_with_unwritten_changes_is_refused_saying_why(tmp_path: Path) -> None:
    import shutil

    with Store.open(tmp_path / "live") as store:
        store.create_patient("MRN-9")
        shutil.copytree(store.root, tmp_path / "copy")  # a copy taken while the program ran
    copy = tmp_path / "copy"
    assert (copy / "palsy.db-wal").stat().st_size > 0  # the patient is only in the -wal
    (copy / "palsy.db-shm").unlink()
    _shm_cannot_be_created(copy, tmp_path)
    with pytest.raises(StorageError, match="palsy.db-wal") as info:
        Store.open_existing(copy)
    assert "read-only" in str(info.value) and "writable disk" in str(info.value)


def test_read_only_open_of_a_writable_folder_sees_other_writers(store: Store) -> None:
    with Store.open_existing(store.root) as reader:
        assert reader.count_patients() == 0
        store.create_patient("MRN-1")
        assert reader.count_patients() == 1 and not reader.db.immutable


def test_a_wal_index_that_cannot_be_sized_is_a_full_disk(tmp_path: Path) -> None:
    # on a first open with a few KB free, SQLite fails to size the -shm (SQLITE_IOERR_SHMSIZE):
    # it was reported as "the disk failed"
    import sqlite3

    from app.records.errors import storage_error_from_sqlite

    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = sqlite3.SQLITE_IOERR_SHMSIZE
    assert "the disk is full" in str(storage_error_from_sqlite(exc, tmp_path / "palsy.db"))
    exc.sqlite_errorcode = sqlite3.SQLITE_IOERR_READ  # another I/O error stays one
    assert "the disk failed" in str(storage_error_from_sqlite(exc, tmp_path / "palsy.db"))
