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

TWO_HOURS_AGO = time.time() - 2 * 3600


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test: `tmp_path`."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _kept(root: Path, name: str, *, marker: bool = False) -> Path:
    folder = root / name
    for part in ("patient", "out", "gui-data"):
        (folder / part).mkdir(parents=True)
    (folder / "out" / "report.pdf").write_bytes(b"%PDF")
    if marker:
        (folder / selftest.WORK_MARKER).write_bytes(b"")
    os.utime(folder, (TWO_HOURS_AGO, TWO_HOURS_AGO))
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
