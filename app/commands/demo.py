"""`palsy demo --out DIR`: render a synthetic demo patient and assess it (what `make run`
does on a machine without a display).

DIR/patient/ receives the six rendered expression photos; DIR/ receives assessment.json,
report.pdf and overlays/ as `palsy assess` writes them.
"""

from __future__ import annotations

import argparse

from app.commands import arg_types


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="assess a synthetic demo patient (no camera needed)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    parser.add_argument("--grade", default="III", help="the demo patient's House-Brackmann grade (default III)")
    parser.add_argument("--side", choices=("left", "right"), default="left", help="the demo patient's affected side")
    parser.add_argument("--seed", type=arg_types.seed, default=7, help="random seed of the demo patient")
    parser.add_argument("--weights", metavar="W", default=None, help="checkpoint .pt (default: the shipped weights)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--threads", type=arg_types.threads, default=None, metavar="N", help="CPU threads for the network")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.commands.assess import assess_and_write, set_threads
    from app.report.outputs import refuse_data_folder
    from app.report.pdf import ReportContext
    from models.errors import InputError
    from models.labels import grade_index
    from models.pipeline.demo_patient import render_demo_patient
    from models.pipeline.loader import load_model
    from models.pipeline.patient_dir import load_patient_photos

    try:
        grade_index(args.grade)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    set_threads(args.threads)
    side = "none" if args.grade.upper() == "I" else args.side
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder for the demo")
    refuse_data_folder(out)  # before the demo patient's photos: never among the records
    try:
        patient = render_demo_patient(out / "patient", grade=args.grade.upper(), side=args.side, seed=args.seed)
    except OSError as exc:
        raise InputError(f"cannot write the demo patient to {out} ({exc.strerror or exc}); choose another --out folder") from exc
    loaded = load_model(args.weights, args.device)
    photos, paths = load_patient_photos(patient)
    context = ReportContext(
        patient_id=f"DEMO-{args.seed}", patient_name="Demo patient (synthetic)",
        notes=f"Synthetic demo patient rendered with grade {args.grade.upper()}, affected side {side}.",
        registered_side=side,  # the rendered patient's side, as the patient form would hold it
    )
    summary = assess_and_write(photos, loaded, out, context, {e: [f.name for f in p] for e, p in paths.items()}, quiet=args.quiet)
    if not args.quiet:
        print(f"demo patient (true grade {args.grade.upper()}, affected side {side}) in {patient}")
        print(summary)
    return 0
