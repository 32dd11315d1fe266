"""benchmarks/device_check.py, the prepared GPU run: its plumbing, checked on the CPU."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def check():
    return load_script("benchmarks/device_check.py")


def test_full_plan_times_the_paper_config_on_cuda(check, tmp_path: Path) -> None:
    steps = {name: argv for name, argv, _ in check.plan("cuda", quick=False, work=tmp_path)}
    assert {"env", "latency_bf16", "step_paper_parsing_512_bf16", "step_paper_grading_512_bf16",
            "synth", "loop_paper_end_to_end", "loop_compact_stage2"} <= set(steps)
    loop = steps["loop_paper_end_to_end"]
    assert loop[loop.index("--config") + 1] == "paper" and loop[loop.index("--device") + 1] == "cuda"
    # the compact stage 2 once with batches drawn ahead (the GPU default) and once without
    inline = steps["loop_compact_stage2_inline"]
    assert "--loader-threads" not in steps["loop_compact_stage2"] and inline[inline.index("--loader-threads") + 1] == "0"
    # every loop logs where run_step looks for its end record
    for name, argv in steps.items():
        if name.startswith("loop_"):
            assert argv[argv.index("--log") + 1] == str(tmp_path / f"{name}.jsonl")


def test_quick_cpu_run_renders_trains_and_summarises(check, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = check.main(["--device", "cpu", "--quick", "--out", str(out), "--only", "env,synth,loop_compact_end_to_end"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0, summary
    assert summary == json.loads((out / "summary.json").read_text())
    steps = summary["steps"]
    assert list(steps) == ["env", "synth", "loop_compact_end_to_end"]
    assert steps["env"]["result"]["cuda_available"] in (True, False)
    loop = steps["loop_compact_end_to_end"]["loop"]
    assert loop["event"] == "end" and loop["steps"] >= 1 and loop["steps_per_s"] > 0
    assert (out / "synth.txt").is_file() and (out / "loop_compact_end_to_end.txt").is_file()


def test_failed_and_timed_out_steps_are_recorded_and_the_run_goes_on(check, tmp_path: Path) -> None:
    failed = check.run_step("fails", [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], 30, tmp_path, tmp_path)
    assert failed["status"] == "exit 3" and failed["tail"] == ["boom"]
    slow = check.run_step("slow", [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(30)"],
                          1.0, tmp_path, tmp_path)
    assert slow["status"] == "timed out after 1 s" and slow["wall_s"] < 20
    assert check.loop_result(tmp_path / "loop_missing.jsonl") is None


def test_steps_that_no_longer_fit_the_budget_are_skipped(check, tmp_path: Path, capsys) -> None:
    code = check.main(["--device", "cpu", "--quick", "--out", str(tmp_path), "--only", "env,synth", "--budget-s", "5"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["budget_s"] == 5
    assert summary["steps"] == {"env": {"status": "skipped: budget spent"}, "synth": {"status": "skipped: budget spent"}}


def test_last_json_and_loop_result(check, tmp_path: Path) -> None:
    assert check.last_json('noise\n{"a": 1}\n[1, 2]\ntrailing text') == {"a": 1}
    assert check.last_json("no json here") is None
    log = tmp_path / "loop.jsonl"
    log.write_text('{"step": 10, "loss": 1.7}\n{"event": "end", "stage": "x", "steps": 30, "elapsed_s": 12.0}\n')
    assert check.loop_result(log) == {"event": "end", "stage": "x", "steps": 30, "elapsed_s": 12.0, "steps_per_s": 2.5}
