"""The self-test fails where the station could not save a record: a data folder that is a file,
or one this user cannot write."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import selftest
from tests.bundle.test_selftest import weights  # noqa: F401 - the fixture


def test_a_data_folder_that_is_a_file_fails_the_self_test(weights: Path, tmp_path: Path,  # noqa: F811
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # `palsy self-test` said "data folder ... (not created yet, NOT writable)" and exited 0 "passed"
    home = tmp_path / "palsy-home"
    home.write_text("not a folder")
    monkeypatch.setenv("PALSY_HOME", str(home))
    monkeypatch.setattr(selftest, "check_gui", lambda folder: None)  # the window is another test's
    monkeypatch.setattr(selftest, "_qt_widgets_loaded", list)  # pytest's process has Qt loaded
    result = selftest.run_self_test(weights_folder=weights, work=tmp_path / "work")
    assert not result.ok and result.failed_step == "data folder"
    assert result.error.startswith(f"the data folder {home} is a file, not a folder: set PALSY_HOME")
    assert result.error.endswith("(every other step passed)")
    assert result.summary().startswith("PalsyGrader self-test FAILED at step 'data folder'")


def test_a_data_folder_under_a_file_or_not_writable_is_a_problem(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    under = selftest.folder_state(blocker / "sub")
    assert selftest.data_folder_problem(under) == (
        f"{blocker} is a file, not a folder, so the data folder {blocker / 'sub'} cannot be made: "
        "set PALSY_HOME (or --data, or Settings \u2192 Data folder) to a folder.")
    # a read-only HOME: root may write anywhere, so the state is given as a user would see it
    read_only = {"path": str(tmp_path / "home" / ".local" / "share" / "palsygrader"), "exists": False,
                 "writable": False, "free_mb": 100}
    problem = selftest.data_folder_problem(read_only)
    assert problem is not None and "is not writable by this user (it does not exist yet and cannot be made there)" in problem
    assert "set PALSY_HOME" in problem
    assert selftest.data_folder_problem(selftest.folder_state(tmp_path / "fresh")) is None
    assert selftest.data_folder_problem(None) is None


def test_the_folder_checked_is_the_one_the_window_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the platform's folder under a broken HOME failed a station whose Settings name a good one
    chosen = tmp_path / "records"
    monkeypatch.setattr(selftest, "configured_data_folder", lambda: str(chosen))
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "elsewhere"))
    assert selftest.real_folders()["data"]["path"] == str(chosen)
    monkeypatch.setattr(selftest, "configured_data_folder", lambda: "")
    assert selftest.real_folders()["data"]["path"] == str(tmp_path / "elsewhere")
