"""Crash-safety findings of the records audit (2026-12-05): an interrupted backup, a data folder
whose database was lost, what `records import`'s crash recovery did, a bad read-back of bytes
already stored, and the advice given for an unrecorded file."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import ChecksumError, StorageError, Store, files
from app.records import backup as backup_module
from app.records.export_folder import export_patient
from app.records.paths import FILE_MODE
from app.records.recovery import RECOVERED_DIR, host_tag
from tests.records.records_helpers import tiny_png
from tests.records.test_records_backup import filled

REPO = Path(__file__).resolve().parents[2]


def _filled(data: Path) -> int:
    """A data folder with one confirmed assessment: two photos and a report. Its number."""
    with Store.open(data) as store:
        return filled(store)


def _killed_backup(data: Path, out: Path) -> None:
    """Run `records backup` in a child process that is SIGKILLed as it copies its second file
    (the database and one photo are copied), two hours ago: its staging folder is dated so (a
    younger one may be another station's backup in progress, and is kept)."""
    child = (
        "import os, signal, sys\n"
        "from app.records import backup\n"
        "real, n = backup._copy_file, [0]\n"
        "def killed(*args, **kwargs):\n"
        "    n[0] += 1\n"
        "    if n[0] == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(*args, **kwargs)\n"
        "backup._copy_file = killed\n"
        "from app.cli import main\n"
        f"sys.exit(main(['records', '--data', {str(data)!r}, 'backup', '--out', {str(out)!r}]))\n"
    )
    killed = subprocess.run([sys.executable, "-c", child], cwd=REPO, capture_output=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    past = time.time() - 2 * 3600
    for staging in [*out.parent.glob(".*.partial-*"), *(out.glob(".*.partial-*") if out.is_dir() else [])]:
        for folder in [*(p for p in staging.iterdir() if p.is_dir()), staging]:
            os.utime(folder, (past, past))


def _filled_and_empty_usb(tmp_path: Path) -> tuple[Path, Path]:
    """A filled data folder and an empty folder `usb` (an empty stick's mount point) for --out."""
    data, out = tmp_path / "data", tmp_path / "usb"
    _filled(data)
    out.mkdir()
    return data, out


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".partial-" in p.name)


def _backup(data: Path, out: Path) -> int:
    return main(["records", "--data", str(data), "backup", "--out", str(out)])


# --- 1. a killed or full backup leaves no half copy, and the rerun succeeds ---------------------
def test_a_killed_backup_leaves_no_half_copy_and_the_rerun_succeeds(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _filled(data)
    _killed_backup(data, out)
    assert not out.exists()  # no half copy under the name asked for
    assert len(_leftovers(tmp_path)) == 1  # the killed run's staging folder
    assert _backup(data, out) == 0
    assert _leftovers(tmp_path) == []  # its process is gone: removed by the rerun
    assert main(["records", "--data", str(out), "check"]) == 0


def test_a_full_disk_while_copying_photos_names_out_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _filled(data)
    real, calls = os.fsync, []

    def full_at_the_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:  # 1: the database copy, 2: the first photo, 3: the second
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", full_at_the_second_file)
    assert _backup(data, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out) in err and "disk is full" in err
    assert "another --out" in err and str(data) not in err and "another data folder" not in err
    assert not out.exists() and _leftovers(tmp_path) == []
    monkeypatch.setattr(os, "fsync", real)  # space freed: the rerun is not refused
    assert _backup(data, out) == 0


def test_a_full_disk_while_copying_the_database_names_out_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _filled(data)
    out.mkdir()  # an empty folder given as --out stays usable
    real = backup_module.online_copy

    def full(conn: sqlite3.Connection, temp: Path) -> None:
        temp.write_bytes(b"SQLite format 3\x00")  # cut short
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_module, "online_copy", full)
    assert _backup(data, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"backup to {out}" in err and "disk is full" in err
    assert "another --out" in err
    assert list(out.iterdir()) == [] and _leftovers(tmp_path) == []
    monkeypatch.setattr(backup_module, "online_copy", real)
    assert _backup(data, out) == 0


# --- 3. a data folder whose database was lost is refused, not reset ----------------------------
def test_open_refuses_a_lost_database_beside_photos_and_creates_nothing(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _filled(data)
    for db in data.glob("palsy.db*"):
        db.unlink()
    past = time.time() - 2 * 3600  # the restart comes more than an hour later
    photos = sorted(p for p in data.rglob("*") if p.is_file())
    for photo in photos:
        os.utime(photo, (past, past))
    with pytest.raises(StorageError, match=r"palsy\.db is missing; 3 photo or report file\(s\) beside it are"):
        Store.open(data)
    assert main(["records", "--data", str(data), "import", str(exported)]) == 2
    err = capsys.readouterr().err
    assert "Restore palsy.db from a backup" in err and "palsy records backup" in err
    assert not (data / "palsy.db").exists() and not (data / RECOVERED_DIR).exists()
    assert sorted(p for p in data.rglob("*") if p.is_file()) == photos
    (data / "palsy.db").write_bytes(b"")  # a 0-byte database is no better
    with pytest.raises(StorageError, match="is empty"):
        Store.open(data)
    with Store.open(tmp_path / "new") as fresh:  # a new folder is still made a store
        assert fresh.count_patients() == 0


def test_check_says_where_in_recovered_a_missing_file_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    aid = _filled(data)
    with Store.open(data) as store:
        rest = store.capture_path(store.get_capture(aid, "rest"))
    kept = data / RECOVERED_DIR / rest.relative_to(data)  # where crash recovery had moved it
    kept.parent.mkdir(parents=True)
    rest.rename(kept)
    assert main(["records", "--data", str(data), "check"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("missing:"))
    assert f"{kept} holds it (its sha256 matches the record): move it back to {rest}" in line


# --- 4. `records import` says what crash recovery did ------------------------------------------
def test_import_reports_what_crash_recovery_did(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _filled(data)
    orphan = data / "photos" / "000009" / "000009_rest_0123456789ab.png"  # a crash before its commit
    orphan.parent.mkdir()
    orphan.write_bytes(tiny_png(9))
    past = time.time() - 2 * 3600
    os.utime(orphan, (past, past))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (data / "photos" / f".x.png.partial-{dead.pid}-00000000-{host_tag()}").write_bytes(b"cut")  # this computer's
    assert main(["records", "--data", str(data), "import", str(exported)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"crash recovery in {data}: moved 1 unrecorded photo or report file(s) to "
                   f"{data / RECOVERED_DIR} (kept, not deleted); removed 1 temporary file(s) of an "
                   "interrupted write"]
    assert (data / RECOVERED_DIR / "photos" / "000009" / orphan.name).is_file()


# --- 5. a bad read-back of bytes already stored never deletes the stored file -----------------
def test_saving_identical_bytes_again_does_not_rewrite_the_file(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    digest = files.atomic_write(target, b"%PDF-1.4 same")
    inode = target.stat().st_ino
    assert files.atomic_write(target, b"%PDF-1.4 same") == digest
    assert target.stat().st_ino == inode  # not replaced


def test_a_bad_read_back_of_a_report_saved_again_keeps_the_stored_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    aid = _filled(data)
    with Store.open(data) as store:
        [report] = store.reports(aid)
        monkeypatch.setattr(files, "sha256_file", lambda path: "0" * 64)  # a failing disk's read-back
        with pytest.raises(ChecksumError, match="the file was kept"):
            store.save_report(aid, b"%PDF-1.4 report")
        monkeypatch.undo()
        assert store.load_report(report) == b"%PDF-1.4 report"
        assert store.verify_files() == []


def test_a_bad_read_back_of_a_new_file_still_removes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "sha256_file", lambda path: "0" * 64)
    with pytest.raises(ChecksumError, match="did not read back"):
        files.atomic_write(tmp_path / "new.bin", b"payload")
    assert list(tmp_path.iterdir()) == []


# --- 6. the advice for an unrecorded file is safe and says what the next start does ------------
def test_check_advice_for_an_unrecorded_file_matches_what_the_next_start_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    aid = _filled(data)
    with Store.open(data) as store:  # a retake whose process died before deleting the old photo
        old = store.capture_path(store.get_capture(aid, "rest"))
        kept = old.read_bytes()
    with sqlite3.connect(data / "palsy.db") as conn:
        conn.execute("UPDATE captures SET file_name = 'photos/000001/x.png' WHERE expression = 'rest'")
    (data / "photos" / "000001" / "x.png").write_bytes(kept)
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    assert main(["records", "--data", str(data), "check"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("unrecorded:"))
    assert "re-import" not in line and "restore the database from a backup, or" not in line
    assert "next start" in line and "moves it to recovered/" in line and "deleting nothing" in line
    assert "Only if patients, visits or photos are missing" in line
    with Store.open(data) as store:  # and that is what the next start does
        assert [target for _, target in store.recovery.recovered_orphans] == [
            data / RECOVERED_DIR / old.relative_to(data)]


def test_export_staging_cleanup_is_the_shared_helper(tmp_path: Path) -> None:
    """The export and the backup clear killed runs' staging folders with one helper."""
    from app.records import export_folder

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    usb = tmp_path / "usb"
    left = usb / f".MRN-1.partial-{dead.pid}-0123abcd"
    left.mkdir(parents=True)
    past = time.time() - 2 * 3600  # killed two hours ago
    os.utime(left, (past, past))
    _filled(tmp_path / "data")
    with Store.open(tmp_path / "data") as store:
        export_patient(store, "MRN-1", usb)
    assert not left.exists()
    assert export_folder.remove_abandoned_staging is backup_module.remove_abandoned_staging


def test_check_advice_for_an_unrecorded_file_dated_in_the_future(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Crash recovery moves only files older than an hour: one dated hours ahead (copied from a
    computer whose clock was ahead) stays, and the advice says so."""
    data = tmp_path / "data"
    _filled(data)
    stray = data / "photos" / "000001" / "000001_rest_0123456789ab.png"
    stray.write_bytes(tiny_png(7))
    ahead = time.time() + 3 * 3600
    os.utime(stray, (ahead, ahead))
    assert main(["records", "--data", str(data), "check"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("unrecorded:"))
    assert "does not move it" in line and "moves it to recovered/" not in line
    with Store.open(data) as store:
        assert store.recovery.recovered_orphans == [] and stray.exists()


# --- review of 2026-12-05: the fixes above, second round ---------------------------------------
def _as_a_mount_point(monkeypatch: pytest.MonkeyPatch, out: Path) -> None:
    """Make the empty folder `out` behave as an empty USB stick's mount point: a rename onto it
    fails (EBUSY: a mount point cannot be replaced), and its parent is another disk this user
    cannot write (we run as root, where chmod cannot make a folder read-only)."""
    real_replace, real_rename, real_mkdir = os.replace, os.rename, os.mkdir

    def busy(real):  # noqa: ANN001, ANN202
        def call(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            if Path(dst) == out:
                raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(dst))
            return real(src, dst, *args, **kwargs)
        return call

    def mkdir(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if Path(path).parent == out.parent:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "replace", busy(real_replace))
    monkeypatch.setattr(os, "rename", busy(real_rename))
    monkeypatch.setattr(os, "mkdir", mkdir)


def test_a_backup_onto_an_empty_mount_point_is_built_on_that_disk_in_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--out /media/usb` (an empty stick): staged beside it, the copy went to the wrong disk and
    # the final rename onto the mount point failed, "Device or resource busy"
    data, out = _filled_and_empty_usb(tmp_path)
    inode = out.stat().st_ino
    _as_a_mount_point(monkeypatch, out)
    assert _backup(data, out) == 0, capsys.readouterr().err
    assert f"to {out}; the copy checks clean" in capsys.readouterr().out
    assert out.stat().st_ino == inode  # the user's folder itself, never removed or replaced
    assert sorted(p.name for p in out.iterdir()) == ["palsy.db", "photos", "reports"]
    assert _leftovers(out) == [] and _leftovers(tmp_path) == []
    monkeypatch.undo()
    assert main(["records", "--data", str(out), "check"]) == 0


def test_a_backup_killed_while_filling_an_empty_folder_leaves_only_its_hidden_staging_there(
    tmp_path: Path,
) -> None:
    data, out = _filled_and_empty_usb(tmp_path)
    _killed_backup(data, out)
    assert len(_leftovers(out)) == 1 and len(list(out.iterdir())) == 1  # on the stick, hidden
    assert _leftovers(tmp_path) == []  # nothing on the parent's disk
    assert _backup(data, out) == 0  # not refused as "not empty"; the dead run's folder removed
    assert sorted(p.name for p in out.iterdir()) == ["palsy.db", "photos", "reports"]


def test_a_failure_while_moving_the_copy_into_an_empty_folder_leaves_it_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = _filled_and_empty_usb(tmp_path)
    real = os.rename

    def fails_on_the_database(src, dst, *args):  # noqa: ANN001, ANN002, ANN202
        if Path(dst) == out / "palsy.db":
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(dst))
        return real(src, dst, *args)

    monkeypatch.setattr(os, "rename", fails_on_the_database)
    assert _backup(data, out) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"backup to {out}" in err
    assert list(out.iterdir()) == []  # photos/ and reports/ moved back and removed with the staging


def test_gui_and_store_refuse_with_the_same_check(tmp_path: Path) -> None:
    """One function decides: the store's refusal is the GUI's (tests/gui/test_gui_start.py)."""
    import app.records.store as store_module
    from app.records.lost_database import lost_database_error

    assert store_module.lost_database_error is lost_database_error


def _lost(tmp_path: Path) -> Path:
    """A data folder whose palsy.db (and its side files) was deleted, photos and reports left."""
    data = tmp_path / "data"
    _filled(data)
    for db in data.glob("palsy.db*"):
        db.unlink()
    return data


def test_the_refusal_says_how_to_start_again_without_a_backup_and_that_works(tmp_path: Path) -> None:
    data = _lost(tmp_path)
    with pytest.raises(StorageError) as refused:
        Store.open(data)
    message = str(refused.value)
    assert "\n" not in message
    assert f"to start again with an empty database: move photos/ and reports/ out of {data}" in message
    assert "keep them" in message
    kept = tmp_path / "kept"
    kept.mkdir()
    for folder in ("photos", "reports"):  # what it says, exactly
        (data / folder).rename(kept / folder)
    with Store.open(data) as fresh:
        assert fresh.count_patients() == 0 and fresh.recovery.recovered_orphans == []
    assert len([p for p in kept.rglob("*") if p.is_file()]) == 3


def _pending_wal(tmp_path: Path) -> tuple[Path, Path]:
    """A data folder whose palsy.db was deleted while its -wal held changes (a patient MRN-2
    committed but not checkpointed), and a backup taken before MRN-2."""
    data, backup = tmp_path / "data", tmp_path / "backup"
    _filled(data)
    assert _backup(data, backup) == 0
    child = (
        "import os, sys\n"
        "from app.records import Store\n"
        f"s = Store.open({str(data)!r})\n"
        "s.create_patient('MRN-2', name='Grace Hopper')\n"
        "os._exit(0)  # killed: no checkpoint, MRN-2 only in palsy.db-wal\n"
    )
    subprocess.run([sys.executable, "-c", child], cwd=REPO, check=True, timeout=120)
    assert (data / "palsy.db-wal").stat().st_size > 0
    (data / "palsy.db").unlink()
    return data, backup


def test_the_refusal_says_to_move_the_lost_databases_wal_aside_before_restoring(tmp_path: Path) -> None:
    data, backup = _pending_wal(tmp_path)
    with pytest.raises(StorageError) as refused:
        Store.open(data)
    message = str(refused.value)
    assert "palsy.db-wal beside it hold(s) part of the lost database" in message
    assert "move palsy.db-wal and palsy.db-shm out of the folder first" in message
    assert "photos/, reports/, palsy.db-wal and palsy.db-shm out of" in message
    aside = tmp_path / "aside"
    aside.mkdir()
    for side in ("palsy.db-wal", "palsy.db-shm"):  # the advice, followed
        (data / side).rename(aside / side)
    (data / "palsy.db").write_bytes((backup / "palsy.db").read_bytes())
    with Store.open(data) as restored:  # the backup's records, not mixed with the old log
        assert restored.count_patients() == 1  # MRN-2, only in the old log, is not in it


def test_a_lost_database_whose_wal_is_left_is_refused_even_without_photos(tmp_path: Path) -> None:
    data, _ = _pending_wal(tmp_path)
    for folder in ("photos", "reports"):
        for path in sorted((data / folder).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
    with pytest.raises(StorageError, match=r"palsy\.db is missing; palsy\.db-wal beside it hold\(s\) part"):
        Store.open(data)  # a new palsy.db would have had the old log applied to it
    assert not (data / "palsy.db").exists()


def test_file_browser_clutter_is_no_photo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a photos/ holding only Finder's or Explorer's files is no lost database
    data = tmp_path / "data"
    clutter = [data / "photos" / ".DS_Store", data / "photos" / "000001" / "._x.png",
               data / "reports" / "Thumbs.db", data / "reports" / "desktop.ini"]
    for path in clutter:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"clutter")
        past = time.time() - 2 * 3600
        os.utime(path, (past, past))
    with Store.open(data) as store:  # not refused; and crash recovery leaves them, as check does
        assert store.recovery.recovered_orphans == []
    assert all(path.is_file() for path in clutter)
    assert main(["records", "--data", str(data), "check"]) == 0, capsys.readouterr().out


def test_identical_bytes_already_there_get_the_mode_a_write_gives(tmp_path: Path) -> None:
    target = tmp_path / "a.png"
    target.write_bytes(b"same")
    os.chmod(target, 0o644)  # copied in by hand, say
    files.atomic_write(target, b"same")
    assert target.stat().st_mode & 0o777 == FILE_MODE


def test_identical_bytes_that_vanish_after_the_hash_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.png"
    target.write_bytes(b"same")
    real, calls = files.sha256_file, []

    def hashed_then_moved(path: Path) -> str:
        digest = real(path)
        calls.append(path)
        if len(calls) == 1:  # another process moves it away (crash recovery) just then
            os.rename(path, tmp_path / "moved.png")
        return digest

    monkeypatch.setattr(files, "sha256_file", hashed_then_moved)
    files.atomic_write(target, b"same")
    assert target.read_bytes() == b"same"
