"""A relative PALSY_HOME names another folder for each folder the program starts in: refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import StorageError, default_data_dir


def test_a_relative_palsy_home_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PALSY_HOME", "palsy_records")
    with pytest.raises(StorageError, match="PALSY_HOME is 'palsy_records', not a full path"):
        default_data_dir()
    assert not (tmp_path / "palsy_records").exists()


def test_the_command_line_says_so_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from app.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PALSY_HOME", "palsy_records")
    code = main(["records", "patients"])
    err = capsys.readouterr().err
    assert code != 0 and "not a full path" in err and "Traceback" not in err
    assert not (tmp_path / "palsy_records").exists()


def test_a_full_path_and_a_home_relative_one_are_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "records"))
    assert default_data_dir() == tmp_path / "records"
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PALSY_HOME", "~/records")
    assert default_data_dir() == tmp_path / "records"
