"""`palsy assess PATIENT_DIR --out OUT [--weights W] [--device auto|cpu|cuda]`.

Writes OUT/assessment.json, OUT/report.pdf and OUT/overlays/*.png (DESIGN §8). Bad input
(missing folder, no recognised photos, damaged or oversized images, no face, unusable
weights) exits 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys

from app.commands import arg_types


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "assess", help="grade a patient from a folder of expression photos",
        description="Grade a patient from PATIENT_DIR/EXPRESSION.jpg|png (rest, close_eyes, raise_eyebrows, "
        "open_mouth, wrinkle_nose, puff_cheeks; EXPRESSION_N.* for several frames).",
    )
    parser.add_argument("patient_dir", metavar="PATIENT_DIR", help="folder with the expression photos")
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder (created if needed)")
    parser.add_argument("--weights", metavar="W", default=None, help="checkpoint .pt (default: the shipped demo_compact.pt)")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="compute device (default auto)")
    parser.add_argument("--patient-id", default="", help="patient ID printed on the report")
    parser.add_argument("--affected-side", choices=("left", "right", "none", "unknown"), default="unknown",
                        help="the patient's affected side as recorded (patient's left/right); the report and the "
                        "summary say when the photos measured the other side weaker, e.g. mirrored photos "
                        "(default unknown: no check)")
    parser.add_argument("--clinic", default="Palsy Grader", help="clinic name for the report header")
    parser.add_argument("--threads", type=arg_types.threads, default=None, metavar="N",
                        help="CPU threads for the network (default: torch's choice; 1 is faster on a busy machine)")
    parser.add_argument("--single-pass", action="store_true",
                        help="parse and grade each photo once instead of with its mirror averaged (half the network's time; "
                             "a less even measured grade, and a network grade that can change when the photo is mirrored)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.report.outputs import check_writable
    from app.report.pdf import ReportContext
    from models.errors import InputError
    from models.pipeline.loader import load_model
    from models.pipeline.patient_dir import ignored_photos, load_patient_photos

    set_threads(args.threads)
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError(f"--out {args.out} is a file; give a folder for the results")
    try:  # before the photos are read and the network runs, not after
        check_writable(args.out)
    except OSError as exc:
        raise _unwritable(args.out, exc) from exc
    photos, paths = load_patient_photos(args.patient_dir)
    ignored = [path.name for path in ignored_photos(args.patient_dir)]  # named in a flag, not graded
    loaded = load_model(args.weights, args.device)
    # the report puts its "not for diagnosis" box on by the assessment's own model record
    context = ReportContext(clinic_name=args.clinic, patient_id=args.patient_id, registered_side=args.affected_side)
    result = assess_and_write(photos, loaded, args.out, context, {e: [f.name for f in p] for e, p in paths.items()}, quiet=args.quiet,
                              mirror=not args.single_pass, ignored=ignored)
    if not args.quiet:
        print(result)
    return 0


def assess_and_write(photos, loaded, out, context, names=None, quiet: bool = False, mirror: bool = True,  # noqa: ANN001
                     ignored: tuple[str, ...] | list[str] = ()) -> str:
    """Run the assessment and write its outputs; returns a one-paragraph summary. `mirror` and
    `ignored` (photo files not named after an expression) as in `assess`."""
    from app.report.model_cautions import CAUTIONS_TITLE
    from app.report.outputs import write_outputs
    from app.report.pdf import DEMO_TITLE, shows_demo_warning, unprinted_warning
    from models.pipeline.assess import add_registered_side, assess
    from models.pipeline.flag_wording import (
        flag_detail,
        measured_side,
        spaced_percent,
        top_probability_text,
    )
    from models.pipeline.progress import NullProgress
    from models.resources import weights_cautions
    from models.user_warnings import print_warning

    # Progress goes to a terminal only, so a failing run prints exactly one error line.
    progress = _StderrProgress() if not quiet and sys.stderr.isatty() else NullProgress()
    assessment = assess(photos, loaded, progress, names=names, mirror=mirror, ignored=ignored)
    # before writing: the side check goes into assessment.json and the report as well as the summary
    add_registered_side(assessment, context.registered_side)
    try:
        outputs = write_outputs(assessment, out, context)
    except OSError as exc:
        raise _unwritable(out, exc) from exc
    m = assessment.measured
    lines = []
    if shows_demo_warning(context, assessment.model):  # the report's rule for its warning box
        lines.append(f"{DEMO_TITLE} ({assessment.model.get('name') or 'demo weights'})")
    cautions = weights_cautions(assessment.model)  # the report's amber box, line for line
    if cautions:
        lines.append(f"{CAUTIONS_TITLE} ({assessment.model.get('name') or 'clinic weights'})")
        lines += [f"caution: {text}" for text in cautions]
    lines += [
        f"grade {assessment.grade} (network, top probability {spaced_percent(top_probability_text(assessment.top_probability))}); "
        f"measured {m.grade or '-'}"
        + (f" ({m.function_percent:.0f} % function)" if m.function_percent is not None else "")
        + f"; affected side {measured_side(assessment.affected_side, m.grade) or 'not measured'}",
    ]
    # the code for scripts, the message in the report's words (expressions and checks, not their codes)
    lines += [f"flag {f.code}: {flag_detail(f.code, f.message, f.expression)}" for f in assessment.flags]
    lines.append(f"wrote {outputs.assessment_json}, {outputs.report_pdf} and {outputs.folder / 'overlays'}")
    unprinted = unprinted_warning(context)
    if unprinted and not quiet:  # a report printing "?" for a name or ID looks finished: found otherwise only on paper
        print_warning(unprinted)
    return "\n".join(lines)


def _unwritable(out, exc: OSError) -> Exception:  # noqa: ANN001
    from models.errors import InputError

    return InputError(f"cannot write the results to {out} ({exc.strerror or exc}); choose another --out folder")


def set_threads(threads: int | None) -> None:
    """Apply --threads, already checked by its argparse type (None leaves torch's default)."""
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)


class _StderrProgress:
    """Progress lines on stderr so stdout stays the summary."""

    def report(self, fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    def cancelled(self) -> bool:
        return False
