"""`palsy records backup` of a data folder holding a photo that no row records (what a visit lost
with an older palsy.db leaves behind): the backup copies only what its rows name, so it says how
many files it left out and exits 1, instead of "the copy checks clean", exit 0."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import confirmed_assessment, tiny_png


def _stray(data: Path, name: str, seed: int, age_s: float) -> Path:
    path = data / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tiny_png(seed))
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_backup_says_the_files_no_row_records_were_not_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    with Store.open(data) as store:
        confirmed_assessment(store, "MRN-1001", "Ada Lovelace", "IV", "Dr. Auditor")
    old = _stray(data, "photos/000003/000003_rest_2509b872cb6c.png", 3, 3 * 3600)
    assert main(["records", "--data", str(data), "check"]) == 1
    assert "unrecorded: " in capsys.readouterr().out

    status = main(["records", "--data", str(data), "backup", "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 1
    assert "checks clean" not in text
    assert (f"not backed up: 1 photo or report file(s) in the data folder {data} (photos/000003/{old.name}) are "
            "recorded in no database row, so they were not copied and are in no backup: run `palsy records check` "
            "on the data folder") in text
    assert f"the backup in {out} has problems" in text
    assert (out / "palsy.db").is_file()  # the copy is kept: it holds everything recorded
    assert not (out / "photos" / "000003").exists()


def test_a_photo_being_saved_now_does_not_fail_the_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    with Store.open(data) as store:
        confirmed_assessment(store, "MRN-1001", "Ada Lovelace", "IV", "Dr. Auditor")
    _stray(data, "photos/000002/000002_rest_0123456789ab.png", 2, 10)  # a save in progress: not a problem
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert "the copy checks clean" in capsys.readouterr().out
