"""Rendering speed of the synthetic patient generator.

    python benchmarks/synth_speed.py [--size 256] [--patients 12]

Prints the median wall time and the median CPU time (this process) per photo; the CPU
time is the better figure on a machine shared with other jobs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from models.data.synthetic import make_patient, render_expression
from models.labels import EXPRESSIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--patients", type=int, default=12)
    args = parser.parse_args()
    render_expression(make_patient(0), "rest", args.size)  # warm-up (noise bank, imports)
    wall, cpu = [], []
    for seed in range(args.patients):
        patient = make_patient(1000 + seed)
        for frame, expression in enumerate(EXPRESSIONS):
            w0, c0 = time.perf_counter(), time.process_time()
            render_expression(patient, expression, args.size, frame_seed=frame)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
    print(
        f"{len(wall)} photos at {args.size} px: median wall {1000 * statistics.median(wall):.1f} ms, "
        f"median CPU {1000 * statistics.median(cpu):.1f} ms per photo"
    )


if __name__ == "__main__":
    main()
