"""Review r2 D7, D8. D7: another station's temporary file dated ahead of this clock (its mtime
comes from that station's or the file server's clock, an hour off for a time zone or summer
time set wrong) is a write in progress, not an old file: it was listed by `records check` and
deleted at the next open. D8: a share that reports no size at all (GVFS smb://, some FUSE
mounts: total 0, free 0) made every backup fail before copying; a real small free space is
still refused."""

from __future__ import annotations

import os
import time
from collections import namedtuple
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records import backup as backup_module
from app.records.errors import StorageError
from app.records.recovery import host_tag, temp_left_behind
from tests.records.records_helpers import tiny_png

NOT_HERE = 2**22 + 4321  # above Linux's default pid_max: no such process on this computer
Usage = namedtuple("Usage", "total used free")


def _other_host() -> str:
    return "00000000" if host_tag() != "00000000" else "11111111"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("NET-1")
        aid = store.start_assessment("NET-1").id
        store.save_capture(aid, "rest", tiny_png(1))
        return store.root


def test_another_stations_file_dated_ahead_is_kept_at_open_and_not_reported(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = next((data / "photos").rglob("*.png")).parent
    theirs = photos / f".000001_smile_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4-{_other_host()}"
    theirs.write_bytes(b"\x89PNG half")
    ahead = time.time() + 70 * 60  # their clock an hour and ten minutes ahead
    os.utime(theirs, (ahead, ahead))
    capsys.readouterr()
    assert main(["records", "--data", str(data), "check"]) == 0
    assert theirs.name not in capsys.readouterr().out
    Store.open(data).close()
    assert theirs.exists()


def test_the_age_rule_for_other_stations() -> None:
    other = _other_host()
    assert not temp_left_behind(NOT_HERE, other, -70 * 60)  # dated ahead: young
    assert temp_left_behind(NOT_HERE, other, 70 * 60)  # an hour old by this clock: left behind
    assert temp_left_behind(NOT_HERE, other, -2 * 86400)  # a clock days ahead: not a live write either


def test_a_share_that_reports_no_size_is_backed_up(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module.shutil, "disk_usage", lambda path: Usage(0, 0, 0))
    out = tmp_path / "share_backup"
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert (out / "palsy.db").is_file() and list((out / "photos").rglob("*.png"))


def test_a_disk_with_too_little_room_is_still_refused(data: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_module.shutil, "disk_usage", lambda path: Usage(64_000_000_000, 64_000_000_000, 0))
    with pytest.raises(StorageError, match="0 MB free"):
        backup_module.check_room(tmp_path / "full", 10_000)
