"""How much grade signal the exact masks of a patient set hold (no network involved).

    PYTHONPATH=. python benchmarks/grade_signal.py --train runs/demo/patients_train \
        --test runs/demo/patients_eval [--size 128] [--steps 2000] [--seed 0]

Prints JSON: DESIGN §8 grading reports of a small classifier on left/right mask measures,
trained on --train and scored on --test, per photo (`photo_level`), per photo fused per
patient (`photo`, E2's task with perfect parsing) and per patient with the rest photo
(`rest`); see models/train/grade_signal.py. Both folders need masks/ for every expression.
"""

from __future__ import annotations

import argparse
import json
import time

from models.train.grade_signal import grade_signal, load_measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", required=True, help="patient set (with masks) to fit the classifier on")
    parser.add_argument("--test", required=True, help="patient set (with masks) to score it on")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=None, help="shrink the masks to this long side first (a network's input size)")
    args = parser.parse_args()
    t0 = time.monotonic()
    result = grade_signal(load_measures(args.train, size=args.size), load_measures(args.test, size=args.size), seed=args.seed, steps=args.steps)
    result["mask_size"] = args.size or "as stored"
    result["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
