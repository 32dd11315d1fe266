"""`records check` sees temporary files left by an interrupted write, and says what to do
about a damaged report as a report (not as a photo)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.records import ChecksumError, StorageError, Store
from app.records.recovery import host_tag
from tests.records.records_helpers import tiny_png


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_check_reports_a_partial_file_left_by_a_killed_writer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("CHK-1")
        aid = store.start_assessment("CHK-1").id
        photo = store.capture_path(store.save_capture(aid, "rest", tiny_png(1)))
    leftover = photo.parent / f".000001_close_eyes_0123456789ab.png.partial-{_dead_pid()}-a1b2c3d4-{host_tag()}"
    leftover.write_bytes(b"\x89PNG half")
    writing = photo.parent / f".000001_open_mouth_0123456789ab.png.partial-{os.getpid()}-a1b2c3d4"
    writing.write_bytes(b"\x89PNG in progress")  # a live writer's: not a problem
    capsys.readouterr()
    assert main(["records", "--data", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert "1 file problem" in out
    assert f"partial: {leftover} was left by an interrupted write" in out
    assert "removed at the next normal open" in out and writing.name not in out
    assert leftover.exists()  # check changes nothing
    with Store.open_existing(data) as store:
        [problem] = store.unrecorded_files()
        assert (problem.file_name, problem.problem) == (leftover.relative_to(data).as_posix(), "partial")
    Store.open(data).close()  # the next normal open removes it
    assert not leftover.exists() and writing.exists()


def test_a_damaged_or_missing_report_is_reported_as_a_report(store: Store) -> None:
    store.create_patient("CHK-2")
    aid = store.start_assessment("CHK-2").id
    store.save_capture(aid, "rest", tiny_png(2))
    store.record_results(aid, {}, model_grade="II")
    store.confirm_grade(aid, "II", "Dr Kim")
    report = store.save_report(aid, b"%PDF-1.4 report")
    path = store.layout.resolve(report.file_name)
    path.write_bytes(b"%PDF-1.4 altered")
    [problem] = store.verify_files()
    assert problem.problem == "checksum" and "export the report again" in problem.detail
    assert "photo" not in problem.detail
    with pytest.raises(ChecksumError, match="export the report again") as info:
        store.load_report(report)
    assert "photo" not in str(info.value)
    path.unlink()
    [problem] = store.verify_files()
    assert problem.problem == "missing" and "export the report again" in problem.detail
    with pytest.raises(StorageError, match="is missing from the data folder. Restore it from a backup, or export"):
        store.load_report(report)
    photo = store.capture_path(store.get_capture(aid, "rest"))
    photo.write_bytes(b"\x89PNG altered")
    assert "retake the photo" in next(p.detail for p in store.verify_files() if p.file_name.startswith("photos/"))
