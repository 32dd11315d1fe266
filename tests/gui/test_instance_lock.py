"""One Palsy Grader per data folder (audit F3): a second window on the folder offered the first
one's capture in progress as an "unfinished assessment", and its Discard broke the first one's
next photo. The GUI now holds `DATA/palsy-gui.lock` (QLockFile) while it runs; a second start
is refused with a message naming the holder's process and host, and exit status 2.

The other holders are real processes (a child Python holding the lock), so the PID in the
message is another process's, and a holder killed with SIGKILL leaves a stale file behind.
Message boxes are patched: no modal dialog ever opens here.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSysInfo
from PySide6.QtWidgets import QApplication, QMessageBox

from app.gateway_store import open_gateway
from app.gui_main import START_FAILED, FolderLocked, build_window, main
from app.instance_lock import LOCK_NAME, FolderInUse, InstanceLock, folder_in_use
from tests.gui.gui_helpers import draft_with_photos

REPO = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from app.instance_lock import InstanceLock
lock = InstanceLock(sys.argv[1])
assert lock.acquire()
print("held", flush=True)
sys.stdin.read()  # until the test closes stdin (or kills this process)
lock.release()
"""


@pytest.fixture
def holder() -> Iterator:
    """start(folder) -> a child process holding `folder`'s lock until its stdin closes."""
    children: list[subprocess.Popen] = []

    def start(folder: Path) -> subprocess.Popen:
        child = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=REPO, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        children.append(child)
        assert child.stdout.readline().strip() == "held"
        return child

    yield start
    for child in children:
        if child.poll() is None:
            child.stdin.close()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        child.stdout.close()


def _end(child: subprocess.Popen) -> None:
    child.stdin.close()
    assert child.wait(10) == 0


def _hosts() -> set[str]:
    return {QSysInfo.machineHostName(), socket.gethostname()}


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def critical(parent, title, text, *args):  # noqa: ANN001, ANN202
        calls.append((title, text))
        return QMessageBox.StandardButton.Ok

    def question(parent, title, text, *args):  # noqa: ANN001, ANN202
        raise AssertionError(f"unexpected question: {title}")

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return calls


# -- the lock itself (QtCore only) -----------------------------------------------------------

def test_a_second_lock_on_the_folder_fails_naming_the_holder_until_released(tmp_path: Path) -> None:
    first, second = InstanceLock(tmp_path), InstanceLock(tmp_path)
    assert first.acquire() and first.held and (tmp_path / LOCK_NAME).is_file()
    with pytest.raises(FolderInUse) as refused:
        second.acquire()
    assert refused.value.holder is not None and refused.value.holder.pid == os.getpid()
    assert refused.value.holder.host in _hosts()
    message = str(refused.value)
    assert message.startswith(f"Palsy Grader is already open on this data folder (process {os.getpid()} on ")
    assert "Close it first, or choose another data folder." in message and str(tmp_path / LOCK_NAME) in message
    assert not second.held
    first.release()
    assert not first.held and not (tmp_path / LOCK_NAME).exists()
    assert second.acquire() and second.held
    second.release()


def test_a_lock_held_by_another_process_names_its_pid_and_is_free_once_it_ends(tmp_path: Path, holder) -> None:
    child = holder(tmp_path)
    lock = InstanceLock(tmp_path)
    with pytest.raises(FolderInUse, match=rf"\(process {child.pid} on [^)]+\)"):
        lock.acquire()
    assert folder_in_use(tmp_path).holder.pid == child.pid  # the probe takes nothing
    _end(child)
    assert folder_in_use(tmp_path) is None
    assert lock.acquire()
    lock.release()


def test_a_stale_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path, holder) -> None:
    child = holder(tmp_path)
    child.send_signal(signal.SIGKILL)  # a crash: the file stays, naming a process that is gone
    child.wait(10)
    lock = InstanceLock(tmp_path)
    assert lock.holder().pid == child.pid and (tmp_path / LOCK_NAME).is_file()
    assert lock.acquire()
    assert lock.holder().pid == os.getpid()
    lock.release()


@pytest.mark.parametrize("content", [b"", b"\x00garbled\xff"])
def test_a_lock_file_naming_nobody_is_taken_over_once_a_minute_old(tmp_path: Path, content: bytes) -> None:
    """An empty or garbled file (a power cut just after it was made) names no process Qt could
    check: refused while young (a writer may be making it), taken over once a minute old."""
    path = tmp_path / LOCK_NAME
    path.write_bytes(content)
    with pytest.raises(FolderInUse):
        InstanceLock(tmp_path).acquire()
    old = time.time() - 120
    os.utime(path, (old, old))
    lock = InstanceLock(tmp_path)
    assert lock.acquire() and lock.holder().pid == os.getpid()
    lock.release()


def test_a_lock_file_that_cannot_be_made_does_not_refuse(tmp_path: Path) -> None:
    # a missing (or read-only) folder: opening the store there names the real problem
    lock = InstanceLock(tmp_path / "not_there")
    assert lock.acquire() is False and not lock.held
    lock.release()  # harmless when not held


# -- the GUI's start ---------------------------------------------------------------------------

def test_a_second_gui_on_the_folder_is_refused_with_the_holder_and_exit_2(
        qtbot, tmp_path: Path, settings_path: str, holder, boxes, capsys, monkeypatch) -> None:
    def no_event_loop(app: QApplication) -> int:  # had the window opened, end at once (never hang)
        for widget in app.topLevelWidgets():
            widget.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", no_event_loop)
    folder = tmp_path / "records"
    draft = draft_with_photos(folder, "MRN-A", "Ada Capture")
    child = holder(folder)  # the first Palsy Grader, capturing
    Path(settings_path).write_text(f"[clinic]\ndata_folder={folder}\n")
    assert main([], settings_path=settings_path) == START_FAILED
    [(title, text)] = boxes
    assert title == "Palsy Grader is already open"
    assert f"Palsy Grader is already open on this data folder (process {child.pid} on " in text
    assert "Close it first, or choose another data folder." in text and f"Data folder: {folder}" in text
    assert "already open on this data folder" in capsys.readouterr().err
    gateway = open_gateway(folder)  # the first one's draft is untouched
    try:
        assert gateway.assessment(draft).status == "draft" and len(gateway.assessment(draft).captures) == 3
    finally:
        gateway.close()
    _end(child)


def test_the_window_holds_the_lock_until_its_store_closes(qtbot, tmp_path: Path, settings_path: str) -> None:
    folder = tmp_path / "records"  # made by the first start: the lock is taken just after
    window = build_window(settings_path=settings_path, data=str(folder))
    try:
        assert (folder / LOCK_NAME).is_file() and window.gateway.lock.held
        with pytest.raises(FolderLocked, match=rf"process {os.getpid()} on ") as refused:
            build_window(settings_path=settings_path, data=str(folder))
        assert refused.value.folder == folder
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()
    assert not (folder / LOCK_NAME).exists()
    again = build_window(settings_path=settings_path, data=str(folder))  # an existing folder: locked first
    try:
        assert again.gateway.lock.held
    finally:
        again.close()
        again.gateway.close()
        again.deleteLater()


def test_a_data_folder_chosen_in_settings_that_another_window_has_open_is_said(
        qtbot, tmp_path: Path, settings_path: str, holder, monkeypatch) -> None:
    # the chosen folder is used from the next start; that start would be refused: say so now
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    other = tmp_path / "other_records"
    open_gateway(other).close()
    child = holder(other)
    window = build_window(settings_path=settings_path, data=str(tmp_path / "records"))
    try:
        chosen = replace(window.settings, clinic=replace(window.settings.clinic, data_folder=str(other)))
        window.apply_settings(chosen)
        assert f"Another Palsy Grader has it open now (process {child.pid} on " in window.notice.text()
        _end(child)
        in_use = replace(chosen, clinic=replace(chosen.clinic, data_folder=str(tmp_path / "records")))
        window.apply_settings(in_use)
        window.apply_settings(chosen)  # chosen again, now free
        assert "used from the next start" in window.notice.text() and "Another" not in window.notice.text()
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()
