"""Smoke test of benchmarks/assess.py: it runs and reports every step."""

from __future__ import annotations

import json

from tests.scripts import load_script


def test_benchmark_reports_each_step(capsys) -> None:
    module = load_script("benchmarks/assess.py")
    assert module.main(["--json", "--runs", "1", "--input-size", "64", "--photo-size", "160"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["input_size"] == 64 and report["photos"] == 6
    assert set(report["median_ms"]) == {"load", "crop", "quality", "e1", "e2", "measures", "overlays", "pdf", "total"}
    assert report["median_ms"]["total"] >= report["median_ms"]["e1"] > 0
