"""A backup taken while a photo is retaken: the retake deletes the photo the backup's database
copy names before the backup reaches it. The backup copies the database again and ends
complete, or, when that keeps happening, saves nothing and says to run it again."""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records import backup as backup_module
from tests.records.records_helpers import tiny_png

_seeds = itertools.count(100)


def _draft(data: Path) -> int:
    with Store.open(data) as store:
        store.create_patient("MRN-1", name="Ada Lovelace")
        aid = store.start_assessment("MRN-1").id
        store.save_capture(aid, "rest", tiny_png(1))
        store.save_capture(aid, "close_eyes", tiny_png(2))
    return aid


def _retake(data: Path, aid: int, *expressions: str) -> None:
    """What the capture page's Retake does in another program: the row replaced, then the
    old file deleted."""
    with Store.open(data, recover_files=False) as station:
        for expression in expressions:
            old = station.capture_path(station.get_capture(aid, expression))
            station.save_capture(aid, expression, tiny_png(next(_seeds)))
            assert not old.exists()


def _backed_up_names(out: Path) -> tuple[set[str], set[str]]:
    """The photo names the backup's database records, and the photo files it holds."""
    conn = sqlite3.connect(f"file:{out / 'palsy.db'}?mode=ro", uri=True)
    try:
        recorded = {row[0] for row in conn.execute("SELECT file_name FROM captures")}
    finally:
        conn.close()
    held = {p.relative_to(out).as_posix() for p in (out / "photos").rglob("*") if p.is_file()}
    return recorded, held


def test_a_retake_after_the_database_copy_gives_a_complete_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    aid = _draft(data)
    real_copy = backup_module.online_copy
    copies: list[Path] = []

    def retake_after_the_first_copy(conn: sqlite3.Connection, target: Path) -> None:
        real_copy(conn, target)
        copies.append(target)
        if len(copies) == 1:
            _retake(data, aid, "rest")

    monkeypatch.setattr(backup_module, "online_copy", retake_after_the_first_copy)
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert len(copies) == 2
    recorded, held = _backed_up_names(out)
    assert recorded == held and len(held) == 2
    assert main(["records", "--data", str(out), "check"]) == 0


def test_copies_of_photos_retaken_meanwhile_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    aid = _draft(data)
    real_copy_file = backup_module._copy_file
    retaken: list[str] = []

    def retake_both_after_the_first_file(*args: object) -> str | None:
        digest = real_copy_file(*args)
        if not retaken:  # one photo copied, the other not yet: both are retaken now
            retaken.append("done")
            _retake(data, aid, "rest", "close_eyes")
        return digest

    monkeypatch.setattr(backup_module, "_copy_file", retake_both_after_the_first_file)
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    recorded, held = _backed_up_names(out)
    assert recorded == held and len(held) == 2  # the first try's copy of the replaced photo is gone
    with Store.open(data) as store:
        assert {c.file_name for c in store.captures(aid)} == recorded


def test_retakes_all_through_the_backup_save_nothing_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, nas = tmp_path / "data", tmp_path / "nas"
    out = nas / "backup"
    aid = _draft(data)
    real_copy = backup_module.online_copy

    def retake_after_every_copy(conn: sqlite3.Connection, target: Path) -> None:
        real_copy(conn, target)
        _retake(data, aid, "rest")

    monkeypatch.setattr(backup_module, "online_copy", retake_after_every_copy)
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "was being written while the backup ran" in err and "Run the backup again" in err
    assert "records check" not in err  # the data folder is sound: nothing there to check
    assert not out.exists() and os.listdir(nas) == []  # nothing published, no staging left
