"""`palsy gui` without a display: one line naming the headless demo (Qt aborted with exit 134
and a misleading message about a missing xcb library)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.display_check import missing_display

ROOT = Path(__file__).resolve().parents[1]


def test_only_linux_without_a_display_server_is_refused() -> None:
    assert "palsy demo" in missing_display("linux", {})
    # a display that is set is used when it answers: tests/test_display_reachable.py
    assert missing_display("linux", {"QT_QPA_PLATFORM": "offscreen"}) is None  # the user's own choice
    assert missing_display("win32", {}) is None and missing_display("darwin", {}) is None


def test_the_gui_command_without_a_display_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PALSY_HOME"] = str(tmp_path / "home")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    done = subprocess.run([sys.executable, "-m", "app", "gui"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "palsy: error: there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start it "
        "from the desktop session, or run the headless demo with: palsy demo"]
