"""How much grade signal the masks of a patient set hold: its exact masks (no network), or a
checkpoint's E1 masks and E2's answers (--weights).

    PYTHONPATH=. python benchmarks/grade_signal.py --train runs/demo/patients_train \
        --test runs/demo/patients_eval [--size 128] [--steps 2000] [--seed 0 [1 ...]] [--probes ...] \
        [--weights resources/weights/demo_compact.pt --threads 2]

Prints JSON: DESIGN §8 grading reports of a small classifier on left/right mask measures,
trained on --train and scored on --test: in image pixels per photo (`photo_level`), per photo
fused per patient (`photo`, E2's task with perfect parsing) and per patient with the rest
photo (`rest`); in the app's face frame per photo (`frame_photo_level`, `frame_photo`) and
from the measured regions' movements from rest (`frame_rest`); see
models/train/grade_signal.py. Both folders need masks/ for every expression. With several
seeds (the classifier's initialisation), the reports are those of the first and `by_seed`
lists accuracy / kappa / within one of every probe for each. With --weights the masks
measured are the checkpoint's E1's (at its input size; --size is not used) and two more
reports come: `network` (E2's own grade per patient) and `frame_rest_network` (the regions
with E2's fused probabilities beside them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from benchmarks.arg_checks import existing_file, existing_folder  # noqa: E402
from benchmarks.ran_on import ran_on  # noqa: E402
from models.checkpoint import load_checkpoint  # noqa: E402
from models.train.grade_signal import PROBES, grade_signal, load_measures  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = OneLineParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # a bad option is one line
    parser.add_argument("--train", required=True, type=existing_folder, help="patient set (with masks) to fit the classifier on")
    parser.add_argument("--test", required=True, type=existing_folder, help="patient set (with masks) to score it on")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, nargs="+", default=[0], help="classifier seeds (the masks are read once)")
    parser.add_argument("--probes", nargs="+", choices=PROBES, default=None, help="default: every probe the masks allow")
    parser.add_argument("--weights", type=existing_file, default=None, help="measure E1's masks of this checkpoint instead of the sets' masks")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--size", type=int, default=None, help="shrink the masks to this long side first (a network's input size)")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = load_checkpoint(args.weights)[0] if args.weights else None
    train, test = (load_measures(folder, size=args.size, model=model) for folder in (args.train, args.test))
    probes = tuple(args.probes) if args.probes else None
    runs = {seed: grade_signal(train, test, seed=seed, steps=args.steps, probes=probes) for seed in args.seed}
    result = runs[args.seed[0]]
    if len(runs) > 1:
        result["by_seed"] = {
            seed: {name: [None if report[k] is None else round(report[k], 3)
                          for k in ("accuracy", "quadratic_kappa", "within_one")]
                   for name, report in r.items() if isinstance(report, dict) and "accuracy" in report}
            for seed, r in runs.items()
        }
    result["masks"] = f"E1 of {args.weights} at {model.config.input_size} px" if model else "the sets' own"
    result["mask_size"] = model.config.input_size if model else args.size or "as stored"
    result["seconds"] = round(time.monotonic() - t0, 1)
    result["ran_on"] = ran_on(None, None)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
