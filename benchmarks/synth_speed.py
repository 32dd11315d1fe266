"""Rendering speed of the synthetic patient generator.

    python benchmarks/synth_speed.py [--size 256] [--patients 12] [--json]

Prints the median wall time and the median CPU time (this process) per photo; the CPU
time is the better figure on a machine shared with other jobs. `--json` prints them as one
JSON object instead.
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
from models.data.synthetic import make_patient, render_expression  # noqa: E402
from models.labels import EXPRESSIONS  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=arg_types.count, default=256, help="photo side in px (default 256)")
    parser.add_argument("--patients", type=arg_types.count, default=12, help="patients, six photos each (default 12)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    load_at_start = load_average()
    render_expression(make_patient(0), "rest", args.size)  # warm-up (noise bank, imports)
    wall, cpu = [], []
    for seed in range(args.patients):
        patient = make_patient(1000 + seed)
        for frame, expression in enumerate(EXPRESSIONS):
            w0, c0 = time.perf_counter(), time.process_time()
            render_expression(patient, expression, args.size, frame_seed=frame)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
    report = {
        "benchmark": "synth_speed", "size": args.size, "photos": len(wall),
        "median_wall_ms": round(1000 * statistics.median(wall), 1),
        "median_cpu_ms": round(1000 * statistics.median(cpu), 1),
        "ran_on": ran_on(len(wall), 1, load_at_start),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['photos']} photos at {args.size} px: median wall {report['median_wall_ms']:.1f} ms, "
              f"median CPU {report['median_cpu_ms']:.1f} ms per photo")
    return report


if __name__ == "__main__":
    main()
