"""`palsy train parsing|grading|end-to-end|demo` (DESIGN §6, §8)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.train.demo import DemoRecipe

MODES = ("parsing", "grading", "end-to-end", "demo", "clinic")


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
    parser.add_argument("--epochs", type=float, default=None, help="passes over the training images")
    parser.add_argument("--minutes", type=float, default=None, help="wall-clock budget; the poly LR follows the time spent")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=None, help="base learning rate of the poly schedule (default 2e-4; "
                        "demo and clinic use their recipes' rates)")
    parser.add_argument("--out", default=None, help="checkpoint to write (default runs/<mode>.pt; demo: resources/weights; "
                        "clinic: a folder, default runs/clinic)")
    parser.add_argument("--resume", default=None, help="continue from a checkpoint written by palsy train")
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
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", default=None, help="JSON-lines log (default: the checkpoint path with .jsonl)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)")
    parser.add_argument("--loader-threads", type=int, default=None, metavar="N",
                        help="parsing / grading / end-to-end: threads that draw and augment batches ahead of the "
                        "training step (the same batches either way; default: none on a CPU, up to 8 on a GPU; "
                        "demo and clinic use the default)")
    parser.add_argument(
        "--precision", default="auto", choices=("auto", "fp32", "bf16"),
        help="forward pass in fp32 or bf16 autocast (weights stay fp32); auto = bf16 where the CPU or GPU runs it "
        "natively (AMX / AVX-512 BF16, Ampere or later), else fp32; grading and end-to-end: auto = fp32. "
        "For demo: stage 1 only (stage 2 stays fp32)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from models.errors import InputError
    from models.train.loop import LoopSettings, PrintProgress, resolve_device
    from models.train.precision import resolve_precision
    from models.train.stages import DataSpec, train_grading, train_parsing

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    if args.loader_threads is not None and args.mode in ("demo", "clinic"):
        raise InputError(f"--loader-threads is for palsy train parsing, grading and end-to-end; palsy train {args.mode} "
                         "draws batches ahead by itself on a GPU (none on a CPU)")
    if args.mode == "demo":
        from dataclasses import replace

        from models.train.demo import DemoRecipe, run_demo

        recipe = DemoRecipe(seed=args.seed, precision=args.precision)
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
    if args.mode == "clinic":
        return _run_clinic(args, device)
    if args.e1_from or args.grading_at or args.keep_e2 or args.e1_polish_minutes is not None or args.base_size is not None:
        raise InputError("--e1-from, --keep-e2, --e1-polish-minutes, --grading-at and --base-size are for palsy train demo; "
                         "for stage 2 on a trained E1 use "
                         "palsy train grading --init")
    if args.from_scratch:
        raise InputError("--from-scratch is for palsy train clinic; the other modes start from scratch unless --init is given")
    if not args.data and not args.resume:
        raise InputError(f"palsy train {args.mode} needs --data DIR (or --resume CHECKPOINT)")
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    out = Path(args.out or f"runs/{args.mode}.pt")
    log = Path(args.log) if args.log else out.with_suffix(".jsonl")
    settings = LoopSettings(stage=args.mode, minutes=args.minutes, lr=2e-4 if args.lr is None else args.lr, seed=args.seed, steps=None if not args.epochs else 1,
                            precision=resolve_precision(args.precision, device, grading=args.mode != "parsing"),
                            loader_threads=args.loader_threads)
    specs = [DataSpec.parse(text) for text in args.data]
    common = dict(
        out=out, settings=settings, device=device, config=args.config or "compact", input_size=args.input_size, epochs=args.epochs,
        batch_size=args.batch_size, init=args.init, resume=args.resume, progress=PrintProgress(), log_path=log,
    )
    if args.mode == "parsing":
        _, summary = train_parsing(specs, glasses_p=args.glasses or 0.0, **common)
    else:
        if len(specs) != 1:
            raise InputError(f"palsy train {args.mode} takes one patient data folder (--data DIR)")
        _, summary = train_grading(specs[0].path, cascaded=args.mode == "grading", ordinal_weight=args.ordinal_weight or 0.0,
                                   cache_variants=args.cache_variants or 0, **common)
    print(f"wrote {out} after {summary['steps']} steps in {summary['elapsed_s']:.0f} s (log {log})")
    return 0


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
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    recipe = ClinicRecipe(
        patients=args.data[0], parsing=tuple(args.data[1:]), init=None if args.from_scratch else (args.init or SHIPPED),
        work=args.out or "runs/clinic", minutes=120.0 if args.minutes is None else args.minutes,
        config=args.config or "compact", input_size=args.input_size,
        batch_size=args.batch_size, seed=args.seed, precision=args.precision,
        **({} if args.cache_variants is None else {"cache_variants": args.cache_variants}),
    )
    results = run_clinic(recipe, device)
    print(f"wrote {Path(recipe.work) / 'clinic.pt'} (model card {Path(recipe.work) / 'clinic.md'}); "
          f"{results['patients']['test']} test patients")
    return 0


def _with_base_size(recipe: DemoRecipe, size: int) -> DemoRecipe:
    """The demo recipe with stages 1 and 2 at `size` px before the input size, or all at it."""
    from dataclasses import replace

    from models.errors import InputError

    if size < 32 or size % 32 or size > recipe.input_size:
        raise InputError(f"--base-size {size}: give a multiple of 32 from 32 to the input size ({recipe.input_size})")
    return recipe.at_one_size() if size == recipe.input_size else replace(recipe, base_size=size)


def _render_patients(out: Path, patients: int, seed: int) -> None:
    """Render a synthetic patient set through the `palsy synth` command (its CLI contract)."""
    from app.cli import main
    from models.errors import InputError

    status = main(["synth", "--out", str(out), "--patients", str(patients), "--seed", str(seed)])
    if status != 0:
        raise InputError(f"palsy synth failed (exit {status}) while rendering {out}")
