"""`records import` into an older release's folder says the upgrade once, as a sentence: the
store's log line about it was echoed raw above it on stderr by the command line, which has no
log handler of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.records.test_an_upgrade_is_said_and_not_done_for_a_refused_import import (
    _version_3_folder,
)
from tests.scripts import ROOT


def test_the_upgrade_is_said_once(tmp_path: Path, exported: Path) -> None:
    folder = _version_3_folder(tmp_path / "data")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "app", "records", "--data", str(folder), "import", str(exported)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("upgraded") == 1, done.stderr
    assert "The records were upgraded from database version 3" in done.stderr
