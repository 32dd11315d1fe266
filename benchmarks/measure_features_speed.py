"""Speed of reading the measured quantities from canonical masks (`features()` of
models/pipeline/measures.py), on synthetic patients' exact masks warped into the face frame as
`measure_function` warps them.

    python benchmarks/measure_features_speed.py [--patients 5] [--rounds 5] [--json]

Each round reads every mask once (six per patient); the figures are per mask: the median over
the rounds of the round's mean wall time, and the same for the CPU time of this process (the
better figure on a machine shared with other jobs). `labelled_share` is the mean share of the
canvas that the box around a mask's labelled pixels covers. `--json` prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands import arg_types  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402

WARMUP = 1


def canonical_masks(patients: int, size: int) -> list[tuple[object, float]]:
    """(canonical mask, scale) of every expression of `patients` synthetic patients."""
    from models.data.synthetic import make_patient, render_patient
    from models.pipeline.measures import canvas_scale, face_frame, to_canonical

    out = []
    for seed in range(patients):
        masks = {e: mask for e, (_, mask) in render_patient(make_patient(seed), size=size, frame_seed=0).items()}
        rest = face_frame(masks["rest"])
        for expression, mask in masks.items():
            frame = rest if expression == "rest" else face_frame(mask, fallback=rest)
            out.append((to_canonical(mask, frame), canvas_scale(frame)))
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=arg_types.count, default=5, help="patients, six masks each (default 5)")
    parser.add_argument("--size", type=arg_types.count, default=256, help="rendered photo side in px (default 256)")
    parser.add_argument("--rounds", type=arg_types.count, default=5, help="timed rounds over all masks (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)

    import numpy as np

    from models.pipeline.measures import BG, features

    masks = canonical_masks(args.patients, args.size)
    share = []
    for canon, _ in masks:
        ys, xs = np.nonzero(canon != BG)
        share.append(0.0 if not len(ys) else (np.ptp(ys) + 1) * (np.ptp(xs) + 1) / canon.size)
    load_at_start = load_average()
    wall, cpu = [], []
    for round_ in range(WARMUP + args.rounds):
        w0, c0 = time.perf_counter(), time.process_time()
        for canon, scale in masks:
            features(canon, scale=scale)
        if round_ >= WARMUP:
            wall.append((time.perf_counter() - w0) / len(masks))
            cpu.append((time.process_time() - c0) / len(masks))
    report = {
        "benchmark": "measure_features_speed", "size": args.size, "masks": len(masks),
        "labelled_share": round(float(np.mean(share)), 3),
        "median_wall_ms": round(1000 * statistics.median(wall), 2),
        "median_cpu_ms": round(1000 * statistics.median(cpu), 2),
        "ran_on": ran_on(args.rounds, WARMUP, load_at_start),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['masks']} canonical masks: median wall {report['median_wall_ms']:.2f} ms, "
              f"median CPU {report['median_cpu_ms']:.2f} ms per features() call")
    return report


if __name__ == "__main__":
    main()
