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
    """`os.path.samefile` as on a case-insensitive disk: two spellings that differ in case only
    name the same folder when one exists."""
    real = os.path.samefile

    def samefile(a, b) -> bool:  # noqa: ANN001 - os.path.samefile's signature
        a, b = str(a), str(b)
        if a.lower() == b.lower() and (os.path.exists(a) or os.path.exists(b)):
            return True
        return real(a, b)

    monkeypatch.setattr(os.path, "samefile", samefile)


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
