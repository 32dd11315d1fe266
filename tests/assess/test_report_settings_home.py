"""ReportLab reads ~/.reportlab_settings when it is imported: a file there must not change how
the app writes reports (the health audit switched page compression off with one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_users_reportlab_settings_do_not_change_the_report_settings(tmp_path: Path) -> None:
    (tmp_path / ".reportlab_settings").write_text("pageCompression = 0\nuseA85 = 1\n")
    code = ("import app.report.pdf\nfrom reportlab import rl_config\n"
            "print(rl_config.pageCompression, rl_config.useA85)")
    env = dict(os.environ, HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "0"]
