"""A data folder shared by several computers: a temporary file of a write in progress on another
station (its name carries that computer's host tag, and a PID that means nothing here) is left
alone by `Store.open` and not reported by `records check` until it is an hour old; this
computer's, whose writer is gone, is removed at once; an earlier release's untagged one is
judged as another computer's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store, files
from app.records.recovery import host_tag
from tests.records.records_helpers import tiny_png

NOT_HERE = 2**22 + 4321  # above Linux's default pid_max: no such process on this computer
TWO_HOURS_AGO = time.time() - 2 * 3600


def _other_host() -> str:
    return "00000000" if host_tag() != "00000000" else "11111111"


def _temp(folder: Path, name: str, *, aged: bool = False) -> Path:
    path = folder / name
    path.write_bytes(b"\x89PNG half")
    if aged:
        os.utime(path, (TWO_HOURS_AGO, TWO_HOURS_AGO))
    return path


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("NET-1")
        aid = store.start_assessment("NET-1").id
        return store.capture_path(store.save_capture(aid, "rest", tiny_png(1))).parent


def test_temporary_names_carry_this_computers_tag(tmp_path: Path) -> None:
    temp_owner = files.temp_owner
    assert temp_owner(files.temp_path_for(tmp_path / "p.png")) == (os.getpid(), host_tag())
    assert temp_owner(tmp_path / f".p.png.partial-12-0123abcd-{host_tag()}-journal") == (12, host_tag())
    assert temp_owner(tmp_path / ".p.png.partial-12-0123abcd") == (12, None)  # an earlier release's
    assert temp_owner(tmp_path / ".p.png.partial-12-0123abcd-journal") == (12, None)
    digest = files.atomic_write(tmp_path / "p.png", b"data")  # and the write still lands under its name
    assert digest and sorted(os.listdir(tmp_path)) == ["p.png"]


def test_another_stations_live_write_survives_an_open_and_is_not_reported(
    photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = photos.parents[1]
    theirs = _temp(photos, f".000001_smile_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4-{_other_host()}")
    old_release = _temp(photos, f".000001_frown_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4")
    capsys.readouterr()
    assert main(["records", "--data", str(data), "check"]) == 0
    out = capsys.readouterr().out
    assert "partial" not in out and theirs.name not in out and old_release.name not in out
    with Store.open(data) as store:
        assert store.recovery.removed_temp_files == []
    assert theirs.exists() and old_release.exists()


def test_an_hour_old_one_of_another_station_is_reported_and_removed(
    photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = photos.parents[1]
    theirs = _temp(photos, f".000001_smile_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4-{_other_host()}", aged=True)
    old_release = _temp(photos, f".000001_frown_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4", aged=True)
    capsys.readouterr()
    assert main(["records", "--data", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert f"partial: {theirs} was left by an interrupted write" in out
    assert f"partial: {old_release} was left by an interrupted write" in out
    with Store.open(data) as store:
        assert sorted(store.recovery.removed_temp_files) == sorted([theirs, old_release])
    assert not theirs.exists() and not old_release.exists()


def test_this_computers_dead_writers_file_is_removed_at_once_and_a_live_ones_kept(photos: Path) -> None:
    data = photos.parents[1]
    mine_dead = _temp(photos, f".000001_smile_0123456789ab.png.partial-{NOT_HERE}-a1b2c3d4-{host_tag()}")
    mine_live = _temp(photos, f".000001_frown_0123456789ab.png.partial-{os.getpid()}-a1b2c3d4-{host_tag()}", aged=True)
    with Store.open(data) as store:
        assert store.recovery.removed_temp_files == [mine_dead]
    assert not mine_dead.exists() and mine_live.exists()
