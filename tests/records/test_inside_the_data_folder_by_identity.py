"""A backup or a copy of a report is refused inside the data folder it protects. On macOS's
case- and accent-insensitive disks the folder typed in other capitals is the same folder:
`is_inside` asks the file system (`os.path.samefile`), not only the spelling. Simulated here
with a file system that ignores case."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.export import copy_report
from app.records import Store
from app.records.backup import backup_data_folder
from app.records.paths import is_inside
from models.errors import InputError


@pytest.fixture
def case_blind(monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.stat` as on a case-insensitive disk: a path spelt in other capitals is the entry
    whose name matches it case aside."""
    real = os.stat

    def there(path: str) -> bool:
        try:
            real(path)
        except OSError:
            return False
        return True

    def found(path: str) -> str:
        head, name = os.path.split(path)
        if there(path) or not name:
            return path
        parent = found(head)
        for entry in os.listdir(parent) if there(parent) else ():
            if entry.lower() == name.lower():
                return os.path.join(parent, entry)
        return os.path.join(parent, name)

    def stat(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - os.stat's signature
        return real(found(os.fspath(path)), *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)


def test_the_same_folder_in_other_capitals_is_inside(tmp_path: Path, case_blind: None) -> None:
    data = tmp_path / "PalsyGrader"
    data.mkdir()
    assert is_inside(data, tmp_path / "palsygrader" / "bak")
    assert is_inside(data, tmp_path / "PALSYGRADER")
    assert not is_inside(data, tmp_path / "elsewhere" / "bak")


def test_a_backup_typed_in_other_capitals_is_refused(tmp_path: Path, case_blind: None) -> None:
    with Store.open(tmp_path / "PalsyGrader") as store, pytest.raises(InputError, match="inside the data folder"):
        backup_data_folder(store, tmp_path / "palsygrader" / "bak")


def test_a_report_copy_typed_in_other_capitals_is_refused(tmp_path: Path, case_blind: None) -> None:
    data = tmp_path / "PalsyGrader"
    data.mkdir()
    original = tmp_path / "report.pdf"
    original.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(InputError, match="cannot be saved in the data folder"):
        copy_report(original, tmp_path / "palsygrader" / "copy.pdf", data)


def test_a_drive_that_numbers_no_file_is_judged_by_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sshfs-win and some WebDAV drives give every file the inode number 0: every folder there
    would look like the data folder, and a backup to a sibling folder was refused."""
    data, sibling = tmp_path / "PalsyGrader", tmp_path / "Backups"
    data.mkdir()
    sibling.mkdir()
    real = os.stat

    def numberless(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - os.stat's signature
        found = real(path, *args, **kwargs)
        return os.stat_result((found.st_mode, 0, 1, *found[3:10]))

    monkeypatch.setattr(os, "stat", numberless)
    assert not is_inside(data, sibling / "bak")
    assert is_inside(data, data / "bak")  # the spelling still tells
