"""The `records check` benchmark runs end to end on a small folder and reports what it measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_benchmark_prints_the_checks_memory_time_and_output_hash(tmp_path: Path) -> None:
    def run() -> dict:
        out = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / "records_check.py"), "--json", "--patients", "60",
             "--visits", "2", "--data", str(tmp_path / "data")],
            capture_output=True, text=True, check=True, timeout=120, cwd=REPO,
        ).stdout
        return json.loads(out)

    first, again = run(), run()  # built, then reused
    assert first["data"]["patients"] == 60 and first["data"]["assessments"] == 120 and first["data"]["audit"] > 600
    assert first["build_s"] is not None and again["build_s"] is None
    for key in ("check", "check_json"):
        assert first[key]["exit"] == 1 and first[key]["wall_s"] > 0 and first[key]["max_rss_mb"] > 0
        assert first[key]["output_sha256"] == again[key]["output_sha256"]  # a name edited by hand, reported
    assert first["check_empty_folder"]["exit"] == 0
