"""The read-only commands on a completely full data disk (audit 16, a1 defect 3).

A `mode=ro` open needs SQLite's 32 KiB WAL index palsy.db-shm; on a full disk the first read
fails (SQLITE_IOERR_SHMSIZE, _SHMOPEN or SQLITE_FULL), and `records check`, `patients`, `drafts`,
`export` and `backup` refused with "cannot save to the database …: the disk is full". With no
changes waiting in a -wal the main file is now read alone (`immutable=1`), as on read-only media;
with some, the error says a read needs a little room for SQLite's side files. The SQLite error is
simulated: the first read of a `mode=ro` connection raises it, as on a full disk.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.records import StorageError, Store
from app.records import db as db_module
from app.records.db import Database
from app.records.errors import storage_error_from_sqlite
from tests.records.records_helpers import tiny_png

SHMSIZE, SHMOPEN, FULL = 4874, 4618, 13


class _NoRoomConnection:
    """A `mode=ro` connection on a full disk: its first read cannot make or size the -shm."""

    def __init__(self, code: int) -> None:
        self.code = code

    def execute(self, *args: Any) -> None:
        exc = sqlite3.OperationalError("disk I/O error" if self.code != FULL else "database or disk is full")
        exc.sqlite_errorcode = self.code  # as Python 3.11+ sets it
        raise exc

    def close(self) -> None:
        pass


def _full_disk(monkeypatch: pytest.MonkeyPatch, code: int, *, too_full: bool) -> list[str]:
    """Make every `mode=ro` open fail with `code`; `too_full`: what the free-space look says.
    Returns the list the tried `mode=ro` URIs are added to."""
    tried: list[str] = []
    real_open: Callable[..., sqlite3.Connection] = Database._open

    def open_(self: Database, target: str, *, uri: bool = False) -> Any:
        if uri and "mode=ro" in target:
            tried.append(target)
            return _NoRoomConnection(code)
        return real_open(self, target, uri=uri)

    monkeypatch.setattr(Database, "_open", open_)
    monkeypatch.setattr(db_module, "too_full_for_side_files", lambda folder: too_full, raising=False)
    return tried


def _side_files(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("palsy.db-*"))


@pytest.mark.parametrize("code", [SHMSIZE, SHMOPEN, FULL])
def test_read_only_commands_read_a_full_disk_whose_changes_are_all_in_the_file(
        patient_with_draft: tuple[Store, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], code: int) -> None:
    from app.cli import main

    store, aid = patient_with_draft
    root = store.root
    store.close()
    assert _side_files(root) == []  # closed cleanly: everything is in palsy.db
    tried = _full_disk(monkeypatch, code, too_full=False)
    with Store.open_existing(root) as reader:
        assert tried and reader.db.immutable
        assert reader.count_patients() == 1 and reader.load_capture(aid, "rest") == tiny_png(1)
        assert reader.integrity_problems() == [] and reader.verify_files() == []
    capsys.readouterr()
    assert main(["records", "--data", str(root), "check"]) == 0
    assert main(["records", "--data", str(root), "patients"]) == 0
    assert main(["records", "--data", str(root), "drafts"]) == 0
    assert main(["records", "--data", str(root), "export", "MRN-7", "--out", str(tmp_path / "usb")]) == 0
    assert main(["records", "--data", str(root), "backup", "--out", str(tmp_path / "backup")]) == 0
    out, err = capsys.readouterr()
    assert "MRN-7" in out and "0 database and 0 file problems" in out and err == ""
    monkeypatch.undo()
    with Store.open_existing(tmp_path / "backup") as copy:
        assert copy.count_patients() == 1 and copy.load_capture(aid, "close_eyes") == tiny_png(2)


def test_a_disk_without_room_is_read_alone_at_once_leaving_no_side_files(
        patient_with_draft: tuple[Store, int], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # a failed mode=ro open left a 3-byte palsy.db-shm and an empty palsy.db-wal in the data folder
    from app.cli import main

    store, _ = patient_with_draft
    root = store.root
    store.close()
    tried = _full_disk(monkeypatch, SHMSIZE, too_full=True)
    assert main(["records", "--data", str(root), "check"]) == 0
    assert "1 patient in " in capsys.readouterr().out
    assert tried == [] and _side_files(root) == []


def test_pending_changes_on_a_full_disk_say_a_read_needs_room_not_a_save(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main

    with Store.open(tmp_path / "live") as store:
        store.create_patient("MRN-9")
        shutil.copytree(store.root, tmp_path / "copy")  # as the folder is while the program runs
    copy = tmp_path / "copy"
    assert (copy / "palsy.db-wal").stat().st_size > 0  # the patient is only in the -wal
    (copy / "palsy.db-shm").unlink()
    tried = _full_disk(monkeypatch, SHMSIZE, too_full=True)  # not read alone: the -wal holds changes
    with pytest.raises(StorageError) as info:
        Store.open_existing(copy)
    message = str(info.value)
    assert tried and "cannot save" not in message and "disk is full" not in message
    assert message.startswith(f"cannot read the database {copy / 'palsy.db'}: SQLite needs a little free space")
    assert "about 64 KB" in message and "palsy.db-wal" in message and "nothing was changed" in message
    assert main(["records", "--data", str(copy), "check"]) == 2
    assert "cannot read the database" in capsys.readouterr().err
    # SQLITE_IOERR_SHMOPEN says nothing of space: the disk's free space tells a full disk from read-only media
    _full_disk(monkeypatch, SHMOPEN, too_full=True)
    with pytest.raises(StorageError, match="needs a little free space"):
        Store.open_existing(copy)
    _full_disk(monkeypatch, SHMOPEN, too_full=False)
    with pytest.raises(StorageError, match=r"read-only media or folder\), and palsy.db-wal"):
        Store.open_existing(copy)


def test_a_full_disk_met_by_a_read_only_open_is_not_worded_as_a_save(tmp_path: Path) -> None:
    exc = sqlite3.OperationalError("disk I/O error")
    exc.sqlite_errorcode = SHMSIZE
    message = str(storage_error_from_sqlite(exc, tmp_path / "palsy.db", reading=True))
    assert message.startswith("cannot read the database") and "cannot save" not in message
    assert "nothing was changed" in message
    assert "cannot save to the database" in str(storage_error_from_sqlite(exc, tmp_path / "palsy.db"))


def test_the_free_space_look(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not db_module.too_full_for_side_files(tmp_path)  # the test's disk has room
    sizes = {"total": 8 << 20, "free": 4096}
    if hasattr(os, "statvfs"):
        monkeypatch.setattr(db_module.os, "statvfs", lambda path: SimpleNamespace(
            f_frsize=4096, f_blocks=sizes["total"] // 4096, f_bavail=sizes["free"] // 4096))
    else:
        monkeypatch.setattr(db_module.shutil, "disk_usage", lambda path: (sizes["total"], 0, sizes["free"]))
    assert db_module.too_full_for_side_files(tmp_path)
    sizes["free"] = 64 * 1024
    assert not db_module.too_full_for_side_files(tmp_path)
    sizes["total"] = sizes["free"] = 0  # a share that reports no size: not taken for a full disk
    assert not db_module.too_full_for_side_files(tmp_path)
