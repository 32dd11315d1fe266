"""How the measured function (models/pipeline/measures.py) agrees with synthetic patients'
true grades: on the generator's exact masks, or (--weights) on the masks a network parses
from the rendered photos through the whole pipeline (face crop, E1).

    python benchmarks/measured_function.py --patients 150 --json
    python benchmarks/measured_function.py --patients 30 --weights W --first-seed 1000 --json
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from benchmarks.arg_checks import existing_file  # noqa: E402
from benchmarks.ran_on import ran_on  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(description=__doc__.split("\n\n")[0])  # a bad option is one line, exit 2
    parser.add_argument("--patients", type=arg_types.count, default=150)
    parser.add_argument("--size", type=int, default=256, help="rendered photo side")
    parser.add_argument("--weights", type=existing_file, default=None, help="measure from this network's masks instead of the exact ones")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import numpy as np

    from models.data.synthetic import make_patient, render_patient
    from models.labels import GRADES
    from models.pipeline.measures import measure_function

    loaded = None
    if args.weights:
        from models.pipeline.assess import assess
        from models.pipeline.loader import load_model

        loaded = load_model(args.weights, "cpu")
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.patients):
        patient = make_patient(seed)
        rendered = render_patient(patient, size=args.size, frame_seed=0)
        if loaded is None:
            m = measure_function({e: mask for e, (_, mask) in rendered.items()})
        else:
            m = assess({e: rgb for e, (rgb, _) in rendered.items()}, loaded).measured
        rows.append((patient.grade, patient.side, m.grade, m.function_percent, m.affected_side))
    per_grade = {}
    for g in GRADES:
        values = [fp for grade, _, _, fp, _ in rows if grade == g and fp is not None]
        per_grade[g] = {
            "n": len(values),
            "function_percent_min_median_max": [round(float(v), 1) for v in np.percentile(values, [0, 50, 100])] if values else None,
        }
    graded = [(g, mg) for g, _, mg, _, _ in rows if mg is not None]
    side_rows = [(s, ms) for g, s, mg, _, ms in rows if g in ("III", "IV", "V", "VI") and mg is not None]
    report = {
        "patients": args.patients,
        "masks": f"network {args.weights}" if args.weights else "exact (generator)",
        "measured_available": len(graded),
        "exact": round(float(np.mean([g == mg for g, mg in graded])), 3),
        "within_one": round(float(np.mean([mg is not None and abs(GRADES.index(g) - GRADES.index(mg)) <= 1 for g, mg in graded])), 3),
        "side_correct_grades_III_VI": [sum(s == ms for s, ms in side_rows), len(side_rows)],
        "per_grade": per_grade,
        "confusion": {f"{g}->{mg}": n for (g, mg), n in sorted(Counter(graded).items(), key=str)},
        "ran_on": ran_on(None, None),
    }
    print(json.dumps(report, indent=2) if args.json else report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
