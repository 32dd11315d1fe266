"""The self-test fails, with the window's own line, on a data folder whose database a newer
release wrote: it passed, and the window then refused the folder (after a rollback, say)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app import selftest
from app.records import Store
from app.records.errors import StorageError
from app.records.migrations import LATEST_VERSION, migrate


def _newer_folder(folder: Path) -> Path:
    Store.open(folder).close()
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    return folder


def test_a_newer_database_fails_with_the_windows_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _newer_folder(tmp_path / "data")
    monkeypatch.setattr(selftest, "configured_data_folder", lambda: str(folder))
    info = selftest.real_folders()["data"]
    assert info["records_version"] == LATEST_VERSION + 1
    conn = sqlite3.connect(folder / "palsy.db", isolation_level=None)
    with pytest.raises(StorageError) as refused:  # what the window's start says
        migrate(conn)
    conn.close()
    assert selftest.data_folder_problem(info) == f"the window would refuse the data folder {folder}: {refused.value}"


def test_the_summary_names_the_folders_records_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    Store.open(folder).close()
    monkeypatch.setattr(selftest, "configured_data_folder", lambda: str(folder))
    info = selftest.real_folders()["data"]
    assert selftest.data_folder_problem(info) is None
    result = selftest.SelfTestResult(folders={"data": info})
    assert f", records database version {LATEST_VERSION})" in result.folders_summary()
    assert selftest.real_folders()["data"]["records_version"] == LATEST_VERSION
    monkeypatch.setattr(selftest, "configured_data_folder", lambda: str(tmp_path / "none yet"))
    assert "records_version" not in selftest.real_folders()["data"]  # no database there yet
