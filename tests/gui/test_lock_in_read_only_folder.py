"""A window that closes after its data folder became read-only cannot remove its lock file; the
next start then says the folder is read-only, not "already open" for a process that has ended.

Real processes and a really read-only folder (mode 0555). Root writes anywhere, so when the
tests run as root the programs run without the capabilities that let it (CAP_DAC_OVERRIDE...).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.instance_lock import LOCK_NAME

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="folder modes and Linux capabilities")

REPO = Path(__file__).resolve().parents[2]
# prctl(PR_CAPBSET_DROP, ...) of CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER: a root child
# then meets folder modes like any account.
_PR_CAPBSET_DROP = 24
_FILE_CAPABILITIES = (1, 2, 3)

WINDOW = """
import sys
from app.instance_lock import InstanceLock
lock = InstanceLock(sys.argv[1])
assert lock.acquire()
print("held", flush=True)
sys.stdin.read()  # until the test has made the folder read-only
lock.release()  # cannot remove the file now
"""

NEXT_START = """
import sys
from app.instance_lock import InstanceLock, folder_in_use
try:
    InstanceLock(sys.argv[1]).acquire()
    print("acquired")
except Exception as exc:
    print(type(exc).__name__, exc)
print("in use:", folder_in_use(sys.argv[1]))
from PySide6.QtWidgets import QApplication
from app.gui_main import build_window
app = QApplication([])
try:
    build_window(settings_path=sys.argv[1] + ".ini", data=sys.argv[1])
    print("window opened")
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def _like_any_account() -> None:
    """In the child before it starts: give up root's right to ignore folder modes."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in _FILE_CAPABILITIES:
            if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def data_folder(tmp_path: Path) -> Iterator[Path]:
    """A data folder that the test makes read-only; skipped where a child would write into it anyway."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    probe = folder / "probe"
    folder.chmod(0o555)
    try:
        subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, 'w')"], preexec_fn=_like_any_account,
                       capture_output=True, timeout=30)
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot run a program without root's file capabilities here: {exc}")
    finally:
        folder.chmod(0o700)
    if probe.exists():
        pytest.skip("a read-only folder is writable for the test's programs here")
    yield folder
    folder.chmod(0o700)


def _run(script: str, folder: Path, **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, str(folder)], cwd=REPO, preexec_fn=_like_any_account,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_a_lock_left_in_a_folder_made_read_only_is_reported_as_a_read_only_folder(data_folder: Path) -> None:
    window = _run(WINDOW, data_folder, stdin=subprocess.PIPE)
    assert window.stdout.readline().strip() == "held", window.stderr.read()
    data_folder.chmod(0o555)
    _, err = window.communicate(input="", timeout=30)
    assert window.returncode == 0, err
    assert (data_folder / LOCK_NAME).exists()  # the window could not remove it
    out, err = _run(NEXT_START, data_folder).communicate(timeout=60)
    first, in_use, window_start = out.strip().splitlines()
    assert first.startswith("FolderNotWritable ") and "already open" not in first, err
    assert f"The data folder {data_folder} is read-only or not writable" in first
    assert f"process {window.pid}" in first
    assert in_use == "in use: None"  # Settings does not say another Palsy Grader has it open
    assert window_start.startswith("StartError ") and "read-only or not writable" in window_start  # not FolderLocked


def test_a_live_window_in_a_read_only_folder_is_still_already_open(data_folder: Path) -> None:
    window = _run(WINDOW, data_folder, stdin=subprocess.PIPE)
    try:
        assert window.stdout.readline().strip() == "held", window.stderr.read()
        data_folder.chmod(0o555)
        out, _ = _run(NEXT_START, data_folder).communicate(timeout=60)
    finally:
        window.communicate(input="", timeout=30)
    first = out.strip().splitlines()[0]
    assert first.startswith("FolderInUse ") and f"already open on this data folder (process {window.pid}" in first
