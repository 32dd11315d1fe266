"""Review r2 D15: the self-test's sweep of folders killed runs left in the temporary folder
deleted any `palsy-selftest-*` folder an hour old, so a `--keep /tmp/palsy-selftest-kept` of
last night was deleted by the next (nightly) self-test. Only a folder a self-test made (its
marker, or the exact name a release gave its work folder) is swept, never this run's --keep."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from app import selftest
from app.records.recovery import host_tag

TWO_HOURS_AGO = time.time() - 2 * 3600
TWO_DAYS_AGO = time.time() - 2 * 86400


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test: `tmp_path`."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _kept(root: Path, name: str, *, marker: bool = False, touched: float = TWO_HOURS_AGO) -> Path:
    folder = root / name
    for part in ("patient", "out", "gui-data"):
        (folder / part).mkdir(parents=True)
    (folder / "out" / "report.pdf").write_bytes(b"%PDF")
    if marker:
        (folder / selftest.WORK_MARKER).write_bytes(b"")
    os.utime(folder, (touched, touched))
    return folder


def test_a_kept_folder_named_with_the_prefix_survives_the_sweep(temp_root: Path) -> None:
    kept = _kept(temp_root, "palsy-selftest-kept")
    left = _kept(temp_root, "palsy-selftest-kept-by-a-killed-run", marker=True)
    assert selftest.remove_left_folders(temp_root) == 1
    assert kept.is_dir() and (kept / "out" / "report.pdf").is_file() and not left.exists()


def test_this_runs_keep_folder_is_never_swept(temp_root: Path) -> None:
    keep = _kept(temp_root, "palsy-selftest-nightly1")  # the shape of an earlier release's work folder
    with selftest.work_folder(keep) as work:
        assert (work / selftest.WORK_MARKER).is_file()  # the run's own folder is marked as made by it
    assert keep.is_dir() and (keep / "out" / "report.pdf").is_file() and not work.exists()


@pytest.mark.parametrize(("name", "other", "marker"), [
    # a work folder's name, copied from an earlier run's log; two days old, a killed run's whatever PID 4242 is now
    (f"palsy-selftest-4242-{host_tag()}-abcd1234", f"palsy-selftest-4242-{host_tag()}-ef567890", False),
    ("palsy-selftest-kept", "palsy-selftest-kept2", True),  # marked as its work folder by an earlier run
])
def test_a_keep_folder_that_looks_left_by_a_killed_run_is_still_kept(temp_root: Path, name: str, other: str,
                                                                      marker: bool) -> None:
    # the same folder but for --keep is swept: the sweep would take the kept one, with its report
    keep = _kept(temp_root, name, marker=marker, touched=TWO_DAYS_AGO)
    twin = _kept(temp_root, other, marker=marker, touched=TWO_DAYS_AGO)
    with selftest.work_folder(keep):
        pass
    assert not twin.exists()
    assert (keep / "out" / "report.pdf").is_file()
