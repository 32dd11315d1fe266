"""Windows and macOS behaviours of the record store, simulated on Linux by monkeypatching
(`os.name`, `sys.platform`, `Path.as_uri`, a fake `_winapi`); folder names SQLite URIs trip on
are real folders. New names are imported inside the tests, so each test fails on its own
without its fix."""

from __future__ import annotations

import os
import pathlib
import sqlite3
import sys
import time
import types
from pathlib import Path, PureWindowsPath

import pytest

from app.cli import main
from app.records import Store
from tests.records.test_records_backup import filled

# --- SQLite URIs -------------------------------------------------------------------------------


def test_sqlite_uri_percent_encodes_what_would_end_the_path() -> None:
    from app.records.db import sqlite_uri

    assert sqlite_uri(Path("/srv/Backup #2/100%41/a?b c/palsy.db"), mode="ro") == (
        "file:///srv/Backup%20%232/100%2541/a%3Fb%20c/palsy.db?mode=ro"
    )
    assert sqlite_uri(Path("/srv/palsy.db")) == "file:///srv/palsy.db"


def test_sqlite_uri_of_a_windows_unc_path_has_an_empty_authority() -> None:
    from app.records.db import sqlite_uri

    # PureWindowsPath(...).as_uri() is 'file://nas/share/...': SQLite says "invalid uri authority".
    unc = PureWindowsPath(r"\\nas\share\Palsy #2\palsy.db")
    assert unc.as_uri().startswith("file://nas/")
    assert sqlite_uri(unc, immutable=1) == "file:////nas/share/Palsy%20%232/palsy.db?immutable=1"
    assert sqlite_uri(PureWindowsPath(r"Z:\clinic data\palsy.db"), mode="ro") == (
        "file:///Z:/clinic%20data/palsy.db?mode=ro"
    )


def test_backup_and_check_on_a_unc_like_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on a mapped drive: as_uri() gives 'file://HOST/...' (here HOST is the first folder of
    tmp_path); 'file:////HOST/...' names the same file on Linux, so SQLite must be given that."""
    data, out = tmp_path / "data", tmp_path / "backup"
    with Store.open(data) as store:
        filled(store)
    real_as_uri = pathlib.PurePath.as_uri

    def unc_as_uri(self: pathlib.PurePath) -> str:
        uri = real_as_uri(self)
        return "file://" + uri[len("file:///"):] if str(self).startswith(str(tmp_path)) else uri

    monkeypatch.setattr(pathlib.PurePath, "as_uri", unc_as_uri)
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert main(["records", "--data", str(out), "check"]) == 0
    assert "invalid uri authority" not in capsys.readouterr().err


@pytest.mark.parametrize("name", ["Backup #2", "100%41", "what? now", "a b #c %41 ?d"])
def test_backup_and_check_in_folders_named_with_uri_characters(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = tmp_path / name
    parent.mkdir()
    data, out = parent / "data", parent / "out"
    with Store.open(data) as store:
        filled(store)
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert main(["records", "--data", str(out), "check"]) == 0
    assert main(["records", "--data", str(data), "check"]) == 0
    # nothing stray: no empty database made where the URI was cut ('.Backup ', 'what')
    assert sorted(os.listdir(tmp_path)) == [name]
    assert sorted(os.listdir(parent)) == ["data", "out"]
    conn = sqlite3.connect(out / "palsy.db")
    try:
        assert [r[0] for r in conn.execute("SELECT patient_id FROM patients")] == ["MRN-1"]
    finally:
        conn.close()


# --- a backup onto an "empty" USB stick ---------------------------------------------------------

_VOLUME_ENTRIES = {
    "System Volume Information": "IndexerVolumeGuid",
    "$RECYCLE.BIN": "desktop.ini",
    ".Spotlight-V100": "Store-V2",
    ".fseventsd": "fseventsd-uuid",
    ".Trashes": "501",
}
_CLUTTER_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")


def _stick(root: Path) -> dict[str, bytes]:
    """A freshly formatted stick as Windows or macOS leaves it; what is on it, by path."""
    root.mkdir()
    for folder, inner in _VOLUME_ENTRIES.items():
        (root / folder).mkdir()
        (root / folder / inner).write_bytes(folder.encode())
    for name in _CLUTTER_FILES:
        (root / name).write_bytes(name.encode())
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_backup_onto_a_stick_holding_only_system_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, stick = tmp_path / "data", tmp_path / "stick"
    with Store.open(data) as store:
        filled(store)
    before = _stick(stick)
    assert main(["records", "--data", str(data), "backup", "--out", str(stick)]) == 0
    assert main(["records", "--data", str(stick), "check"]) == 0
    # the system's entries are untouched, the backup is beside them, no staging folder is left
    after = {str(p.relative_to(stick)): p.read_bytes() for p in stick.rglob("*") if p.is_file()
             and p.relative_to(stick).parts[0] not in ("photos", "reports", "palsy.db")}
    assert after == before
    assert {"palsy.db", "photos", "reports"} <= set(os.listdir(stick))
    assert not [n for n in os.listdir(stick) if ".partial-" in n]
    # a clinic's file on the stick still refuses it
    other = tmp_path / "other"
    _stick(other)
    (other / "notes.txt").write_text("not ours")
    assert main(["records", "--data", str(data), "backup", "--out", str(other)]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_volume_folders_are_clutter_and_records_are_not() -> None:
    from models.clutter import VOLUME_FOLDERS, is_clutter

    for name in [*_VOLUME_ENTRIES, *_CLUTTER_FILES, "__MACOSX", ".TemporaryItems"]:
        assert is_clutter(name), name
        assert is_clutter(f"/media/stick/{name}"), name
    assert {"system volume information", "$recycle.bin", ".spotlight-v100"} <= VOLUME_FOLDERS
    for name in ("palsy.db", "photos", "reports", "000001_rest_0123456789ab.png", "logs", "recovered"):
        assert not is_clutter(name), name


# --- a killed backup's staging folder on Windows ------------------------------------------------


class _FakeWinapi(types.ModuleType):
    """`_winapi` as far as `_process_alive` uses it: `processes` maps a PID to its exit code
    (259: running) or to the Windows error OpenProcess fails with."""

    def __init__(self, processes: dict[int, int | OSError]) -> None:
        super().__init__("_winapi")
        self.processes = processes
        self.open_handles: set[int] = set()
        self.opened: list[tuple[int, bool, int]] = []

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int:  # noqa: N802 (its name)
        self.opened.append((access, inherit, pid))
        found = self.processes.get(pid, _win_error(87))
        if isinstance(found, OSError):
            raise found
        self.open_handles.add(pid + 10_000)
        return pid + 10_000

    def GetExitCodeProcess(self, handle: int) -> int:  # noqa: N802
        assert handle in self.open_handles
        code = self.processes[handle - 10_000]
        assert isinstance(code, int)
        return code

    def CloseHandle(self, handle: int) -> None:  # noqa: N802
        self.open_handles.remove(handle)


def _win_error(winerror: int) -> OSError:
    exc = OSError(13 if winerror == 5 else 22, "simulated Windows error")
    exc.winerror = winerror  # type: ignore[attr-defined]  # as on Windows
    return exc


def _windows_recovery(monkeypatch: pytest.MonkeyPatch, winapi: _FakeWinapi) -> None:
    """Only recovery.py sees Windows: os.name = 'nt' for all would break pathlib here."""
    import app.records.recovery as recovery

    fake_os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    fake_os.name = "nt"
    monkeypatch.setattr(recovery, "os", fake_os)
    monkeypatch.setitem(sys.modules, "_winapi", winapi)


def test_process_alive_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    import app.records.recovery as recovery

    winapi = _FakeWinapi({100: 259, 101: 0, 102: 1, 103: _win_error(5)})  # 999999: no such process
    _windows_recovery(monkeypatch, winapi)
    assert recovery._process_alive(100)  # still active
    assert not recovery._process_alive(101)  # exited; someone still holds a handle to it
    assert not recovery._process_alive(102)
    assert recovery._process_alive(103)  # access denied: another user's, so running
    assert not recovery._process_alive(999999)  # ERROR_INVALID_PARAMETER: no such PID
    assert recovery._process_alive(os.getpid())
    assert {access for access, _, _ in winapi.opened} == {0x1000}  # PROCESS_QUERY_LIMITED_INFORMATION
    assert not winapi.open_handles  # every handle closed


def test_a_killed_backups_staging_folder_is_removed_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, stick = tmp_path / "data", tmp_path / "usb"
    with Store.open(data) as store:
        filled(store)
    stick.mkdir()
    dead = stick / ".usb.partial-999999-deadbeef"  # a backup killed while filling the stick
    (dead / "photos" / "000001").mkdir(parents=True)
    (dead / "photos" / "000001" / "000001_rest_0123456789ab.png").write_bytes(b"patient photo")
    past = time.time() - 2 * 3600  # killed two hours ago
    for folder in (dead / "photos", dead):
        os.utime(folder, (past, past))
    _windows_recovery(monkeypatch, _FakeWinapi({}))
    assert main(["records", "--data", str(data), "backup", "--out", str(stick)]) == 0
    assert sorted(os.listdir(stick)) == ["palsy.db", "photos", "reports"]


# --- the GUI's question about an "empty" data folder --------------------------------------------


def test_a_data_folder_with_only_clutter_is_empty(tmp_path: Path) -> None:
    from app.gui_main import missing_store_reason

    folder = tmp_path / "records"
    folder.mkdir()
    for name in _CLUTTER_FILES:
        (folder / name).write_bytes(b"x")
    reason = missing_store_reason(folder, explicit=True)
    assert reason is not None and "is empty" in reason
    assert missing_store_reason(folder, explicit=False) is None  # first run: made silently
    (folder / "notes.txt").write_text("a clinic's file")
    assert "holds files but no" in (missing_store_reason(folder, explicit=True) or "")


# --- os.replace retried on Windows --------------------------------------------------------------


def _flaky_replace(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[tuple[str, str]]:
    """os.replace failing `failures` times with PermissionError (an antivirus holding the file)."""
    real = os.replace
    calls: list[tuple[str, str]] = []

    def replace(src: str | os.PathLike, dst: str | os.PathLike) -> None:
        calls.append((os.fspath(src), os.fspath(dst)))
        if len(calls) <= failures:
            raise PermissionError(13, "Access is denied", os.fspath(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


def test_atomic_writes_retry_a_held_file_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from app.records.files import atomic_write
    from models.atomic_files import replace_when_done

    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    monkeypatch.setattr(sys, "platform", "win32")
    calls = _flaky_replace(monkeypatch, 2)
    with replace_when_done(tmp_path / "state.json") as handle:
        handle.write(b"{}")
    assert (tmp_path / "state.json").read_bytes() == b"{}" and len(calls) == 3
    calls = _flaky_replace(monkeypatch, 2)
    atomic_write(tmp_path / "photo.png", b"pixels")
    assert (tmp_path / "photo.png").read_bytes() == b"pixels" and len(calls) == 3
    assert sorted(os.listdir(tmp_path)) == ["photo.png", "state.json"]  # no temporary file left
    assert 0 < sum(sleeps) <= 0.5


def test_replace_retries_are_bounded_and_windows_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from models.atomic_files import REPLACE_TRIES, replace_file

    sleeps: list[float] = []
    monkeypatch.setattr(time, "sleep", sleeps.append)
    (tmp_path / "a").write_bytes(b"a")
    monkeypatch.setattr(sys, "platform", "win32")
    calls = _flaky_replace(monkeypatch, 100)  # held for good: the error after about half a second
    with pytest.raises(PermissionError):
        replace_file(tmp_path / "a", tmp_path / "b")
    assert len(calls) == REPLACE_TRIES <= 6 and sum(sleeps) <= 0.6
    monkeypatch.setattr(sys, "platform", "linux")  # elsewhere "access denied" is meant: at once
    calls = _flaky_replace(monkeypatch, 1)
    with pytest.raises(PermissionError):
        replace_file(tmp_path / "a", tmp_path / "b")
    assert len(calls) == 1


# --- macOS durability ---------------------------------------------------------------------------


def test_fsync_is_full_on_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.records.files import atomic_write

    fcntl_calls: list[tuple[int, int]] = []
    fsyncs: list[int] = []
    fake_fcntl = types.ModuleType("fcntl")
    fake_fcntl.F_FULLFSYNC = 51  # type: ignore[attr-defined]
    fake_fcntl.fcntl = lambda fd, cmd: fcntl_calls.append((fd, cmd))  # type: ignore[attr-defined]
    real_fsync = os.fsync
    monkeypatch.setitem(sys.modules, "fcntl", fake_fcntl)
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    monkeypatch.setattr(sys, "platform", "darwin")
    atomic_write(tmp_path / "photo.png", b"pixels")
    assert [cmd for _, cmd in fcntl_calls] == [51]  # the file: F_FULLFSYNC, not fsync
    assert len(fsyncs) == 1  # the folder's entry list (fsync_dir)

    def unsupported(fd: int, cmd: int) -> None:
        raise OSError(45, "Operation not supported")  # a file system without it: plain fsync

    fake_fcntl.fcntl = unsupported  # type: ignore[attr-defined]
    fsyncs.clear()
    atomic_write(tmp_path / "other.png", b"pixels")
    assert len(fsyncs) == 2


def test_sqlite_fullfsync_on_macos_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "linux") as store:
        assert store.db.connection().execute("PRAGMA fullfsync").fetchone()[0] == 0
    monkeypatch.setattr(sys, "platform", "darwin")
    with Store.open(tmp_path / "mac") as store:
        assert store.db.connection().execute("PRAGMA fullfsync").fetchone()[0] == 1


def test_a_folder_of_a_users_hidden_files_is_not_an_empty_backup_target(tmp_path: Path) -> None:
    """Review of the volume-folder change: every dot file counted as clutter, so a home folder
    holding only .bashrc and .ssh took the backup and was made private (0700)."""
    from app.records.backup import refuse_out
    from models.errors import InputError

    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    mode = home.stat().st_mode
    with pytest.raises(InputError, match="not an empty folder"):
        refuse_out(home)
    assert home.stat().st_mode == mode
    stick = tmp_path / "stick"
    for name in ("System Volume Information", ".Spotlight-V100", ".fseventsd", "$RECYCLE.BIN"):
        (stick / name).mkdir(parents=True)
    for name in (".DS_Store", "._notes.txt", "Thumbs.db", "desktop.ini"):
        (stick / name).write_bytes(b"x")
    refuse_out(stick)  # only what the systems made: empty
