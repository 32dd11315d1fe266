"""Cascaded against end-to-end grading training (paper Fig. 7 / Table 3) with other budgets
and patient counts than the demo recipe's 60 patients x 4 minutes. Prints JSON.

    PYTHONPATH=. python benchmarks/cascade_vs_end_to_end.py --train runs/demo/patients_train \
        --eval runs/demo/patients_eval --patients 60 --minutes 12 --threads 2 [--e1 W] [--work DIR]

For each count N in --patients: the first N training patients (the demo recipe's order);
cascaded = a fresh E2 on the frozen E1 of --e1 (default: the shipped weights), resized to
--input-size; end-to-end = E1 and E2 from scratch on the same photos with the grade loss
only (--arms picks either or both). Both get --minutes of wall clock (fp32, poly LR from 2e-4,
seed --seed; the cascaded arm on --cache-variants cached E1 passes per photo when asked, as
`palsy train demo` can) and are scored on every patient of --eval, per patient (the app's
fusion of the expressions) and per photo.
Checkpoints and JSONL logs go to --work (default runs/compare).
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
from models.data.patients import PatientDataset  # noqa: E402
from models.resources import default_weights_path  # noqa: E402
from models.train.comparison import brief, compare_run  # noqa: E402
from models.train.loop import LoopSettings, resolve_device  # noqa: E402
from models.train.resize import write_reused_e1  # noqa: E402

ARMS = ("cascaded", "end_to_end")


def main(argv: list[str] | None = None) -> None:
    parser = OneLineParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)  # a bad option is one line
    parser.add_argument("--train", required=True, type=existing_folder, help="patient set to train on (its patients in the demo recipe's order)")
    parser.add_argument("--eval", required=True, type=existing_folder, help="held-out patient set to score on")
    parser.add_argument("--patients", type=int, nargs="+", default=[60], help="training patient counts")
    parser.add_argument("--minutes", type=float, default=12.0, help="wall clock per arm and count")
    parser.add_argument("--e1", default=str(default_weights_path()), type=existing_file, help="checkpoint whose E1 the cascaded arm freezes")
    parser.add_argument("--input-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--work", default="runs/compare")
    parser.add_argument("--cache-variants", type=int, default=0,
                        help="cascaded arm on K cached E1 passes per photo (`--cache-variants` of palsy train); 0 = live")
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS), help="which arms to train")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    ids = PatientDataset(args.train).patient_ids("all")
    for count in args.patients:
        if not 0 < count <= len(ids):
            parser.error(f"--patients {count}: {args.train} has {len(ids)} patients")
    device = resolve_device(args.device)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    e1 = write_reused_e1(work / "e1_fresh_e2.pt", args.e1, args.input_size, args.seed)
    t0 = time.monotonic()
    runs = []
    for count in args.patients:
        row: dict = {"patients": count}
        for name in args.arms:
            cascaded = name == "cascaded"
            key = f"{name}_{count}"
            settings = LoopSettings(stage=key, minutes=args.minutes, lr=2e-4, seed=args.seed, precision="fp32")
            summary = compare_run(args.train, args.eval, work / f"{key}.pt", settings, device, cascaded, ids[:count], e1,
                                  input_size=args.input_size, log_path=work / f"{key}.jsonl",
                                  cache_variants=args.cache_variants)
            row[name] = {"steps": summary["steps"], "elapsed_s": summary["elapsed_s"], "cache": summary["augment"].get("cached"),
                         "patient": brief(summary["patient_level"]), "photo": brief(summary["photo_level"])}
            print(f"{key}: {row[name]['patient']['accuracy']} per patient", file=sys.stderr, flush=True)
        runs.append(row)
    print(json.dumps({
        "e1": str(args.e1), "minutes_per_arm": args.minutes, "input_size": args.input_size, "seed": args.seed,
        "cache_variants": args.cache_variants, "device": str(device), "threads": torch.get_num_threads(),
        "eval_patients": len(PatientDataset(args.eval).patient_ids("all")),
        "runs": runs, "seconds": round(time.monotonic() - t0, 1), "ran_on": ran_on(None, None),
    }, indent=2))


if __name__ == "__main__":
    main()
