"""benchmarks/gpu_grading_probe.py, the prepared stage-2 probe for a GPU: its plumbing on the CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scripts import load_script

pytestmark = pytest.mark.usefixtures("one_thread")


def test_quick_cpu_probe_renders_trains_each_size_and_scores_it(tmp_path: Path, capsys) -> None:
    module = load_script("benchmarks/gpu_grading_probe.py")
    out = tmp_path / "out"
    summary = module.main(["--device", "cpu", "--quick", "--sizes", "64", "--minutes", "0.02", "--out", str(out)])
    assert json.loads(capsys.readouterr().out) == summary == json.loads((out / "summary.json").read_text())
    assert summary["render"]["train"] == {"patients": 12, "seed": 1, "seconds": summary["render"]["train"]["seconds"]}
    assert summary["render"]["eval"]["seed"] == 900001
    (arm,) = summary["arms"]
    assert arm["size"] == 64 and arm["steps"] >= 1 and 0.0 <= arm["accuracy"] <= 1.0
    assert sum(map(sum, arm["confusion"])) == 6  # every held-out patient scored once
    log = [json.loads(line) for line in (out / "e2_64.jsonl").read_text().splitlines()]
    assert log[-1]["event"] == "end" and log[-1]["steps"] == arm["steps"]
