"""The store benchmark also times the patients page's offer of the newest result awaiting
confirmation (asked each time the page shows), against the same target as the searches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_reports_the_awaiting_offer() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "store.py"), "--json", "--patients", "40",
         "--assessments", "2", "--repeats", "10", "--photos", "0"],
        capture_output=True, text=True, check=True, timeout=60, cwd=REPO,
    ).stdout
    report = json.loads(out)
    assert report["offered_review"]["n"] == 10 and report["offered_review"]["median_ms"] > 0
    assert report["target_ms"] == 20.0  # its p95 counts in meets_target, as the searches do
