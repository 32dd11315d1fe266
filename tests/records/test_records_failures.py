"""Full disk, read-only folder and damaged files: clear StorageError, nothing saved is lost."""

from __future__ import annotations

import errno
import os
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


def test_damaged_database_file_is_a_storage_error(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "palsy.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="damaged"):
        Store.open(folder)
