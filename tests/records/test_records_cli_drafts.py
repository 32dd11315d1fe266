"""`palsy records drafts` opens an existing data folder and never makes one (a mistyped --data
or PALSY_HOME is one line, exit 2); on a current database it reads only."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.migrations import schema_version
from tests.records.records_helpers import tiny_png


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("palsy: error:") and captured.err.count("\n") == 1
    return captured.err


def test_drafts_of_a_mistyped_data_folder_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "dta"
    assert main(["records", "--data", str(typo), "drafts"]) == 2
    err = _one_line_error(capsys)
    assert str(typo) in err and "nothing was created" in err
    assert not typo.exists()


def test_drafts_of_a_mistyped_palsy_home_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "PalsyGradr"
    monkeypatch.setenv("PALSY_HOME", str(typo))
    assert main(["records", "drafts", "--json"]) == 2
    assert str(typo) in _one_line_error(capsys)
    assert not typo.exists()


def test_drafts_of_a_folder_without_database_creates_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "some_folder"
    folder.mkdir()
    assert main(["records", "--data", str(folder), "drafts"]) == 2
    assert str(folder / "palsy.db") in _one_line_error(capsys)
    assert list(folder.iterdir()) == []


def _files(data: Path) -> dict[Path, bytes]:
    """The data folder's files and contents, but SQLite's -wal/-shm (a reader may make them)."""
    return {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def test_drafts_lists_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("DR-1")
        aid = store.start_assessment("DR-1").id
        store.save_capture(aid, "rest", tiny_png(7))
    stray = data / "photos" / "000001" / "000001_close_eyes_stray.png"  # recorded nowhere, two hours old
    stray.write_bytes(tiny_png(8))
    old = time.time() - 7200
    os.utime(stray, (old, old))
    before = _files(data)
    assert main(["records", "--data", str(data), "drafts", "--json"]) == 0
    [draft] = json.loads(capsys.readouterr().out)
    assert (draft["assessment"], draft["patient_id"], draft["captured"]) == (aid, "DR-1", ["rest"])
    assert main(["records", "--data", str(data), "drafts"]) == 0
    assert capsys.readouterr().out.startswith(f"assessment {aid} patient DR-1 (1/6 photos")
    # Start-up recovery would move the stray photo to recovered/: a listing leaves it.
    assert _files(data) == before
    assert not (data / "recovered").exists()


def test_drafts_of_an_old_database_reads_it_without_upgrading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.records.test_records_migrations import _build_v1

    _build_v1(tmp_path / "v1")
    assert main(["records", "--data", str(tmp_path / "v1"), "drafts", "--json"]) == 0
    [draft] = json.loads(capsys.readouterr().out)
    assert (draft["assessment"], draft["patient_id"], draft["captured"]) == (2, "OLD-1", ["rest"])
    conn = sqlite3.connect(tmp_path / "v1" / "palsy.db")
    assert schema_version(conn) == 1  # read from an upgraded temporary copy: the folder is left alone
    conn.close()
    assert not list((tmp_path / "v1").glob("*.bak"))


def test_export_from_a_mistyped_data_folder_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # export only reads the store: it used to create an empty data folder before failing
    typo = tmp_path / "dta"
    assert main(["records", "--data", str(typo), "export", "P-1", "--out", str(tmp_path / "out")]) == 2
    assert str(typo) in _one_line_error(capsys)
    assert not typo.exists() and not (tmp_path / "out").exists()
