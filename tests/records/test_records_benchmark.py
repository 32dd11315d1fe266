"""The store benchmark runs end to end on a tiny database and reports what it measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_prints_json_with_latencies() -> None:
    out = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "store.py"), "--json", "--patients", "40",
         "--assessments", "2", "--repeats", "10", "--photos", "14"],
        capture_output=True, text=True, check=True, timeout=60, cwd=REPO,
    ).stdout
    report = json.loads(out)
    assert (report["patients"], report["assessments_per_patient"]) == (40, 2)
    for key in ("search_id_prefix", "search_name_prefix", "history"):
        assert report[key]["n"] == 10
        assert 0 < report[key]["median_ms"] <= report[key]["p95_ms"] <= report[key]["max_ms"]
    assert 2 <= report["mean_results"]["history"] <= 3  # 2, and a draft for 3 of the 40 patients
    assert report["photos"] == 14 and report["open_store"]["n"] == 3 and report["open_store"]["median_ms"] > 0
    assert report["mean_results"]["id_prefix"] >= 1 and report["mean_results"]["name_prefix"] >= 1
