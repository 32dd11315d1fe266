"""How much grade signal the exact masks of a patient set hold (no network involved).

    PYTHONPATH=. python benchmarks/grade_signal.py --train runs/demo/patients_train \
        --test runs/demo/patients_eval [--size 128] [--steps 2000] [--seed 0 [1 ...]] [--probes ...]

Prints JSON: DESIGN §8 grading reports of a small classifier on left/right mask measures,
trained on --train and scored on --test: in image pixels per photo (`photo_level`), per photo
fused per patient (`photo`, E2's task with perfect parsing) and per patient with the rest
photo (`rest`); in the app's face frame per photo (`frame_photo_level`, `frame_photo`) and
from the measured regions' movements from rest (`frame_rest`); see
models/train/grade_signal.py. Both folders need masks/ for every expression. With several
seeds (the classifier's initialisation), the reports are those of the first and `by_seed`
lists accuracy / kappa / within one of every probe for each.
"""

from __future__ import annotations

import argparse
import json
import time

from models.train.grade_signal import PROBES, grade_signal, load_measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", required=True, help="patient set (with masks) to fit the classifier on")
    parser.add_argument("--test", required=True, help="patient set (with masks) to score it on")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, nargs="+", default=[0], help="classifier seeds (the masks are read once)")
    parser.add_argument("--probes", nargs="+", choices=PROBES, default=list(PROBES))
    parser.add_argument("--size", type=int, default=None, help="shrink the masks to this long side first (a network's input size)")
    args = parser.parse_args()
    t0 = time.monotonic()
    train, test = load_measures(args.train, size=args.size), load_measures(args.test, size=args.size)
    runs = {seed: grade_signal(train, test, seed=seed, steps=args.steps, probes=tuple(args.probes)) for seed in args.seed}
    result = runs[args.seed[0]]
    if len(runs) > 1:
        result["by_seed"] = {
            seed: {probe: [round(r[probe][k], 3) for k in ("accuracy", "quadratic_kappa", "within_one")] for probe in args.probes}
            for seed, r in runs.items()
        }
    result["mask_size"] = args.size or "as stored"
    result["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
