"""The store benchmark also times searching by a run of an ID's digits, and finds the patient."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_reports_the_digit_search() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "store.py"), "--json", "--patients", "40",
         "--assessments", "1", "--repeats", "10", "--photos", "0"],
        capture_output=True, text=True, check=True, timeout=60, cwd=REPO,
    ).stdout
    report = json.loads(out)
    assert report["search_id_digits"]["n"] == 10 and report["search_id_digits"]["median_ms"] > 0
    assert report["mean_results"]["id_digits"] >= 1  # each query holds the digits of a stored ID
