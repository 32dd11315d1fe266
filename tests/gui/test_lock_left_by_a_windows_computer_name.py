"""On Windows the lock file names the computer as QLockFile writes it, the NetBIOS name (upper
case, cut to 15 characters: `CLINIC-RECEPTIO`), while QSysInfo.machineHostName() gives the DNS
host name (`Clinic-Reception-01`). A lock left by this computer's closed window must still be
recognised as this computer's, so the start says the folder is read-only, not "already open".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSysInfo

from app.instance_lock import LOCK_NAME, FolderInUse, FolderNotWritable, InstanceLock, same_computer


@pytest.mark.parametrize(("recorded", "here"), [
    ("CLINIC-RECEPTIO", "Clinic-Reception-01"),  # Windows: NetBIOS name vs DNS host name
    ("CLINIC-RECEPTIO", "clinic-reception-01.hospital.local"),
    ("RECEPTION", "reception"),
    ("reception.hospital.local", "reception"),
    ("vm", "vm"),
])
def test_names_of_one_computer_match(recorded: str, here: str) -> None:
    assert same_computer(recorded, here)


@pytest.mark.parametrize(("recorded", "here"), [
    ("CLINIC-RECEPT", "Clinic-Reception-01"),  # shorter than 15 characters: not cut, another name
    ("RECEPTION", "Reception-02"),
    ("CLINIC-RECEPTIO", "Clinic-Records-01"),
    ("reception.hospital.local", "theatre.hospital.local"),
    ("", "vm"),
    ("", ""),
])
def test_names_of_different_computers_do_not_match(recorded: str, here: str) -> None:
    assert not same_computer(recorded, here)


def _ended_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_lock_in_the_windows_form_left_by_this_computer_says_the_folder_is_not_writable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _ended_pid()
    # As Qt writes it on Windows: PID, program, COMPUTERNAME, machine ID, boot ID. Qt does not take
    # it over here, as it could not in a read-only folder: the machine ID is not this one's.
    (tmp_path / LOCK_NAME).write_text(f"{pid}\nPalsyGrader.exe\nCLINIC-RECEPTIO\nanother-machine-id\n\n")
    monkeypatch.setattr(QSysInfo, "machineHostName", staticmethod(lambda: "Clinic-Reception-01"))
    with pytest.raises(FolderNotWritable, match=rf"read-only or not writable .*\(process {pid}\)"):
        InstanceLock(tmp_path).acquire()


def test_a_lock_in_the_windows_form_of_another_computer_is_still_in_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / LOCK_NAME).write_text(f"{_ended_pid()}\nPalsyGrader.exe\nCLINIC-THEATRE\nanother-machine-id\n\n")
    monkeypatch.setattr(QSysInfo, "machineHostName", staticmethod(lambda: "Clinic-Reception-01"))
    with pytest.raises(FolderInUse, match="on CLINIC-THEATRE"):
        InstanceLock(tmp_path).acquire()
