"""`palsy records check` while a capture station retakes photos: a row that changed after the
check read it is not a problem, a file missing or recorded nowhere for good still is."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.records import StorageError, Store, store_checks
from app.records.files import sha256_bytes
from tests.records.records_helpers import tiny_png


@pytest.fixture
def station(tmp_path: Path) -> Iterator[tuple[Store, Store, int]]:
    """A capture station (writes) with a draft holding `rest` and `close_eyes`, and a checker
    opened as `palsy records check` opens the folder (read-only)."""
    with Store.open(tmp_path / "data") as writer:
        writer.create_patient("CHK-BUSY")
        aid = writer.start_assessment("CHK-BUSY").id
        writer.save_capture(aid, "rest", tiny_png(1))
        writer.save_capture(aid, "close_eyes", tiny_png(2))
        with Store.open_existing(tmp_path / "data") as checker:
            yield writer, checker, aid


def test_a_retake_while_files_are_verified_is_no_problem(station: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch) -> None:
    writer, checker, aid = station
    old = writer.get_capture(aid, "rest")
    real = store_checks.read_verified
    retaken: list[str] = []

    def retake_first(path: Path, sha256: str, *args: object) -> bytes:
        if not retaken and sha256 == old.sha256:  # the rows were read; the station retakes now
            retaken.append(writer.save_capture(aid, "rest", tiny_png(3)).sha256)
            assert not path.exists()
        return real(path, sha256, *args)

    monkeypatch.setattr(store_checks, "read_verified", retake_first)
    assert checker.verify_files() == [] and retaken
    writer.capture_path(writer.get_capture(aid, "rest")).unlink()  # now missing for good
    [problem] = checker.verify_files()
    assert problem.problem == "missing" and problem.file_name == writer.get_capture(aid, "rest").file_name


def test_a_photo_recorded_after_the_rows_were_read_is_not_unrecorded(station: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """A capture in progress: its file is written (and walked by the check) before its row,
    which commits after the check read the rows."""
    writer, checker, aid = station
    photo = tiny_png(4)
    relative = f"photos/{aid:06d}/{aid:06d}_open_mouth_{sha256_bytes(photo)[:12]}.png"
    real_walk, real_rows = store_checks.walk_data_files, checker._file_rows
    calls: list[int] = []

    def walk_with_the_file_written(layout: object) -> list[Path]:
        (checker.root / relative).write_bytes(photo)  # save_capture writes the file first...
        return real_walk(layout)

    def rows_then_commit() -> list[sqlite3.Row]:
        rows = real_rows()
        if not calls:
            writer.save_capture(aid, "open_mouth", photo)  # ...and commits its row after the read
        calls.append(len(rows))
        return rows

    monkeypatch.setattr(store_checks, "walk_data_files", walk_with_the_file_written)
    monkeypatch.setattr(checker, "_file_rows", rows_then_commit)
    assert checker.unrecorded_files() == []
    assert writer.get_capture(aid, "open_mouth").file_name == relative and calls == [2, 3]


def test_a_photo_a_retake_deleted_after_the_rows_were_read_is_not_unrecorded(station: tuple[Store, Store, int], monkeypatch: pytest.MonkeyPatch) -> None:
    writer, checker, aid = station
    old = writer.capture_path(writer.get_capture(aid, "rest"))
    real_rows = checker._file_rows
    retaken: list[bool] = []

    def retake_then_rows() -> list[sqlite3.Row]:
        if not retaken:  # walked already; the retake replaces the row, then deletes the old file
            writer.save_capture(aid, "rest", tiny_png(5))
            retaken.append(not old.exists())
        return real_rows()

    monkeypatch.setattr(checker, "_file_rows", retake_then_rows)
    assert checker.unrecorded_files() == [] and retaken == [True]


def test_a_file_no_row_names_is_still_unrecorded(station: tuple[Store, Store, int]) -> None:
    writer, checker, aid = station
    stray = checker.root / "photos" / f"{aid:06d}" / f"{aid:06d}_smile_0123456789ab.png"
    stray.write_bytes(tiny_png(6))
    # Young, it may be a save or an import in progress: listed as recent, not a problem.
    [problem] = checker.unrecorded_files()
    assert (problem.file_name, problem.problem, problem.is_problem) == (
        stray.relative_to(checker.root).as_posix(), "recent", False)
    assert "may still be in progress" in problem.detail
    ahead = time.time() + 60  # a file server whose clock runs a minute ahead
    os.utime(stray, (ahead, ahead))
    [problem] = checker.unrecorded_files()
    assert problem.problem == "recent" and " was written 0 s ago" in problem.detail  # not "-60 s ago"
    for when in (time.time() - 2 * 3600, time.time() + 2 * 3600):  # older than crash recovery's hour: left by
        os.utime(stray, (when, when))  # a crash; in the future: copied from a computer whose clock was ahead
        [problem] = checker.unrecorded_files()
        assert (problem.file_name, problem.problem, problem.is_problem) == (
            stray.relative_to(checker.root).as_posix(), "unrecorded", True)


def test_records_check_lists_a_recent_file_without_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An import in progress has written its photos and not yet recorded them: a nightly
    `palsy records check` lists them and exits 0."""
    from app.cli import main

    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1")
        aid = store.start_assessment("MRN-1").id
        store.save_capture(aid, "rest", tiny_png(1))
    placed = tmp_path / "data" / "photos" / "000002" / "000002_rest_0123456789ab.png"
    placed.parent.mkdir()
    placed.write_bytes(tiny_png(2))
    assert main(["records", "--data", str(tmp_path / "data"), "check"]) == 0
    out = capsys.readouterr().out
    assert "0 file problems (1 recent file not recorded yet, listed below: not counted)" in out
    assert f"recent: {placed} was written" in out
    assert main(["records", "--data", str(tmp_path / "data"), "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["file_problems"] == [] and [f["problem"] for f in report["recent_files"]] == ["recent"]


@pytest.mark.parametrize("name", ["../outside.png", "photos/../../outside.png", "/tmp/outside.png"])
def test_a_stored_name_outside_the_data_folder_is_still_refused(station: tuple[Store, Store, int], name: str) -> None:
    writer, checker, aid = station
    with writer.db.write() as conn:
        conn.execute("UPDATE captures SET file_name = ? WHERE assessment_id = ? AND expression = 'rest'", (name, aid))
    with pytest.raises(StorageError, match="names a file outside the data folder"):
        checker.unrecorded_files()
    with pytest.raises(StorageError, match="names a file outside the data folder"):
        checker.verify_files()
