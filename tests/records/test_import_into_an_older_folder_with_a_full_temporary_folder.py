"""`records import` into an older release's folder checks the export against an upgraded
temporary copy of the records first; a temporary folder that cannot hold that copy (a small
/tmp, a full C: with the data on D:) no longer refuses an import that used to succeed: the
check is left to the import after the upgrade, and said. A reading command names the
temporary folder, not a "database ... disk is full" the user never knew of."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from app.cli import main
from app.records import reading
from app.records.migrations import LATEST_VERSION
from tests.records.test_an_upgrade_is_said_and_not_done_for_a_refused_import import (
    _version,
    _version_3_folder,
)


@pytest.fixture
def full_temporary_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary folder has no room for a copy of the records."""
    def full(_conn: sqlite3.Connection, _target: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(reading, "online_copy", full)


def test_an_import_goes_on_when_the_temporary_copy_cannot_be_made(tmp_path: Path, exported: Path,
                                                                  full_temporary_folder: None,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data")
    assert main(["records", "--data", str(folder), "import", str(exported)]) == 0
    out = capsys.readouterr()
    assert out.out == "imported patient IMP-1\n"
    assert f"the temporary folder {tempfile.gettempdir()}, which could not be written (it is full)" in out.err
    assert "The export is checked after the upgrade instead." in out.err
    assert _version(folder) == LATEST_VERSION


def test_a_refused_import_is_still_refused_after_the_upgrade(tmp_path: Path, exported: Path,
                                                            full_temporary_folder: None,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data", patient_id="IMP-1")
    assert main(["records", "--data", str(folder), "import", str(exported)]) == 2
    assert "IMP-1 already exists" in capsys.readouterr().err


def test_a_reading_command_names_the_temporary_folder(tmp_path: Path, full_temporary_folder: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = _version_3_folder(tmp_path / "data")
    assert main(["records", "--data", str(folder), "patients"]) == 2
    err = capsys.readouterr().err
    assert f"the temporary folder {tempfile.gettempdir()}" in err and "cannot save to the database" not in err
