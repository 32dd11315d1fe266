"""House-Brackmann calibration of the synthetic patients, measured from the masks.

    python benchmarks/synth_calibration.py [--patients 12] [--size 256] [--first-seed 200] [--json]

For each grade, renders neutral photos of several patients and prints the mean (min-max)
ratio of the affected side's movement to the healthy side's for the five movements, as a
Markdown table (docs/synth.md) or, with `--json`, as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands import arg_types  # noqa: E402
from benchmarks.ran_on import ran_on  # noqa: E402
from models.data.synthetic import make_patient, render_expression  # noqa: E402
from models.data.synthetic.mask_measures import movement  # noqa: E402
from models.labels import GRADES  # noqa: E402

MOVES = ("raise_eyebrows", "close_eyes", "open_mouth", "wrinkle_nose", "puff_cheeks")
HEADERS = ("brow raise", "eye closure", "commissure", "ala lift", "cheek extent")



def grade_ratios(grade: str, seeds: range, size: int) -> np.ndarray:
    """Affected over healthy movement, one row per patient, one column per movement in MOVES."""
    ratios = []
    for seed in seeds:
        side = "none" if grade == "I" else ("left", "right")[seed % 2]
        patient = make_patient(seed, grade, side)
        rest = render_expression(patient, "rest", size, neutral=True)[1]
        row = []
        for expression in MOVES:
            moved = render_expression(patient, expression, size, neutral=True)[1]
            right, left = movement(rest, moved, expression)
            affected, healthy = (left, right) if side == "left" else (right, left)
            row.append(affected / healthy)
        ratios.append(row)
    return np.array(ratios)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=arg_types.count, default=12, help="patients per grade (default 12)")
    parser.add_argument("--size", type=arg_types.count, default=256, help="photo side in px (default 256)")
    parser.add_argument("--first-seed", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.patients)
    report: dict = {"benchmark": "synth_calibration", "patients": args.patients, "size": args.size,
                    "first_seed": args.first_seed, "ratio": "affected over healthy movement", "grades": {}}
    if not args.json:
        print("| grade | " + " | ".join(HEADERS) + " |")
        print("|---|---|---|---|---|---|")
    for grade in GRADES:
        r = grade_ratios(grade, seeds, args.size)
        report["grades"][grade] = {
            move: {"mean": round(float(m), 3), "min": round(float(lo), 3), "max": round(float(hi), 3)}
            for move, m, lo, hi in zip(MOVES, r.mean(0), r.min(0), r.max(0), strict=True)
        }
        if not args.json:
            cells = [f"{m:.2f} ({lo:.2f}–{hi:.2f})" for m, lo, hi in zip(r.mean(0), r.min(0), r.max(0), strict=True)]
            print(f"| {grade} | " + " | ".join(cells) + " |", flush=True)
    report["ran_on"] = ran_on(None, None)
    if args.json:
        print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
