"""House-Brackmann calibration of the synthetic patients, measured from the masks.

    python benchmarks/synth_calibration.py [--patients 12] [--size 256]

For each grade, renders neutral photos of several patients and prints the mean (min-max)
ratio of the affected side's movement to the healthy side's for the five movements.
"""

from __future__ import annotations

import argparse

import numpy as np

from models.data.synthetic import make_patient, render_expression
from models.data.synthetic.mask_measures import movement
from models.labels import GRADES

MOVES = ("raise_eyebrows", "close_eyes", "open_mouth", "wrinkle_nose", "puff_cheeks")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=12)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--first-seed", type=int, default=200)
    args = parser.parse_args()
    print("| grade | brow raise | eye closure | commissure | ala lift | cheek extent |")
    print("|---|---|---|---|---|---|")
    for grade in GRADES:
        ratios = []
        for seed in range(args.first_seed, args.first_seed + args.patients):
            side = "none" if grade == "I" else ("left", "right")[seed % 2]
            patient = make_patient(seed, grade, side)
            rest = render_expression(patient, "rest", args.size, neutral=True)[1]
            row = []
            for expression in MOVES:
                moved = render_expression(patient, expression, args.size, neutral=True)[1]
                right, left = movement(rest, moved, expression)
                affected, healthy = (left, right) if side == "left" else (right, left)
                row.append(affected / healthy)
            ratios.append(row)
        r = np.array(ratios)
        cells = [
            f"{m:.2f} ({lo:.2f}–{hi:.2f})"
            for m, lo, hi in zip(r.mean(0), r.min(0), r.max(0), strict=True)
        ]
        print(f"| {grade} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
