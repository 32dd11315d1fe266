"""`palsy train parsing|grading|end-to-end|demo` (DESIGN §6, §8)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.commands import arg_types
from models.counted import counted
from models.numbers import finite_above_zero

if TYPE_CHECKING:
    from models.errors import InputError
    from models.train.checkpoint_file import CheckpointFile
    from models.train.demo import DemoRecipe
    from models.train.stages import DataSpec

MODES = ("parsing", "grading", "end-to-end", "demo", "clinic")
# Defaults of the options a resumed run takes from its checkpoint when they are not given.
DEFAULT_SEED, DEFAULT_BATCH_SIZE, DEFAULT_LR = 0, 8, 2e-4


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train the network (stage 1 parsing, stage 2 grading, end-to-end baseline, the demo recipe, or a clinic's "
        "own patients)",
        description="Train the cascade. Budgets are --epochs and/or --minutes (wall clock); checkpoints are resumable. "
        "clinic: one command on a clinic's graded patients (--minutes only, default 120; --out is a folder, default "
        "runs/clinic; rerun the same command to resume).",
    )
    parser.add_argument("mode", choices=MODES, help="what to train")
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="DIR[:WEIGHT]",
        help="training data folder (parsing layout or patient layout); repeat for a mixture with sampling weights",
    )
    parser.add_argument("--config", default=None,
                        help="network configuration: compact or paper (default compact; clinic: only with --from-scratch)")
    parser.add_argument("--input-size", type=int, default=None, help="train at this input size (multiple of 32) instead of the config's")
    parser.add_argument("--epochs", type=arg_types.positive_number, default=None, help="budget in epochs' worth of samples: E x the training images (photos for grading), drawn at random "
                        "with replacement, so an epoch need not show every image once")
    parser.add_argument("--minutes", type=float, default=None,
                        help="wall-clock budget; the poly LR follows the time spent")
    parser.add_argument("--batch-size", type=int, default=None, help=f"default {DEFAULT_BATCH_SIZE}")
    parser.add_argument("--lr", type=arg_types.positive_number, default=None, help="base learning rate of the poly schedule "
                        "(default 2e-4; demo and clinic use their recipes' rates)")
    parser.add_argument("--out", default=None, help="checkpoint to write (default runs/<mode>.pt; demo: resources/weights; "
                        "clinic: a folder, default runs/clinic)")
    parser.add_argument("--resume", default=None, help="continue from a checkpoint written by palsy train (the options "
                        "left out are the run's own: data, budget, seed, batch size, learning rate, precision, threads)")
    parser.add_argument("--init", default=None, help="start from this checkpoint (for grading: the stage-1 parsing checkpoint; "
                        "for clinic: default the shipped demo weights)")
    parser.add_argument("--from-scratch", action="store_true", help="clinic: start from random weights instead of --init")
    parser.add_argument("--ordinal-weight", type=float, default=None,
                        help="grading / end-to-end / demo: add this weight x an ordinal loss term (grade > k) to the "
                        "cross-entropy (default 0, the paper's loss; 5 left stage 2's plateau sooner in a short probe "
                        "but scored lower over the demo's whole stage 2, docs/train.md)")
    parser.add_argument("--cache-variants", type=int, default=None, metavar="K",
                        help="grading / demo / clinic: E1 is frozen, so compute its features once for K augmented copies of "
                        "each photo (half mirrored) and train E2 on those; fewer distinct augmentations, faster steps "
                        "(default 0: a fresh augmentation and E1 pass per draw, as the shipped weights were trained; "
                        "4 gave stage 2 1.3-1.6x the steps but scored lower with both seeds tried, docs/train.md)")
    parser.add_argument("--e1-from", default=None, metavar="CHECKPOINT",
                        help="demo: take E1 from this checkpoint instead of training stage 1 (stage 2 and the "
                        "comparison train a fresh E2 on it; the card says where E1 came from)")
    parser.add_argument("--keep-e2", action="store_true",
                        help="demo, with --e1-from: keep that checkpoint's E2 too instead of training stage 2 "
                        "(for a run that only trains E1 on with --e1-polish-minutes)")
    parser.add_argument("--e1-polish-minutes", type=float, default=None, metavar="M",
                        help="demo: train the whole E1 on for M more minutes at the input size after stage 1 "
                        "(E2 reads only z and is not retrained; default 0)")
    parser.add_argument("--glasses", type=float, default=None, metavar="P",
                        help="parsing / demo: draw wire-rim glasses around the labelled eyes of this fraction of the "
                        "training faces (default 0; docs/train.md)")
    parser.add_argument("--grading-at", default=None, choices=("base", "input"),
                        help="demo: E2 trains and grades at the base size (128 px, default) or goes on at the input "
                        "size (256 px; stage 2's minutes split 16 + 8 as before 2026-12-02)")
    parser.add_argument("--base-size", type=int, default=None, metavar="PX",
                        help="demo: the size stages 1 and 2 and the comparison train at before the input size "
                        "(default 128); the input size itself (256) trains every stage there, E2 included, "
                        "which suits a GPU")
    parser.add_argument("--pretrained-resnet", default=None, metavar="FILE",
                        help="parsing / end-to-end: start E1's backbone from this local torchvision resnet101 state dict "
                             "(config paper; nothing is downloaded)")
    parser.add_argument("--pretrained-vgg", default=None, metavar="FILE",
                        help="grading / end-to-end: start E2's convolutional layers from this local torchvision vgg16_bn "
                             "state dict (config paper; nothing is downloaded)")
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--seed", type=arg_types.seed, default=None, help=f"default {DEFAULT_SEED}")
    parser.add_argument("--log", default=None, help="JSON-lines log (default: the checkpoint path with .jsonl)")
    parser.add_argument("--threads", type=arg_types.threads, default=None, help="CPU threads for torch (default: torch's "
                        "choice; a resumed run: the run's own)")
    parser.add_argument("--loader-threads", type=int, default=None, metavar="N",
                        help="parsing / grading / end-to-end: threads that draw and augment batches ahead of the "
                        "training step (the same batches either way; default: none on a CPU, up to 8 on a GPU; "
                        "demo and clinic use the default)")
    parser.add_argument(
        "--precision", default=None, choices=("auto", "fp32", "bf16"),
        help="forward pass in fp32 or bf16 autocast (weights stay fp32); auto (the default; a resumed run: the run's own) "
        "= bf16 where the CPU or GPU runs it natively (AMX / AVX-512 BF16, Ampere or later), else fp32; grading and "
        "end-to-end: auto = fp32. For demo: stage 1 only (stage 2 stays fp32)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    from app.commands.assess import set_threads
    from models.config import CONFIGS
    from models.errors import InputError
    from models.train.loop import resolve_device

    if args.config is not None and args.config not in CONFIGS:
        raise InputError(f"--config {args.config}: unknown configuration; choose one of {', '.join(CONFIGS)}")
    set_threads(args.threads)
    device = resolve_device(args.device)
    # --minutes is checked here rather than by its argparse type: `palsy train clinic --minutes 0`
    # has always answered with this line (and exit 2) from the command, not a usage error.
    if args.minutes is not None and not finite_above_zero(args.minutes):
        raise InputError(f"give a positive --minutes budget: a finite number above 0, got {args.minutes}")
    if args.ordinal_weight is not None and not (math.isfinite(args.ordinal_weight) and args.ordinal_weight >= 0):
        raise InputError(f"--ordinal-weight must be a finite number, 0 or more, got {args.ordinal_weight}")
    if args.cache_variants is not None and args.cache_variants < 0:
        raise InputError(f"--cache-variants must be 0 or more, got {args.cache_variants}")
    if args.loader_threads is not None and args.mode in ("demo", "clinic"):
        raise InputError(f"--loader-threads is for palsy train parsing, grading and end-to-end; palsy train {args.mode} "
                         "draws batches ahead by itself on a GPU (none on a CPU)")
    if args.mode == "demo":
        from dataclasses import replace

        from models.train.demo import DemoRecipe, run_demo

        ignored = [flag for flag, value in (("--lr", args.lr), ("--config", args.config), ("--input-size", args.input_size),
                                            ("--epochs", args.epochs), ("--batch-size", args.batch_size),
                                            ("--resume", args.resume), ("--init", args.init), ("--log", args.log),
                                            ("--from-scratch", args.from_scratch or None),
                                            ("--pretrained-resnet", args.pretrained_resnet),
                                            ("--pretrained-vgg", args.pretrained_vgg))
                   if value is not None]
        if ignored:
            raise InputError(f"palsy train demo does not take {', '.join(ignored)}: it follows its recipe (docs/train.md; "
                             "--minutes scales it, --e1-from starts from a trained E1), logs into runs/demo and resumes "
                             "when run again")
        recipe = DemoRecipe(seed=DEFAULT_SEED if args.seed is None else args.seed, precision=args.precision or "auto")
        if args.threads:
            recipe = replace(recipe, threads=args.threads)
        if args.data:  # the folder holding fasseg/, fasseg_fine/, lfw_parts/, lfw_parts_fine/
            recipe = replace(recipe, data_root=args.data[0])
        if args.ordinal_weight is not None:
            recipe = replace(recipe, stage2_ordinal_weight=args.ordinal_weight)
        if args.e1_from:
            recipe = replace(recipe, e1_from=args.e1_from)
        if args.keep_e2:
            recipe = replace(recipe, keep_e2=True)
        if args.e1_polish_minutes is not None:
            recipe = replace(recipe, e1_polish_minutes=args.e1_polish_minutes)
        if args.cache_variants is not None:
            recipe = replace(recipe, stage2_cache_variants=args.cache_variants)
        if args.glasses is not None:
            recipe = replace(recipe, glasses_p=args.glasses)
        if args.base_size is not None:
            recipe = _with_base_size(recipe, args.base_size)
            if args.grading_at and not recipe.resizes:
                raise InputError(f"--grading-at is for a base size below the input size; at --base-size {args.base_size} "
                                 "E2 trains and grades at the input size")
        if args.grading_at == "input":
            recipe = recipe.grading_at_input()
        if args.minutes:
            recipe = recipe.scaled_to(args.minutes)
        out = Path(args.out) if args.out else None
        run_demo(recipe, device=device, weights_dir=out, render=_render_patients)
        return 0
    if args.glasses is not None and args.mode != "parsing":
        raise InputError("--glasses is for palsy train parsing and palsy train demo (it draws glasses on parsing training faces)")
    demo_only = [flag for flag, value in (("--e1-from", args.e1_from), ("--keep-e2", args.keep_e2 or None),
                                          ("--e1-polish-minutes", args.e1_polish_minutes),
                                          ("--grading-at", args.grading_at), ("--base-size", args.base_size))
                 if value is not None]
    if args.mode == "clinic":
        if demo_only:  # the clinic recipe used none of them, not even a missing --e1-from file
            raise InputError(f"palsy train clinic does not take {', '.join(demo_only)}: --e1-from, --keep-e2, "
                             "--e1-polish-minutes, --grading-at and --base-size are for palsy train demo; palsy train "
                             "clinic starts from --init (default the shipped weights) or --from-scratch")
        if args.pretrained_resnet or args.pretrained_vgg:
            raise InputError("palsy train clinic starts from the shipped cascade (or --init / --from-scratch); for "
                             "pretrained backbones train the stages with palsy train parsing and grading")
        return _run_clinic(args, device)
    if demo_only:
        raise InputError("--e1-from, --keep-e2, --e1-polish-minutes, --grading-at and --base-size are for palsy train demo; "
                         "for stage 2 on a trained E1 use "
                         "palsy train grading --init")
    if args.from_scratch:
        raise InputError("--from-scratch is for palsy train clinic; the other modes start from scratch unless --init is given")
    return _run_single(args, device)


def _run_single(args: argparse.Namespace, device) -> int:
    """`palsy train parsing|grading|end-to-end`: every option checked before data is read or a
    step is taken; a resumed run takes the options left out from its checkpoint and refuses
    ones that differ from it."""
    from models.config import MIN_SIZE, STRIDE, max_attention_input_size
    from models.errors import InputError
    from models.train.loop import LoopSettings, PrintProgress, check_output_paths, unfinished_step
    from models.train.precision import resolve_precision
    from models.train.stages import DataSpec, Pretrained, train_grading, train_parsing

    mode = args.mode
    _refuse_other_modes_options(args)
    if not args.data and not args.resume:
        raise InputError(f"palsy train {mode} needs --data DIR (or --resume CHECKPOINT)")
    if args.batch_size is not None and args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    largest = max_attention_input_size()  # above it, the spatial attention of one photo would not fit memory
    if args.input_size is not None and (not MIN_SIZE <= args.input_size <= largest or args.input_size % STRIDE):
        raise InputError(f"--input-size {args.input_size}: give a multiple of {STRIDE} from {MIN_SIZE} to {largest}")
    _check_resume_is_a_checkpoint(args.resume)
    # A resumed run goes on writing the checkpoint it continues unless --out says otherwise.
    out = Path(args.out or args.resume or f"runs/{mode}.pt")
    args.out = str(out)  # what app.cli's Ctrl-C line names
    log = Path(args.log) if args.log else out.with_suffix(".jsonl")
    check_output_paths(out, log)
    specs = [DataSpec.parse(text) for text in args.data]
    if mode != "parsing":
        for text, spec in zip(args.data, specs, strict=True):
            if spec.path != Path(text):  # DIR:WEIGHT; a sampling weight means nothing for one folder
                raise InputError(f"--data {text}: a sampling weight is for palsy train parsing (a mixture of folders); "
                                 f"palsy train {mode} trains on one patient folder, give --data {spec.path}")
    steps = None
    # The checkpoints the checks below read are read once: the run starts from the same payload.
    resume = init = None
    grading = mode != "parsing"
    if args.precision is not None:  # "auto" as it resolves here, so a resume compares the precision that would run
        args.precision = resolve_precision(args.precision, device, grading=grading)
    if args.resume:
        specs, steps, resume = _resumed_options(args, specs)
    if not args.resume or Path(args.resume).resolve() != out.resolve():
        step = unfinished_step(out, mode)
        if step is not None:
            raise InputError(f"{out} holds an interrupted {mode} run (step {step}); add --resume {out} to go on, "
                             "or choose another --out")
    if not args.resume and args.config and args.init:
        init = _check_init_config(args.config, args.init)
    if mode != "parsing" and len(specs) != 1:
        raise InputError(f"palsy train {mode} takes one patient data folder (--data DIR)")
    if args.epochs:
        steps = 1  # replaced by the steps of that many epochs once the data is counted
    settings = LoopSettings(stage=mode, minutes=args.minutes, steps=steps, lr=_given(args.lr, DEFAULT_LR),
                            seed=_given(args.seed, DEFAULT_SEED),
                            precision=resolve_precision(args.precision or "auto", device, grading=grading),
                            loader_threads=args.loader_threads)
    common = dict(
        out=out, settings=settings, device=device, config=args.config or "compact", input_size=args.input_size, epochs=args.epochs,
        batch_size=_given(args.batch_size, DEFAULT_BATCH_SIZE), init=init or args.init, resume=resume, progress=PrintProgress(),
        log_path=log, pretrained=Pretrained(args.pretrained_resnet, args.pretrained_vgg),
    )
    try:
        if mode == "parsing":
            model, summary = train_parsing(specs, glasses_p=args.glasses or 0.0, **common)
        else:
            model, summary = train_grading(specs[0].path, cascaded=mode == "grading", ordinal_weight=args.ordinal_weight or 0.0,
                                           cache_variants=args.cache_variants or 0, **common)
    except OSError as exc:
        if exc.filename != str(out):  # models.checkpoint names the checkpoint a save could not write
            raise
        raise _checkpoint_not_saved(exc, out, mode) from exc
    if mode == "parsing":
        from models.pipeline.loader import e2_trained

        if e2_trained(model):  # --init from graded weights: their E2 is kept, on a changed z
            print(f"note: {out} keeps the grading network (E2) of its --init weights, trained on the face parser this "
                  f"run changed; its assessments say so until you train stage 2 on it: palsy train grading --init {out}")
    print(f"wrote {out} after {counted(summary['steps'], 'step')} in {summary['elapsed_s']:.0f} s (log {log})")
    return 0


def _checkpoint_not_saved(exc: OSError, out: Path, mode: str) -> InputError:
    """The line for a checkpoint the disk refused mid-run (full, say), at a timed save or the
    last one. A save replaces the file only once it is complete, so `out` still holds the last
    checkpoint saved, which --resume goes on from."""
    from app.cli import os_error_hint
    from models.errors import InputError
    from models.train.loop import unfinished_step

    reason = f"cannot save the checkpoint {out} ({exc.strerror or exc}); {os_error_hint(exc)}"
    kept = unfinished_step(out, mode)
    if kept is None:
        return InputError(f"{reason}, then train again (no step of this run was saved)")
    return InputError(f"{reason}, then add --resume {out} to the same command to go on from step {kept}, the last one saved")


def _check_resume_is_a_checkpoint(resume: str | None) -> None:
    """Refuse the training log given as --resume (it sits beside the checkpoint, `run.jsonl`
    by `run.pt`), before the output checks would blame --out and --log, which the user did not give."""
    from models.errors import InputError

    if resume and Path(resume).suffix.lower() == ".jsonl":
        raise InputError(f"--resume {resume} is a training log (.jsonl), not a checkpoint: give the .pt file palsy train "
                         "wrote")


def _given(value: Any, default: Any) -> Any:
    return default if value is None else value


def _refuse_other_modes_options(args: argparse.Namespace) -> None:
    """Options that `palsy train parsing` or `end-to-end` would silently ignore."""
    from models.errors import InputError

    if args.mode == "parsing":
        for flag, value, what in (
            ("--ordinal-weight", args.ordinal_weight, "grading, end-to-end and demo (a term of the grade loss)"),
            ("--cache-variants", args.cache_variants, "grading, demo and clinic (stage 2 on cached E1 features)"),
        ):
            if value is not None:
                raise InputError(f"{flag} is for palsy train {what}; palsy train parsing trains E1 alone")
    if args.mode == "end-to-end" and args.cache_variants:
        raise InputError("--cache-variants needs a frozen E1 (palsy train grading); the end-to-end baseline trains E1 too")


def _check_init_config(config: str, init: str) -> CheckpointFile:
    """`--config` with `--init`: the run trains the --init checkpoint's network, so they must
    agree. Returns the checkpoint as read, for the run to start from."""
    from models.errors import InputError
    from models.train.checkpoint_file import CheckpointFile

    start = CheckpointFile(init)
    name = start.peek()["config"].get("name")
    if name != config:
        raise InputError(f"--config {config}, but --init {init} holds a {name!r} network; drop --config or give a {config} checkpoint")
    return start


def _resumed_options(args: argparse.Namespace, specs: list[DataSpec]) -> tuple[list[DataSpec], int | None, CheckpointFile]:
    """Check a resume against what its checkpoint recorded and fill in the options left out.

    Returns the data (the given --data, or the recorded folders), the step budget to use
    when neither --epochs nor --minutes is given (the run's own) and the checkpoint as read,
    for the run to go on from. Raises InputError naming every option that differs from the
    run being continued, or a stage that is not this mode."""
    from models.checkpoint import sha256_of
    from models.errors import InputError
    from models.train.checkpoint_file import CheckpointFile
    from models.train.loop import check_resume_stage, train_state_of
    from models.train.stages import DataSpec, data_record

    checkpoint = CheckpointFile(args.resume)
    payload = checkpoint.peek()
    state = train_state_of(payload, args.resume)
    check_resume_stage(state, args.mode, args.resume)
    training = payload.get("training") or {}
    settings = training.get("settings") if isinstance(training.get("settings"), dict) else {}
    recorded: dict[str, Any] = {
        "--config": payload["config"].get("name"),
        "--input-size": payload["config"].get("input_size"),
        "--seed": settings.get("seed"),
        "--lr": settings.get("lr"),
        "--batch-size": training.get("batch_size"),
        "--precision": settings.get("precision"),
    }
    given: dict[str, Any] = {"--config": args.config, "--input-size": args.input_size, "--seed": args.seed, "--lr": args.lr,
                             "--batch-size": args.batch_size, "--precision": args.precision}
    if args.mode == "parsing":
        recorded["--glasses"], given["--glasses"] = training.get("glasses_p"), args.glasses
    else:
        recorded["--ordinal-weight"], given["--ordinal-weight"] = training.get("ordinal_weight"), args.ordinal_weight
        recorded["--cache-variants"], given["--cache-variants"] = training.get("cache_variants"), args.cache_variants
    differ = [f"{flag} {given[flag]} (the run used {recorded[flag]})" for flag in given
              if given[flag] is not None and recorded[flag] is not None and given[flag] != recorded[flag]]
    data = state.get("data")
    if specs and data is not None:
        wanted = [(d["path"], d["weight"]) for d in data_record(specs)]
        used = [(d.get("path"), d.get("weight")) for d in data if isinstance(d, dict)]
        if wanted != used:
            differ.append("--data " + " --data ".join(f"{p}:{w:g}" for p, w in wanted)
                          + " (the run used " + ", ".join(f"{p}:{w:g}" for p, w in used) + ")")
    init = (training.get("init") or {}) if isinstance(training.get("init"), dict) else {}
    if args.init and init.get("sha256") and Path(args.init).is_file() and sha256_of(args.init) != init["sha256"]:
        differ.append(f"--init {args.init} (the run started from {init.get('file')}, another file)")
    if differ:
        raise InputError(f"--resume {args.resume} continues a run with other options: {'; '.join(differ)}; "
                         "leave them out (the run's own are used) or start a new run with another --out")
    for flag, attribute in (("--seed", "seed"), ("--lr", "lr"), ("--batch-size", "batch_size"), ("--glasses", "glasses"),
                            ("--ordinal-weight", "ordinal_weight"), ("--cache-variants", "cache_variants"),
                            ("--precision", "precision")):
        if getattr(args, attribute) is None and recorded.get(flag) is not None:
            setattr(args, attribute, recorded[flag])
    _go_on_with_the_runs_threads(args.threads, settings.get("threads"))
    if not specs:
        if not data:
            raise InputError(f"{args.resume} does not record its data folders (written before they were recorded); "
                             "give the --data of the run it continues")
        specs = [DataSpec(Path(d["path"]), float(d["weight"]), str(d.get("split", "train"))) for d in data]
    budget = None
    if not args.epochs and not args.minutes:
        # The run's own budget: its step count (from --epochs), or its minutes.
        steps, minutes = settings.get("steps"), settings.get("minutes")
        if isinstance(minutes, (int, float)) and minutes > 0:
            args.minutes = float(minutes)
        if isinstance(steps, int) and steps > 0:
            budget = steps
    return specs, budget, checkpoint


def _go_on_with_the_runs_threads(given: int | None, recorded: Any) -> None:
    """--threads on a resume. torch's CPU kernels add up in an order that depends on the thread
    count, so a resume left without --threads takes the run's own count, to go on bit for bit.
    Another count is allowed rather than refused: it is the machine's resource (a busy or a
    smaller machine), not the run's recipe, and it changes only the rounding; a note says so."""
    from app.commands.assess import set_threads

    if isinstance(recorded, bool) or not isinstance(recorded, int) or recorded < 1:
        return  # written before the thread count was recorded
    if given is None:
        set_threads(recorded)
    elif given != recorded:
        print(f"note: --threads {given}, but the run used {recorded}: it goes on, though its weights will not be bit for "
              "bit those of an uninterrupted run (the thread count changes the rounding of sums)", file=sys.stderr)


def _run_clinic(args: argparse.Namespace, device) -> int:
    """`palsy train clinic --data PATIENTS [--data PARSING[:W] ...] [--minutes M] [--out DIR]`."""
    from models.errors import InputError
    from models.train.clinic import SHIPPED, ClinicRecipe, run_clinic

    if not args.data:
        raise InputError("palsy train clinic needs --data PATIENT_DIR (the graded patients), then optional parsing sets")
    if args.epochs or args.resume:
        raise InputError("palsy train clinic takes a --minutes budget and resumes by itself (rerun the same command)")
    if args.from_scratch and args.init:
        raise InputError("give either --init or --from-scratch, not both")
    if not args.from_scratch and (args.config or args.input_size):
        raise InputError("--config and --input-size are for palsy train clinic --from-scratch; a run started from "
                         "weights keeps their network and size")
    ignored = [flag for flag, value in (("--lr", args.lr), ("--ordinal-weight", args.ordinal_weight), ("--log", args.log))
               if value is not None]
    if ignored:
        raise InputError(f"palsy train clinic does not take {', '.join(ignored)}: it follows its recipe "
                         "(docs/train.md) and logs into the --out folder")
    if args.batch_size is not None and args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    recipe = ClinicRecipe(
        patients=args.data[0], parsing=tuple(args.data[1:]), init=None if args.from_scratch else (args.init or SHIPPED),
        work=args.out or "runs/clinic", minutes=120.0 if args.minutes is None else args.minutes,
        config=args.config or "compact", input_size=args.input_size,
        batch_size=_given(args.batch_size, DEFAULT_BATCH_SIZE), seed=_given(args.seed, DEFAULT_SEED),
        precision=args.precision or "auto",
        **({} if args.cache_variants is None else {"cache_variants": args.cache_variants}),
    )
    results = run_clinic(recipe, device)
    print(f"wrote {Path(recipe.work) / 'clinic.pt'} (model card {Path(recipe.work) / 'clinic.md'}); "
          f"{counted(results['patients']['test'], 'test patient')}")
    return 0


def _with_base_size(recipe: DemoRecipe, size: int) -> DemoRecipe:
    """The demo recipe with stages 1 and 2 at `size` px before the input size, or all at it."""
    from dataclasses import replace

    from models.errors import InputError

    if size < 32 or size % 32 or size > recipe.input_size:
        raise InputError(f"--base-size {size}: give a multiple of 32 from 32 to the input size ({recipe.input_size})")
    return recipe.at_one_size() if size == recipe.input_size else replace(recipe, base_size=size)


def _render_patients(out: Path, patients: int, seed: int) -> None:
    """Render a synthetic patient set as the `palsy synth` command does (its options and checks).
    Its errors and a Ctrl-C reach this command's own handling, so an interrupted rendering is
    reported once, as an interruption with the resume hint, not as a failed `palsy synth`."""
    from app.cli import build_parser

    args = build_parser().parse_args(["synth", "--out", str(out), "--patients", str(patients), "--seed", str(seed)])
    args.handler(args)
