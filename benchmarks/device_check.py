"""The prepared GPU check: one call that times the paper configuration on a CUDA machine.

For a session lent the GPU machine (the `device` tool), whose device time is short (15
minutes, machine start included): send the working tree and run this once, e.g.

    run(command="python3 benchmarks/device_check.py --out $OUT", timeout_s=600)

The run keeps to `--budget-s` (default 540 s, inside one call's 10 minutes): each step's
time limit is cut to what is left, and steps that no longer fit are skipped, so the summary
is always written. It needs only what that machine's Python already holds (torch, torchvision, numpy,
opencv-python-headless, pillow; no Qt, no `../shared` data). Each step is a subprocess with
its own time limit; one that fails or runs out of time is recorded and the next one runs.
Each step's output is written to OUT/<step>.txt and one JSON summary is printed (and
written to OUT/summary.json):

- `env`: torch version, GPU name and memory.
- `latency_bf16`, `latency_fp32`: `benchmarks/latency.py` (batch 1, paper at 512 px,
  compact at 256, DeepLabV3-ResNet101 at 512).
- `step_*`: `benchmarks/train_step_time.py` on random tensors: the paper config's stage-1
  and stage-2 steps at 512 px, and the CPU recipe's compact steps for comparison.
- `synth`, `loop_*`: real training loops (`palsy train`) for a fixed number of minutes on
  freshly rendered synthetic patients, their step counts read from the JSON-lines logs:
  the paper config end to end at 512 px, and the compact stage 2 as the demo recipe runs it
  (shipped E1 frozen), with batches drawn ahead on threads (`--loader-threads`, default on a
  GPU) and, `loop_compact_stage2_inline`, without (drawn in the loop's thread). Against the
  `step_*` figures these say how much the data pipeline (augmentation on the CPU) holds the
  GPU back.

`--device cpu --quick` runs the same plumbing on the CPU with tiny budgets and the compact
config only (what the test suite checks); its timings mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.ran_on import load_average, ran_on  # noqa: E402

SHIPPED = REPO / "resources" / "weights" / "demo_compact.pt"
MIN_STEP_S = 15.0  # a step is not started with less time than this left in the budget

ENV_CODE = """
import json, torch
info = {"torch": torch.__version__, "cuda_available": torch.cuda.is_available()}
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    info.update(gpu=p.name, memory_gib=round(p.total_memory / 2**30, 1), capability=f"{p.major}.{p.minor}",
                bf16=torch.cuda.is_bf16_supported())
print(json.dumps(info))
"""


def plan(device: str, quick: bool, work: Path) -> list[tuple[str, list[str], float]]:
    """(name, argv, time limit in s) of each step, in order."""
    py = sys.executable
    bench = str(REPO / "benchmarks")
    patients = str(work / "patients")

    def step_time(config: str, stage: str, size: int, batch: int, precision: str) -> list[str]:
        return [py, f"{bench}/train_step_time.py", "--device", device, "--config", config, "--stage", stage,
                "--size", str(size), "--batch", str(batch), "--precision", precision, "--steps", "4" if quick else "22",
                "--threads", str(os.cpu_count() or 1)]

    palsy = [py, "-m", "app"]
    if quick:
        return [
            ("env", [py, "-c", ENV_CODE], 60),
            ("latency_fp32", [py, f"{bench}/latency.py", "--json", "--device", device, "--quick", "--repeats", "1"], 120),
            ("step_compact_parsing", step_time("compact", "parsing", 64, 2, "fp32"), 120),
            ("synth", palsy + ["synth", "--out", patients, "--patients", "6", "--seed", "1", "--size", "128"], 120),
            ("loop_compact_end_to_end", palsy + ["train", "end-to-end", "--data", patients, "--input-size", "64",
                                                 "--minutes", "0.05", "--device", device, "--batch-size", "2",
                                                 "--out", str(work / "e2e.pt"), "--log", str(work / "loop_compact_end_to_end.jsonl")], 180),
        ]
    loop_minutes = "1.0"
    return [
        ("env", [py, "-c", ENV_CODE], 60),
        ("latency_bf16", [py, f"{bench}/latency.py", "--json", "--device", device, "--dtype", "bf16", "--repeats", "20"], 120),
        ("latency_fp32", [py, f"{bench}/latency.py", "--json", "--device", device, "--dtype", "fp32", "--repeats", "20"], 120),
        ("step_paper_parsing_512_bf16", step_time("paper", "parsing", 512, 8, "bf16"), 90),
        ("step_paper_grading_512_bf16", step_time("paper", "grading", 512, 8, "bf16"), 90),
        ("step_paper_grading_512_fp32", step_time("paper", "grading", 512, 8, "fp32"), 90),
        ("step_compact_parsing_256_bf16", step_time("compact", "parsing", 256, 32, "bf16"), 60),
        ("step_compact_grading_128_fp32", step_time("compact", "grading", 128, 8, "fp32"), 60),
        ("synth", palsy + ["synth", "--out", patients, "--patients", "60", "--seed", "1", "--size", "512"], 120),
        ("loop_paper_end_to_end", palsy + ["train", "end-to-end", "--data", patients, "--config", "paper",
                                           "--input-size", "512", "--minutes", loop_minutes, "--device", device,
                                           "--precision", "bf16", "--out", str(work / "paper_e2e.pt"),
                                           "--log", str(work / "loop_paper_end_to_end.jsonl")], 240),
        ("loop_compact_stage2", palsy + ["train", "grading", "--data", patients, "--init", str(SHIPPED),
                                         "--minutes", loop_minutes, "--device", device, "--out", str(work / "stage2.pt"),
                                         "--log", str(work / "loop_compact_stage2.jsonl")], 240),
        ("loop_compact_stage2_inline", palsy + ["train", "grading", "--data", patients, "--init", str(SHIPPED),
                                                "--minutes", loop_minutes, "--device", device, "--loader-threads", "0",
                                                "--out", str(work / "stage2_inline.pt"),
                                                "--log", str(work / "loop_compact_stage2_inline.jsonl")], 240),
    ]


def last_json(text: str) -> dict | None:
    """The last line of `text` that parses as a JSON object."""
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def loop_result(log: Path) -> dict | None:
    """Steps, time and steps per second of a training loop, from its JSON-lines log."""
    if not log.is_file():
        return None
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    end = next((r for r in reversed(records) if r.get("event") == "end"), None)
    if end is None:
        return None
    return {**end, "steps_per_s": round(end["steps"] / max(end["elapsed_s"], 1e-9), 2)}


def run_step(name: str, argv: list[str], limit: float, out: Path, work: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=limit)
        status, text = ("ok" if done.returncode == 0 else f"exit {done.returncode}"), done.stdout + done.stderr
    except subprocess.TimeoutExpired as expired:
        status = f"timed out after {limit:.0f} s"
        text = "".join(part.decode() if isinstance(part, bytes) else (part or "") for part in (expired.stdout, expired.stderr))
    (out / f"{name}.txt").write_text(text)
    result: dict = {"status": status, "wall_s": round(time.monotonic() - start, 1)}
    if name.startswith("loop_"):
        result["loop"] = loop_result(work / f"{name}.jsonl")
    else:
        result["result"] = last_json(text)
    if status != "ok":
        result["tail"] = text.strip().splitlines()[-3:]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or "device_check_out"),
                        help="folder for the summary and each step's output (default $OUT)")
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny budgets, compact only (a check of this script)")
    parser.add_argument("--only", default="", help="comma-separated step names to run (default all)")
    parser.add_argument("--budget-s", type=float, default=540.0, help="wall-clock budget of the whole run (s)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    chosen = {s for s in args.only.split(",") if s}
    load_at_start = load_average()
    summary: dict = {"device": args.device, "quick": args.quick, "budget_s": args.budget_s, "steps": {}}
    deadline = time.monotonic() + args.budget_s
    with tempfile.TemporaryDirectory(prefix="palsy_device_") as tmp:
        work = Path(tmp)
        for name, step_argv, limit in plan(args.device, args.quick, work):
            if chosen and name not in chosen:
                continue
            left = deadline - time.monotonic()
            if left < MIN_STEP_S:
                summary["steps"][name] = {"status": "skipped: budget spent"}
            else:
                summary["steps"][name] = run_step(name, step_argv, min(limit, left), args.out, work)
            print(f"[device_check] {name}: {summary['steps'][name]['status']}", file=sys.stderr, flush=True)
    summary["ran_on"] = ran_on(None, None, load_at_start)  # each step's own JSON names its repeats
    text = json.dumps(summary, indent=1)
    (args.out / "summary.json").write_text(text)
    print(text)
    return 0 if all(s["status"] == "ok" for s in summary["steps"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
