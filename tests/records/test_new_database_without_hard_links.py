"""A new data folder on a drive without hard links (FAT, exFAT, SMB), opened by two programs at
once: the new database is renamed into place, and a rename replaces an existing file on POSIX,
so the later program must not publish its database over the one the other already writes to."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from app.records import Store
from app.records import store as store_module
from app.records.errors import StorageError
from tests.records.records_helpers import patient_ids


def _no_hard_links(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EPERM, "Operation not permitted")


def test_a_database_published_meanwhile_keeps_its_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Program A is about to rename its new database into place when program B opens the folder.
    folder = tmp_path / "fat stick"
    real_rename, real_sleep = os.rename, time.sleep
    b_waits_or_is_done = threading.Event()
    b_errors: list[BaseException] = []

    def program_b() -> None:
        try:
            with Store.open(folder) as b:
                b.create_patient("MRN-B1")
        except BaseException as exc:  # reported by the assertion below
            b_errors.append(exc)
        finally:
            b_waits_or_is_done.set()

    b = threading.Thread(target=program_b)

    def rename(src: object, dst: object, *args: object, **kwargs: object) -> None:
        if Path(str(dst)).name == "palsy.db" and threading.current_thread() is not b and not b.ident:
            b.start()
            b_waits_or_is_done.wait(timeout=30)
        real_rename(src, dst, *args, **kwargs)

    def sleep(seconds: float) -> None:
        if threading.current_thread() is b:
            b_waits_or_is_done.set()  # B waits for the database A is publishing
        real_sleep(seconds)

    monkeypatch.setattr(os, "link", _no_hard_links)
    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(time, "sleep", sleep)
    with Store.open(folder) as a:
        a.create_patient("MRN-A1")
    b.join(timeout=30)
    assert not b.is_alive() and b_errors == []
    assert patient_ids(folder) == ["MRN-A1", "MRN-B1"]
    assert not list(folder.glob(".palsy.db*"))  # no temporary database or lock left


def test_a_killed_creators_lock_is_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fat stick"
    folder.mkdir()
    lock = folder / ".palsy.db.creating"
    lock.touch()
    past = time.time() - 2 * store_module.STALE_CREATION_LOCK_S
    os.utime(lock, (past, past))
    monkeypatch.setattr(os, "link", _no_hard_links)
    with Store.open(folder) as store:
        store.create_patient("MRN-1")
    assert patient_ids(folder) == ["MRN-1"]
    assert not lock.exists()


def test_a_fresh_lock_of_a_killed_creator_on_this_computer_is_taken_over_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # it froze the next start for CREATION_WAIT_S and then failed it, and a retry failed again
    from app.records.recovery import host_tag

    folder = tmp_path / "fat stick"
    folder.mkdir()
    gone = _a_finished_process()
    lock = folder / ".palsy.db.creating"
    lock.write_text(f"{gone} {host_tag()}", encoding="ascii")  # just now
    monkeypatch.setattr(os, "link", _no_hard_links)
    monkeypatch.setattr(store_module, "CREATION_WAIT_S", 0.5)
    with Store.open(folder) as store:
        store.create_patient("MRN-1")
    assert patient_ids(folder) == ["MRN-1"] and not lock.exists()


def _a_finished_process() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_held_without_a_database_appearing_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fat stick"
    folder.mkdir()
    lock = folder / ".palsy.db.creating"
    lock.touch()  # held by a program that seems to hang
    monkeypatch.setattr(os, "link", _no_hard_links)
    monkeypatch.setattr(store_module, "CREATION_WAIT_S", 0.2)
    with pytest.raises(StorageError, match="another program has been creating it") as caught:
        Store.open(folder)
    assert str(lock) in str(caught.value)
    assert lock.exists()  # not ours to remove
    assert not (folder / "palsy.db").exists() and not list(folder.glob(".palsy.db.partial-*"))
