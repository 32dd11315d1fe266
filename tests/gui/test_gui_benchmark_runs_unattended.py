"""`benchmarks/gui.py --json` with its analysis rounds runs to the end without a user: each
round assesses the same patient again the same day, and the window's "Assess again today?"
box, left to a real message box, waited forever offscreen for a click."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_analysis_rounds_finish_and_report(tiny_weights: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, str(REPO / "benchmarks" / "gui.py"), "--json", "--runs", "1", "--weights", str(tiny_weights)]
    # about 15 s on two cores; the bound only stops a hang from holding the suite
    proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=150)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert len(report["analysis_s"]) == 3 and all(t > 0 for t in report["analysis_s"])
    assert report["weights"] == "tiny.pt" and report["preview_fps_during_analysis"] > 0
