"""The self-test's "gui" step (a broken Qt fails it, not the clinic's first start) and its
report of the real data and log folders (created by nothing)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app import selftest
from tests.bundle.test_selftest import weights  # noqa: F401 - the module-scoped fixture


def _break_qt(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an installation without libQt6Widgets: `import PySide6.QtWidgets` raises ImportError."""
    monkeypatch.setitem(sys.modules, "PySide6.QtWidgets", None)


def test_a_broken_qt_fails_the_self_test_with_one_line(
    weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    _break_qt(monkeypatch)
    result = selftest.run_self_test(weights_folder=weights)
    assert not result.ok and result.failed_step == "gui", result.summary()
    line = result.summary()
    assert "\n" not in line and line.startswith("PalsyGrader self-test FAILED at step 'gui': Qt cannot be loaded")
    assert "reinstall" in line


def test_the_gui_step_builds_and_closes_the_window_over_a_throwaway_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    selftest.check_gui(tmp_path / "gui-data")
    assert (tmp_path / "gui-data").is_dir()  # the throwaway store was opened there
    assert "QT_QPA_PLATFORM" not in os.environ  # offscreen only for the step


def test_folder_state_reports_a_missing_folder_without_making_it(tmp_path: Path) -> None:
    missing = tmp_path / "PalsyGrader" / "logs"
    state = selftest.folder_state(missing)
    assert state["path"] == str(missing) and state["exists"] is False and state["writable"] is True
    assert isinstance(state["free_mb"], int) and state["free_mb"] >= 0
    assert not (tmp_path / "PalsyGrader").exists()
    assert selftest.folder_state(tmp_path)["exists"] is True


def test_folder_state_says_when_a_folder_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the tests run as root, who writes anywhere: the account's answer is what os.access says
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(selftest.os, "access", lambda path, mode: False if Path(path) == locked else real(path, mode))
    assert selftest.folder_state(locked)["writable"] is False
    assert selftest.folder_state(locked / "data")["writable"] is False  # not there yet: its parent decides
    assert selftest.folder_state(tmp_path)["writable"] is True


def test_the_summary_names_both_folders() -> None:
    result = selftest.SelfTestResult(ok=True, folders={
        "data": {"path": "/d", "exists": True, "writable": True, "free_mb": 12},
        "log": {"path": "/d/logs", "exists": False, "writable": False, "free_mb": None},
    })
    line = result.summary()
    assert "; data folder /d (exists, writable, 12 MB free)" in line
    assert "; log folder /d/logs (not created yet, NOT writable, free space unknown)" in line
