"""A self-test killed mid-run (Task Scheduler's "End", a logoff, kill -9) never removes its
temporary folder, 5.5 MB of demo photos and overlays that Windows keeps in %TEMP% for good. The
folder is named after its process and computer, and the next self-test removes those of
processes gone on this computer; a live self-test's folder, and a young one of another computer
or of an earlier release (whose name says neither), are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from app import selftest
from app.records.recovery import host_tag

TEMP_PREFIX = "palsy-selftest-"

TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test: `tmp_path`."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _left(root: Path, name: str, *, aged: bool = False) -> Path:
    folder = root / name
    (folder / "patient").mkdir(parents=True)
    (folder / "patient" / "rest.png").write_bytes(b"\x89PNG")
    if aged:
        os.utime(folder, (TWO_HOURS_AGO, TWO_HOURS_AGO))
    return folder


def _other_host() -> str:
    return "00000000" if host_tag() != "00000000" else "11111111"


def test_the_work_folder_names_its_process_and_computer_and_is_removed(temp_root: Path) -> None:
    with selftest.work_folder() as folder:
        assert folder.parent == temp_root and folder.is_dir()
        assert folder.name.startswith(f"{TEMP_PREFIX}{os.getpid()}-{host_tag()}-")
    assert not folder.exists()


def test_only_folders_left_by_killed_runs_are_removed(temp_root: Path) -> None:
    gone = _gone_pid()
    killed_here = _left(temp_root, f"{TEMP_PREFIX}{gone}-{host_tag()}-abc123")
    live_here = _left(temp_root, f"{TEMP_PREFIX}{os.getpid()}-{host_tag()}-def456", aged=True)
    other_young = _left(temp_root, f"{TEMP_PREFIX}{gone}-{_other_host()}-ghi789")
    other_old = _left(temp_root, f"{TEMP_PREFIX}{gone}-{_other_host()}-jkl012", aged=True)
    earlier_young = _left(temp_root, f"{TEMP_PREFIX}rqobebug")  # an earlier release's name
    # ... or a folder the user named for --keep, which looks the same: never judged
    earlier_old = _left(temp_root, f"{TEMP_PREFIX}20261206", aged=True)
    a_file = temp_root / f"{TEMP_PREFIX}{gone}-{host_tag()}-file"
    a_file.write_bytes(b"not ours to judge")
    assert selftest.remove_left_folders(temp_root) == 2
    assert not killed_here.exists() and not other_old.exists()
    assert live_here.exists() and other_young.exists() and earlier_young.exists() and a_file.exists()
    assert earlier_old.exists()


def test_a_self_test_removes_a_killed_ones_folder_and_leaves_none_of_its_own(temp_root: Path) -> None:
    killed = _left(temp_root, f"{TEMP_PREFIX}{_gone_pid()}-{host_tag()}-abc123")
    empty = temp_root / "no-weights"
    empty.mkdir()
    result = selftest.run_self_test(weights_folder=empty)  # fails at its weights step: quick, after the folder is made
    assert not result.ok and result.failed_step == "weights"
    assert not killed.exists()
    assert [p.name for p in temp_root.iterdir() if p.name.startswith(TEMP_PREFIX)] == []
