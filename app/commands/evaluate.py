"""`palsy evaluate parsing|grading --data DIR --weights W [--json]` (DESIGN §8).

A patient set's photos are prepared as the checkpoint's record says (`models.train.face_prep`:
the app's face crop for a clinic run, the whole photo letterboxed for the others and for any
checkpoint without the record); the output says which, and the JSON of a face-crop checkpoint
carries `photo_preparation` and the photos left out (`no_face`). The JSON also says what it
scored: `split` (the part of the set, "auto" resolved) and `n` (patients for grading, images or
photos with masks for parsing); the "scored ..." line goes to stderr beside it. On a terminal,
stderr also counts the photos scored so far (`terminal_progress`)."""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import arg_types
from models.counted import counted
from models.user_warnings import print_warning

if TYPE_CHECKING:
    from models.data.patients import PatientDataset


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score weights on a parsing or patient data set")
    parser.add_argument("task", choices=("parsing", "grading"))
    parser.add_argument("--data", required=True, help="parsing-layout folder, or patient-layout folder (labels.csv)")
    parser.add_argument("--weights", default=None, help="checkpoint (default: the shipped demo weights)")
    parser.add_argument(
        "--split", default="auto",
        help="train/val/test/all; auto = a parsing set's val part if it has one, else everything",
    )
    parser.add_argument(
        "--level", default=None, choices=("patient", "photo", "measured", "measured-exact"),
        help="grading only (default patient): the network grade per patient (fused photos) or per photo; the measured "
        "grade from E1's masks; or the measure on the set's own masks at the network's input size",
    )
    parser.add_argument(
        "--single-pass", action="store_true",
        help="score E1's masks and E2's grade from one pass over each photo (default: averaged over the photo and "
        "its mirror, as the app makes them)",
    )
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--json", action="store_true", help="print the DESIGN §8 JSON")
    parser.add_argument("--threads", type=arg_types.threads, default=None, help="CPU threads for torch (default: torch's choice)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.commands.assess import set_threads
    from models.checkpoint import load_checkpoint
    from models.data.parsing import SPLITS
    from models.data.patients import (
        PatientDataset,
        held_out_seen,
        labels_found_instead,
        not_a_patient_set,
    )
    from models.errors import CheckpointError, InputError
    from models.pipeline.loader import check_grading_trained, clinic_stage_of, parsing_never_trained
    from models.train.evaluation import evaluate_grading, evaluate_parsing
    from models.train.face_prep import preparation_of
    from models.train.loop import resolve_device

    set_threads(args.threads)
    if args.task == "parsing" and args.level is not None:
        raise InputError(f"--level is for palsy evaluate grading; palsy evaluate parsing scores E1's masks "
                         f"(drop --level {args.level})")
    level = args.level or "patient"
    if not Path(args.data).is_dir():
        found = labels_found_instead(Path(args.data))  # a .zip the set arrived in
        raise InputError(found or f"data folder not found: {args.data}")
    patient_set = (Path(args.data) / "labels.csv").is_file()
    if args.split not in ("auto", "all", *SPLITS):  # a typo, not a part the set lacks
        raise InputError(f"--split {args.split!r} is not one of auto, all, {', '.join(SPLITS)}")
    if args.task == "grading" and not patient_set:
        raise not_a_patient_set(args.data, "grading needs graded patients")
    patients = PatientDataset(args.data) if patient_set else None
    if patients is not None:  # a listed patient without photos would silently leave the figures
        patients.check_photos()
    weights = weights_to_score(args.weights)
    model, meta = load_checkpoint(weights)
    seen = held_out_seen(meta.get("training") or {}, patients) if patients is not None and args.split != "train" else None
    if seen is not None:  # on stderr: --json keeps stdout pure JSON
        print_warning(seen)
    trained = trained_in_set(meta.get("training") or {}, patients) if args.task == "grading" else None
    preparation = preparation_of(meta)  # as it was trained; letterbox when the record is missing
    if args.task == "grading" and level in ("patient", "photo"):  # the measured levels read E1's masks only
        check_grading_trained(model, meta, weights, clinic_stages=True)  # scoring a stage is a measurement
    if (args.task == "parsing" or level == "measured") and parsing_never_trained(model, meta):  # E1's masks
        raise CheckpointError(f"{weights} holds the paper's end-to-end baseline: its face parser was never trained, "
                              f"so its masks are random and {describe_scoring(args.task, level)} would score noise; "
                              "score its grades with `palsy evaluate grading` (--level patient or photo)")
    run = clinic_stage_of(weights, meta)  # copied out of its run folder too
    if run is not None:  # on stderr: --json keeps stdout pure JSON
        print(f"note: {weights} is an intermediate stage of the `palsy train clinic` run in {run}: these figures are "
              f"of that stage, not of {run / 'clinic.pt'}", file=sys.stderr)
    device = resolve_device(args.device)
    unit = "photo" if patient_set else "image"
    progress = terminal_progress("parsed" if args.task == "parsing" else "graded", unit)
    try:
        if args.task == "parsing":
            report = evaluate_parsing(model, args.data, args.split, device, mirror=not args.single_pass,
                                      preparation=preparation, progress=progress)
        else:
            report = evaluate_grading(model, args.data, args.split, device, level, mirror=not args.single_pass,
                                      preparation=preparation, progress=progress)
    except Exception:
        if progress is not None:  # the error on a line of its own, not after the count (Ctrl-C: app.cli)
            print(file=sys.stderr)
        raise
    if args.json:  # what was scored: additive keys, so readers of the DESIGN §8 keys are unaffected
        if args.task == "parsing":
            report["split"], report["n"] = parsing_scored(args.data, args.split, len(report.get("no_face") or []))
        else:
            report["split"] = "all" if args.split == "auto" else args.split
            report["n"] = scored_patients(patients, report["split"], report)
        print(json.dumps(report, indent=2))
        if args.task == "parsing":  # on stderr: --json keeps stdout pure JSON
            print(parsing_scored_line(args.data, args.split, scored=(report["split"], report["n"])), file=sys.stderr)
        elif args.split in ("auto", "all"):  # the figures may include the training patients
            print(scored_line(report, args.split, level, trained), file=sys.stderr)
    elif args.task == "parsing":
        print(parsing_scored_line(args.data, args.split, len(report.get("no_face") or [])))
        for name, scores in report["classes"].items():
            print(f"{name:12s} F1 {scores['f1']:.3f}  IoU {scores['iou']:.3f}")
        print(parsing_means_line(report))
    elif report.get("coverage") == 0:
        print(f"no patient could be measured ({report['unmeasured']} without a measured grade): nothing to score")
    else:
        from models.metrics import KAPPA_UNDEFINED, figure_text

        print(scored_line(report, args.split, level, trained))
        for key in ("accuracy", "recall", "confidence", "dice", "quadratic_kappa", "within_one"):
            print(f"{key:16s} {figure_text(report[key])}{FIGURE_NOTES.get(key, '')}")
        if report["quadratic_kappa"] is None:
            print(f"{'':16s} (kappa: {KAPPA_UNDEFINED})")
        if "unmeasured" in report:
            print(f"{'unmeasured':16s} {report['unmeasured']} patient(s) without a measured grade")
        side = report.get("side")
        if side and side["named"]:
            print(f"{'affected side':16s} {side['right']} of {side['named']} named sides right "
                  f"({side['opposite']} opposite, {side['opposite_doubted']} of those flagged uncertain; "
                  f"{side['right_doubted']} right sides flagged uncertain; "
                  f"{side['no_side']} of {side['patients']} patients with a palsy side given none)")
    if not args.json:
        print(preparation_line(report, preparation, patient_set))
    return 0


def describe_scoring(task: str, level: str) -> str:
    """The scoring that reads E1's masks, as the command line names it."""
    return "`palsy evaluate parsing`" if task == "parsing" else f"`palsy evaluate grading --level {level}`"


def parsing_means_line(report: dict) -> str:
    """The parsing report's means as the text output prints them; "n/a" with the reason when no
    class but background was in the masks or the predictions (the JSON's null)."""
    from models.metrics import figure_text

    if report["mean_f1"] is None:
        return "mean F1 n/a  mIoU n/a (background excluded, and no other class was in the masks or the predicted masks)"
    return f"mean F1 {figure_text(report['mean_f1'])}  mIoU {figure_text(report['miou'])} (background excluded)"


# What a printed figure is, where its DESIGN §8 name misleads: the paper calls the macro precision
# "confidence", while the app's "low network confidence" is the network's top probability.
FIGURE_NOTES = {"confidence": "  (precision: the paper's name for it, not the network's top probability)"}


def terminal_progress(verb: str, unit: str) -> Callable[[int, int], None] | None:
    """A `progress(done, total)` that keeps one line on stderr up to date ("graded 120/720
    photos, about 3 min left"): an evaluation takes minutes, and silence looks like a hang.
    None when stderr is not a terminal (as `palsy synth`): in a log or a pipe the `\r` line is
    one long line of carriage returns."""
    if not sys.stderr.isatty():
        return None
    start = time.monotonic()
    width = 0

    def progress(done: int, total: int) -> None:
        nonlocal width
        line = f"{verb} {done}/{counted(total, unit)}"
        if done < total:
            line += f", {_time_left((time.monotonic() - start) / done * (total - done))}"
        width = max(width, len(line))  # spaces cover the end of a longer line before
        print(f"\r{line:{width}}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return progress


def _time_left(seconds: float) -> str:
    if seconds < 60:
        return f"about {max(1, round(seconds))} s left"
    return f"about {math.ceil(seconds / 60)} min left"


def preparation_line(report: dict, preparation: str, patient_set: bool) -> str:
    """How the photos were prepared for the network, and what the face crop left out: figures of
    the whole photo and of the app's face crop differ where the face fills less of the frame."""
    from models.train.face_prep import FACE_CROP, no_face_note

    if not patient_set:
        return "images: each letterboxed whole to the network's input (a parsing set is scored as stage 1 trains on it)"
    if preparation != FACE_CROP:
        return ("photos: each letterboxed whole to the network's input, as these weights were trained "
                "(palsy assess crops the face instead)")
    left = report.get("no_face") or []
    note = f"; {no_face_note(left, 'the figures')}" if left else ""
    return f"photos: the face crop palsy assess makes, as these weights were trained{note}"


def scored_line(report: dict, split: str, level: str, trained: int | None = None) -> str:
    """What the grading figures are of: how many patients (or photos), and which part of the
    set. A set scored whole is said to include its training patients unless the weights'
    training record shows none of them (`trained_in_set` 0): every set `palsy synth` makes has a
    split column, which says nothing about what the weights saw (the card's held-out set too)."""
    n = sum(map(sum, report["confusion"]))
    unit = "photo" if level == "photo" else "patient"
    if split not in ("auto", "all"):
        part = f"the {split} split"
    elif trained == 0:
        part = "every patient of the set (none of them in these weights' training data)"
    else:
        part = "every patient of the set, training patients included (--split test: the held-out ones)"
    return f"scored {counted(n, unit)}: {part}"


def weights_to_score(given: str | None) -> Path:
    """--weights, else the shipped demo weights; a missing file is refused with the advice
    `palsy assess` gives on the command line (the checkpoint reader's also names Settings)."""
    from models.errors import CheckpointError
    from models.pipeline.loader import CLI_WORDING
    from models.resources import DEMO_WEIGHTS, default_weights_path

    if given:
        path = Path(given)
        if not path.exists():
            raise CheckpointError(f"weights file not found: {path}; {CLI_WORDING.choose_weights}")
        return path
    path = default_weights_path()
    if not path.is_file():
        raise CheckpointError(f"no weights available: the shipped {DEMO_WEIGHTS} is not installed in {path.parent}; "
                              f"{CLI_WORDING.no_default_weights}")
    return path


def trained_in_set(training: dict, patients: PatientDataset) -> int | None:
    """How many of the set's patients the weights' training record names as trained
    (`models.data.patients.trained_on`: a clinic run's `splits`, the demo recipe's synthetic set,
    and what the weights a run started from trained on, its `init_training`). None when the
    record, or that of weights down the chain, names nothing (a checkpoint without one, a clinic
    run before 2026-12-07): what the weights saw is unknown."""
    from models.data.patients import trained_on

    found = trained_on(training, patients.patient_ids("all"))
    return len(found.ids) if found.complete else None


def scored_patients(patients: PatientDataset, split: str, report: dict) -> int:
    """How many patients of `split` had photos scored (the face crop's `no_face` photos left out);
    the measured levels count the unmeasured ones too (the report's `unmeasured` says how many)."""
    from models.train.face_prep import photo_name

    left_out = set(report.get("no_face") or [])
    return len({s.patient_id for s in patients.samples(split) if photo_name(s.image) not in left_out})


def parsing_scored(data: str | Path, split: str, left_out: int = 0) -> tuple[str, int]:
    """The split a parsing score is of ("auto" resolved) and how many images (photos with masks,
    for a patient set, less the `left_out` ones the face crop found no face in) it scored."""
    from models.data.parsing import ParsingDataset
    from models.data.patients import PatientDataset
    from models.train.evaluation import default_split

    used = default_split(data) if split == "auto" else split
    if (Path(data) / "labels.csv").is_file():
        return used, sum(s.mask is not None for s in PatientDataset(data).samples(used)) - left_out
    return used, len(ParsingDataset.open(data).split_names(used))


def parsing_scored_line(data: str | Path, split: str, left_out: int = 0, scored: tuple[str, int] | None = None) -> str:
    """What the parsing figures are of: how many images (photos with masks, for a patient set,
    less the `left_out` ones the face crop found no face in) and which part of the set; a set
    scored whole, having no held-out part, is said to include the images a network may have
    trained on. `scored` is `parsing_scored`'s answer when the caller has it (the set is not
    read again)."""
    used, n = scored or parsing_scored(data, split, left_out)
    if (Path(data) / "labels.csv").is_file():
        unit, whole = "photo", "every photo with a mask, training patients included (--split test: the held-out ones)"
    else:
        unit = "image"
        whole = ("every image of the set, training images included (it has no held-out part: no splits.csv with val "
                 "or test rows)" if split == "auto" else "every image of the set, training images included")
    part = whole if used == "all" else f"the {used} split"
    return f"scored {counted(n, unit)}: {part}"
