"""A new data folder on a drive without hard links (FAT, exFAT, SMB) is created under the lock
file `.palsy.db.creating`. On Windows, while the other program deletes that file and any handle
is still open on it, making it fails with PermissionError (access denied), not FileExistsError:
that is waited out, and only a refusal that lasts means the folder is not writable.
Windows is simulated: the store's platform flag is set, and os.open refuses as Windows does.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.records import Store
from app.records import store as store_module
from app.records.errors import StorageError
from tests.records.records_helpers import patient_ids

LOCK_NAME = ".palsy.db.creating"


def _no_hard_links(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EINVAL, "Incorrect function")


def _refuse_the_lock(monkeypatch: pytest.MonkeyPatch, times: int,
                     on_refusal: Callable[[], None] = lambda: None) -> list[int]:
    """Make os.open refuse to make the creation lock `times` times, as Windows does while it is
    being deleted; returns the list counting the refusals."""
    real_open = os.open
    refusals: list[int] = []

    def windows_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(str(path)).name == LOCK_NAME and len(refusals) < times:
            refusals.append(1)
            on_refusal()
            raise PermissionError(errno.EACCES, "Access is denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "link", _no_hard_links)
    monkeypatch.setattr(os, "open", windows_open)
    return refusals


def test_the_database_of_the_program_deleting_the_lock_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "other") as other:
        other.create_patient("MRN-OTHER")
    folder = tmp_path / "fat stick"

    def other_program_has_published() -> None:
        if not (folder / "palsy.db").exists():
            shutil.copyfile(tmp_path / "other" / "palsy.db", folder / "palsy.db")

    monkeypatch.setattr(store_module, "_WINDOWS", True)
    refusals = _refuse_the_lock(monkeypatch, times=3, on_refusal=other_program_has_published)
    with Store.open(folder) as store:
        store.create_patient("MRN-HERE")
    assert len(refusals) == 3
    assert patient_ids(folder) == ["MRN-HERE", "MRN-OTHER"]
    assert not list(folder.glob(".palsy.db*"))  # no temporary database or lock left


def test_a_lasting_refusal_on_windows_says_the_folder_is_not_writable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fat stick"
    monkeypatch.setattr(store_module, "_WINDOWS", True)
    monkeypatch.setattr(store_module, "DELETE_PENDING_WAIT_S", 0.3)
    refusals = _refuse_the_lock(monkeypatch, times=10**6)
    with pytest.raises(StorageError, match="read-only or not writable"):
        Store.open(folder)
    assert len(refusals) > 1  # waited before saying so
    assert not (folder / "palsy.db").exists() and not list(folder.glob(".palsy.db*"))


def test_elsewhere_a_refusal_says_the_folder_is_not_writable_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "_WINDOWS", False)
    refusals = _refuse_the_lock(monkeypatch, times=1)
    with pytest.raises(StorageError, match="read-only or not writable"):
        Store.open(tmp_path / "fat stick")
    assert len(refusals) == 1
