"""`records backup` looks at the destination's free space before copying: a backup that cannot
fit is refused at once with how much it needs and how much is free (it filled the disk first,
an hour for a large clinic, then said "about the size of the data folder", which IT measured
with `du`, logs and pre-upgrade copies included). A disk that fills up all the same says the
same number."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections import namedtuple
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records import backup as backup_module
from tests.records.records_helpers import tiny_png

Usage = namedtuple("Usage", "total used free")


def _size_of_a_backup(data: Path) -> int:
    """What a backup copies, measured here: the database's pages and the recorded files."""
    conn = sqlite3.connect(data / "palsy.db")
    try:
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    files = [p for folder in ("photos", "reports") for p in (data / folder).rglob("*") if p.is_file()]
    return pages + sum(p.stat().st_size for p in files)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder of 2.2 MB or so (two large photos, a report), plus a 3 MB log a backup
    does not copy."""
    with Store.open(tmp_path / "data") as store:
        store.create_patient("BK-1")
        aid = store.start_assessment("BK-1").id
        store.save_capture(aid, "rest", tiny_png(1, size=600))
        store.save_capture(aid, "close_eyes", tiny_png(2, size=600))
        root = store.root
    (root / "logs").mkdir()
    (root / "logs" / "palsy.log.1").write_bytes(b"x" * 3_000_000)
    return root


def test_a_backup_that_cannot_fit_is_refused_before_copying(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    needed = _size_of_a_backup(data)
    assert 1_000_000 < needed < 3_000_000
    asked: list[Path] = []

    def usage(path: os.PathLike) -> Usage:
        asked.append(Path(path))
        return Usage(100_000_000, 99_000_000, needed - 1)  # one byte short

    monkeypatch.setattr(shutil, "disk_usage", usage)
    out = tmp_path / "nightly" / "2026-12-07"  # neither exists yet: the disk of tmp_path is asked
    copied: list[int] = []
    monkeypatch.setattr(backup_module, "online_copy", lambda *a: copied.append(1))
    capsys.readouterr()
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    mb, free = -(-needed // 1_000_000), (needed - 1) // 1_000_000
    assert f"cannot write the backup to {out}: it needs {mb} MB, {free} MB free on {tmp_path};" in err
    assert "nothing was written" in err and "another --out folder" in err and len(err.splitlines()) == 1
    assert asked == [tmp_path] and copied == []
    assert sorted(os.listdir(tmp_path)) == ["data"]  # no --out, no staging folder, no parent made


def test_a_backup_that_fits_goes_ahead(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    needed = _size_of_a_backup(data)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(100_000_000, 0, needed))  # just enough
    assert main(["records", "--data", str(data), "backup", "--out", str(tmp_path / "bak")]) == 0
    assert (tmp_path / "bak" / "palsy.db").is_file()


def test_a_disk_that_fills_up_all_the_same_says_how_much_the_backup_needs(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    needed = _size_of_a_backup(data)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backup_module, "fsync_file", full)  # another program took the space meanwhile
    capsys.readouterr()
    out = tmp_path / "bak"
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "the disk is full" in err and f"(the backup needs about {-(-needed // 1_000_000)} MB)" in err
    assert "size of the data folder" not in err and not out.exists()
