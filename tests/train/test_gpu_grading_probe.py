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
    summary = module.main(["--device", "cpu", "--quick", "--out", str(out)])  # --quick: one 64-px arm, 0.02 minutes
    assert json.loads(capsys.readouterr().out) == summary == json.loads((out / "summary.json").read_text())
    assert summary["render"]["train"] == {"patients": 12, "seed": 1, "seconds": summary["render"]["train"]["seconds"]}
    assert summary["render"]["eval"]["seed"] == 900001
    assert summary["minutes"] == 0.02
    (arm,) = summary["arms"]
    assert arm["size"] == 64 and arm["steps"] >= 1 and 0.0 <= arm["accuracy"] <= 1.0
    assert sum(map(sum, arm["confusion"])) == 6  # every held-out patient scored once
    log = [json.loads(line) for line in (out / "e2_64.jsonl").read_text().splitlines()]
    assert log[-1]["event"] == "end" and log[-1]["steps"] == arm["steps"]


def test_quick_keeps_sizes_and_minutes_given_explicitly(tmp_path: Path, monkeypatch, capsys) -> None:
    module = load_script("benchmarks/gpu_grading_probe.py")
    seen = []
    monkeypatch.setattr(module, "render_sets", lambda work, quick: (work, work, {}))
    monkeypatch.setattr(module, "probe_size", lambda size, *a: seen.append((size, a[3])) or {"size": size})
    summary = module.main(["--device", "cpu", "--quick", "--sizes", "32,96", "--minutes", "0.5", "--out", str(tmp_path)])
    assert seen == [(32, 0.5), (96, 0.5)] and summary["minutes"] == 0.5
    seen.clear()
    module.main(["--device", "cpu", "--out", str(tmp_path)])  # without --quick: the real probe's scale
    assert seen == [(128, 3.5), (256, 3.5)]
