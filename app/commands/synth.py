"""`palsy synth`: render a synthetic House-Brackmann patient data set with masks."""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
from pathlib import Path

from models.counted import counted


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="render synthetic graded patients (six expressions, exact masks)",
        description="Render synthetic patients with balanced House-Brackmann grades in the "
        "patient data set layout (labels.csv, PATIENT_ID/EXPRESSION.png, PATIENT_ID/masks/).",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--patients", required=True, type=int, help="number of patients")
    parser.add_argument(
        "--seed", required=True, type=int, help="seed of the set (same seed, same set)"
    )
    parser.add_argument("--size", type=int, default=256, help="image size in pixels (default 256)")
    parser.add_argument("--frames", type=int, default=1, help="photos per expression (default 1)")
    parser.add_argument(
        "--force", action="store_true",
        help="replace the set already in the folder: the patient folders its labels.csv lists are "
        "removed first (nothing else in the folder is touched)",
    )
    parser.add_argument(
        "--workers", type=int, default=None,
        help="processes that render patients in parallel (the same files as one; default: one "
        "per CPU, at most 8, and at least 8 patients each)",
    )
    parser.set_defaults(handler=run)


def default_workers(patients: int) -> int:
    """One process per CPU, at most 8, each with at least 8 patients (a process costs about a
    second to start)."""
    return max(1, min(os.cpu_count() or 1, 8, patients // 8))


def run(args: argparse.Namespace) -> int:
    from models.data.synthetic.dataset import write_patient_dataset
    from models.data.synthetic.patient import MAX_SIZE, MIN_SIZE
    from models.errors import InputError

    if args.patients < 1:
        raise InputError(f"--patients must be at least 1, got {args.patients}")
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        raise InputError(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, got {args.size}")
    if args.frames < 1:
        raise InputError(f"--frames must be at least 1, got {args.frames}")
    if args.seed < 0:
        raise InputError(f"--seed must be 0 or more, got {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    workers = args.workers or default_workers(args.patients)
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; name a folder")
    if (out / "labels.csv").exists():
        if not args.force:
            raise InputError(
                f"{out} already holds a data set (labels.csv); choose another --out or add --force"
            )
        removed = remove_old_set(out)
        print(f"removed the {counted(removed, 'patient folder')} of the set that was in {out}", file=sys.stderr)

    start = time.perf_counter()
    # \r progress is for a terminal only (as `palsy assess`): in a log file or a pipe it is one
    # long line of carriage returns
    on_terminal = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if done == total or done % max(1, total // 20) == 0:
            print(f"\rrendered {done}/{total} patients", end="", file=sys.stderr, flush=True)

    try:
        entries = write_patient_dataset(
            out, args.patients, args.seed, args.size, args.frames, progress if on_terminal else None, workers
        )
    except OSError as exc:
        if on_terminal:
            print(file=sys.stderr)  # the error on a line of its own, not after the progress count
        raise unwritable(out, exc) from exc
    if on_terminal:
        print(file=sys.stderr)
    splits = {s: sum(e.split == s for e in entries) for s in ("train", "val", "test")}
    print(
        f"wrote {counted(len(entries), 'patient')} x 6 expressions x {counted(args.frames, 'frame')} to {out} "
        f"(train {splits['train']}, val {splits['val']}, test {splits['test']}) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return 0


def unwritable(out: Path, exc: OSError) -> Exception:
    """The line for a data set the disk refused: the system's reason in words and what to do. A
    file where a folder of --out should be is named ("Not a directory" names neither)."""
    from app.cli import os_error_hint
    from app.records.errors import file_in_the_way
    from models.errors import InputError

    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and (blocker := file_in_the_way(out)) is not None:
        return InputError(f"cannot write the data set into {out}: {blocker} is a file, not a folder; "
                          "choose another --out folder")
    return InputError(f"cannot write the data set into {out} ({exc.strerror or exc}); {os_error_hint(exc)}")


def remove_old_set(out: Path) -> int:
    """Remove the set in `out` before `--force` writes another: the folders its labels.csv lists
    (plain folder names directly in `out`; a link is removed, not what it points to), then the
    labels.csv. Nothing else is touched. Left in place, a larger old set's patients would stay
    beside the new set's, and an old patient's extra frames (`rest_2.png`) inside a new one's
    folder. Returns the number of folders removed; InputError when labels.csv cannot be read."""
    import shutil

    from models.data.patients import listed_patient_ids
    from models.errors import InputError

    labels = out / "labels.csv"
    try:
        ids = listed_patient_ids(labels)
    except InputError as exc:
        raise InputError(f"--force replaces the set in {out}, but its patients cannot be read: {exc}; "
                         "fix or delete that labels.csv first") from None
    removed = 0
    inside = out.resolve()
    for pid in ids:
        if not pid or pid in (".", "..") or any(c in pid for c in "/\\\0"):
            continue  # not a name inside the set (`../x`): never followed. An id only Windows
            # reads otherwise (`C:..`) is left to the check below: on Linux `2024:01` or `P1.`
            # is the old set's own folder and goes, as before
        folder = out / pid
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            if folder.resolve().parent != inside:
                continue  # a junction or a name the file system reads otherwise: not this set's folder
            shutil.rmtree(folder)
        else:
            continue
        removed += 1
    labels.unlink()  # after the folders: an interrupted removal still needs --force to go on
    return removed
