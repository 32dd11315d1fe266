"""The prepared GPU probe of stage 2: does E2 grade better at 256 px than at 128 px?

For a session lent the GPU machine (the `device` tool; 15 minutes of device time, machine
start included), run once:

    run(command="python3 benchmarks/gpu_grading_probe.py --out $OUT", timeout_s=600)

docs/train.md and the model card name E2's 128 px input and its CPU step budget as what
holds the network grade back (0.708 / 0.923 / 0.942 per patient against the targets 0.90 /
0.95 / 0.99). This probe tests that with the demo recipe's own data and start: it renders
the recipe's 600 training patients (seed 1) and 120 held-out patients (seed 900001) in
parallel, then for each size in --sizes trains a fresh E2 (seed 0) on the shipped E1, frozen
(`write_reused_e1`, as the recipe's stage 2 starts), for --minutes (fp32, poly LR from 2e-4,
batch 8, batches drawn ahead on threads) and scores it on the held-out patients like
`palsy evaluate grading`. On the H200 the compact stage 2 ran 60 steps/s at 128 px
(docs/gpu.md), so the default 3.5 minutes are about 1.7x the recipe's 7528 CPU steps.

Prints one JSON object (also OUT/summary.json); each arm's JSON-lines log goes to OUT.
`--device cpu --quick` runs the same plumbing at toy scale in under a minute on a CPU (what the
test suite checks): 12 + 6 patients at 64 px, one arm at 64 px for 0.02 minutes (--sizes and
--minutes, when given, still apply); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ran_on import ran_on  # noqa: E402
from models.data.patients import PatientDataset  # noqa: E402
from models.data.synthetic.dataset import write_patient_dataset  # noqa: E402
from models.resources import default_weights_path  # noqa: E402
from models.train.comparison import brief, compare_run  # noqa: E402
from models.train.demo import DemoRecipe  # noqa: E402
from models.train.loop import LoopSettings, resolve_device  # noqa: E402
from models.train.machine import describe_machine  # noqa: E402
from models.train.resize import write_reused_e1  # noqa: E402

# The real probe, and --quick's toy scale (under a minute on a 2-core CPU: what the test suite runs).
SIZES, MINUTES = "128,256", 3.5
QUICK_SIZES, QUICK_MINUTES = "64", 0.02


def render_sets(work: Path, quick: bool) -> tuple[Path, Path, dict]:
    """The demo recipe's training and held-out patients (toy counts and size with `quick`)."""
    recipe = DemoRecipe()
    plans = ((work / "train", 12 if quick else recipe.train_patients, recipe.train_seed),
             (work / "eval", 6 if quick else recipe.eval_patients, recipe.eval_seed))
    workers = max(1, min(os.cpu_count() or 1, 16))
    timings = {}
    for folder, count, seed in plans:
        start = time.monotonic()
        write_patient_dataset(folder, count, seed, size=64 if quick else 256, workers=workers)
        timings[folder.name] = {"patients": count, "seed": seed, "seconds": round(time.monotonic() - start, 1)}
    return plans[0][0], plans[1][0], timings


def probe_size(size: int, train_dir: Path, eval_dir: Path, e1: Path, minutes: float, device: torch.device,
               work: Path, out: Path) -> dict:
    """One arm: a fresh E2 at `size` px on the frozen E1 of `e1`, trained and scored."""
    start = work / f"start_{size}.pt"
    write_reused_e1(start, e1, size, seed=0)
    settings = LoopSettings(stage="grading", minutes=minutes, lr=2e-4, seed=0, precision="fp32")
    ids = PatientDataset(train_dir).patient_ids("all")
    result = compare_run(train_dir, eval_dir, work / f"e2_{size}.pt", settings, device, cascaded=True, patient_ids=ids,
                         init=start, input_size=size, log_path=out / f"e2_{size}.jsonl")
    return {"size": size, "steps": result["steps"], "elapsed_s": result["elapsed_s"],
            "steps_per_s": round(result["steps"] / max(result["elapsed_s"], 1e-9), 2),
            **brief(result["patient_level"]), "photo_accuracy": brief(result["photo_level"])["accuracy"]}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT") or "gpu_grading_probe_out"))
    parser.add_argument("--sizes", default=None, help="E2 input sizes to compare (multiples of 32; default 128,256, "
                        "with --quick 64)")
    parser.add_argument("--minutes", type=float, default=None, help="training wall clock per size (default 3.5, "
                        "with --quick 0.02)")
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu", "auto"))
    parser.add_argument("--e1", type=Path, default=default_weights_path(), help="checkpoint whose E1 stays frozen")
    parser.add_argument("--quick", action="store_true", help="toy scale (a check of this script)")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else SIZES
    if args.minutes is None:
        args.minutes = QUICK_MINUTES if args.quick else MINUTES
    device = resolve_device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict = {"benchmark": "gpu_grading_probe", "machine": describe_machine(device), "minutes": args.minutes,
                     "e1": str(args.e1), "quick": args.quick, "ran_on": ran_on(None, None), "arms": []}
    with tempfile.TemporaryDirectory(prefix="palsy_probe_") as tmp:
        work = Path(tmp)
        train_dir, eval_dir, summary["render"] = render_sets(work, args.quick)
        for size in (int(s) for s in args.sizes.split(",")):
            summary["arms"].append(probe_size(size, train_dir, eval_dir, args.e1, args.minutes, device, work, args.out))
            (args.out / "summary.json").write_text(json.dumps(summary, indent=1))  # kept if a later arm is cut off
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    main()
