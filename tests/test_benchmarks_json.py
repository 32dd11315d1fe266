"""The benchmarks print JSON (README, Layout): the synthetic-patient ones with --json, in their
quickest mode; train_step_time refuses a step count that leaves nothing to time."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import torch

from tests.scripts import load_script

QUICKEST = {
    "benchmarks/synth_speed.py": ["--patients", "1", "--size", "64"],
    "benchmarks/synth_haar.py": ["--patients", "1"],
    "benchmarks/synth_calibration.py": ["--patients", "1", "--size", "128"],
}


@pytest.fixture()
def torch_threads() -> Iterator[None]:
    """train_step_time sets torch's thread count for the process: put it back."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("script", sorted(QUICKEST))
def test_synth_benchmark_prints_one_json_object(script: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = load_script(script).main([*QUICKEST[script], "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == report and printed["benchmark"] == script.split("/")[1].removesuffix(".py")


def test_synth_benchmarks_json_holds_their_figures(capsys: pytest.CaptureFixture[str]) -> None:
    speed = load_script("benchmarks/synth_speed.py").main([*QUICKEST["benchmarks/synth_speed.py"], "--json"])
    assert speed["photos"] == 6 and speed["median_wall_ms"] > 0 and speed["median_cpu_ms"] >= 0
    haar = load_script("benchmarks/synth_haar.py").main([*QUICKEST["benchmarks/synth_haar.py"], "--json"])
    assert haar["photos"] == 6 and 0 <= haar["one_face"] <= 6 and haar["rate"] == round(haar["one_face"] / 6, 3)
    calibration = load_script("benchmarks/synth_calibration.py").main([*QUICKEST["benchmarks/synth_calibration.py"], "--json"])
    assert list(calibration["grades"]) == ["I", "II", "III", "IV", "V", "VI"]
    brow = calibration["grades"]["I"]["raise_eyebrows"]
    assert brow["min"] <= brow["mean"] <= brow["max"]
    assert calibration["grades"]["VI"]["raise_eyebrows"]["mean"] < calibration["grades"]["I"]["raise_eyebrows"]["mean"]
    capsys.readouterr()


def test_synth_benchmark_refuses_zero_patients(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        load_script("benchmarks/synth_haar.py").main(["--patients", "0"])
    assert exc.value.code == 2 and "give 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize("steps", ["2", "0", "-1"])
def test_train_step_time_needs_a_timed_step(steps: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        load_script("benchmarks/train_step_time.py").main(["--steps", steps])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "give at least 3" in err and "Traceback" not in err


def test_train_step_time_with_three_steps_times_one(torch_threads: None, capsys: pytest.CaptureFixture[str]) -> None:
    load_script("benchmarks/train_step_time.py").main(["--steps", "3", "--size", "32", "--batch", "2"])
    report = json.loads(capsys.readouterr().out)
    assert report["steps_timed"] == 1 and report["median_s_per_step"] > 0


@pytest.mark.parametrize("stage", ["grading", "grading_cached"])
def test_train_step_time_resolves_auto_as_training_does(stage: str, torch_threads: None, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import models.train.precision as precision

    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)  # "auto" would be bf16 for stage 1 here
    load_script("benchmarks/train_step_time.py").main(["--stage", stage, "--precision", "auto", "--steps", "3",
                                                       "--size", "32", "--batch", "2"])
    report = json.loads(capsys.readouterr().out)
    assert report["precision"] == precision.resolve_precision("auto", torch.device("cpu"), grading=True) == "fp32"


MISTAKES = [
    ("benchmarks/assess.py", ["--json", "--weights", "{missing}.pt"], "argument --weights: {missing}.pt: no such file"),
    ("benchmarks/assess.py", ["--json", "--runs", "0"], "argument --runs: give 1 or more, got 0"),
    ("benchmarks/rest_photo_effect.py", ["--data", "{missing}"], "argument --data: {missing}: no such folder"),
    ("benchmarks/grade_signal.py", ["--train", "{missing}", "--test", "{missing}"], "argument --train: {missing}: no such folder"),
    ("benchmarks/store.py", ["--json", "--repeats", "0"], "argument --repeats: give 1 or more, got 0"),
    ("benchmarks/batch_speed.py", ["--repeats", "0"], "argument --repeats: give 1 or more, got 0"),
]


@pytest.mark.parametrize("script, argv, words", MISTAKES)
def test_a_missing_input_or_no_runs_is_one_line(script: str, argv: list[str], words: str, tmp_path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "missing")
    with pytest.raises(SystemExit) as exc:
        load_script(script).main([a.format(missing=missing) for a in argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert words.format(missing=missing) in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["benchmarks/gui.py", "--json", "--runs", "0", "--launch-only"],
                                  ["benchmarks/fasseg_poses.py", "--weights", "missing.pt"]])
def test_a_benchmark_run_with_a_mistake_exits_2_without_a_traceback(argv: list[str]) -> None:
    import subprocess
    import sys

    from tests.scripts import ROOT

    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "error: argument" in done.stderr


RAN_ON = {"machine", "cpus", "torch", "torch_threads", "python", "load_average_1min_at_start", "load_average_1min",
          "repeats", "warmup"}


def test_each_report_says_what_ran_where(torch_threads: None, capsys: pytest.CaptureFixture[str]) -> None:
    """A timing is comparable only with its machine, torch, threads, load and repetitions."""
    speed = load_script("benchmarks/synth_speed.py").main([*QUICKEST["benchmarks/synth_speed.py"], "--json"])
    assert set(speed["ran_on"]) == RAN_ON
    assert speed["ran_on"]["repeats"] == speed["photos"] == 6 and speed["ran_on"]["warmup"] == 1
    assert speed["ran_on"]["torch"] == torch.__version__ and speed["ran_on"]["cpus"] >= 1
    assert speed["ran_on"]["machine"] not in ("", "x86_64")  # the CPU's model, not its architecture
    haar = load_script("benchmarks/synth_haar.py").main([*QUICKEST["benchmarks/synth_haar.py"], "--json"])
    assert set(haar["ran_on"]) == RAN_ON and haar["ran_on"]["repeats"] is None  # it times nothing
    capsys.readouterr()
    load_script("benchmarks/train_step_time.py").main(["--steps", "4", "--size", "32", "--batch", "2", "--threads", "1"])
    step = json.loads(capsys.readouterr().out)["ran_on"]
    assert (step["repeats"], step["warmup"], step["torch_threads"]) == (2, 2, 1)


def test_latency_reports_cpu_time_repeats_and_warm_up(capsys: pytest.CaptureFixture[str]) -> None:
    load_script("benchmarks/latency.py").main(["--json", "--quick", "--repeats", "1"])
    report = json.loads(capsys.readouterr().out)
    assert set(report["ran_on"]) == RAN_ON and (report["ran_on"]["repeats"], report["ran_on"]["warmup"]) == (1, 2)
    assert all(report["compact"][f"{part}_{unit}"] > 0 for part in ("e1", "e2", "cascade") for unit in ("ms", "cpu_ms"))


def test_latency_times_the_networks_it_compares_in_turn() -> None:
    """A, B, A, B...: a change of load falls on both sides of a ratio, and warm-up rounds are not counted."""
    calls: list[str] = []
    module = load_script("benchmarks/latency.py")
    times = module.time_interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3,
                                    torch.device("cpu"))
    assert calls == ["a", "b"] * (module.WARMUP + 3)
    assert set(times) == {"a", "b"} and set(times["a"]) == {"ms", "cpu_ms"}


def test_batch_speed_warms_up_and_repeats_each_prefetch_rate(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """One untimed round first, then the thread counts in turn: once each and cold, inline drawing
    read anywhere from 1.2x to 11x slower than one thread."""
    module = load_script("benchmarks/batch_speed.py")
    asked: list[int] = []
    monkeypatch.setattr(module, "_prefetch_rate", lambda batcher, threads, batches: asked.append(threads) or 10.0 + len(asked))
    result = module.main(["--sizes", "32", "--threads", "0,1", "--patients", "1", "--repeats", "2", "--batches", "2",
                          "--batch", "2", "--rounds", "3"])
    capsys.readouterr()
    assert asked == [0, 1] + [0, 1] * 3  # the first two are the warm-up
    assert result["prefetch_batches_per_s"]["0"] == 15.0 and result["prefetch_min_max"]["0"] == [13.0, 17.0]
    assert result["prefetch_rounds"] == 3 and set(result["ran_on"]) == RAN_ON and result["ran_on"]["warmup"] == 1


def test_batch_speed_refuses_a_thread_count_given_twice(capsys: pytest.CaptureFixture[str]) -> None:
    """Its second figure silently replaced the first in the report."""
    with pytest.raises(SystemExit) as exc:
        load_script("benchmarks/batch_speed.py").main(["--threads", "0,1,0"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--threads: 0 given twice" in err and len(err.strip().splitlines()) == 1


def test_latency_times_a_checkpoint_as_the_app_runs_it(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """The app parses and grades each photo and its mirror: per photo, more than one forward pass."""
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint
    from models.config import get_config

    weights = tmp_path / "tiny.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), weights, training={"note": "untrained"})
    load_script("benchmarks/latency.py").main(["--json", "--quick", "--repeats", "1", "--weights", str(weights)])
    timed = json.loads(capsys.readouterr().out)["weights"]
    assert timed["weights"] == "tiny.pt" and timed["input"] == 64
    assert timed["predict_gmac"] > 1.5 * timed["forward_gmac"] and timed["predict_ms"] > 0
