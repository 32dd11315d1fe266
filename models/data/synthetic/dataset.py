"""Sets of synthetic patients: balanced grades, subject-wise splits, the on-disk layout.

The layout is the patient data set of DESIGN §4: `ROOT/labels.csv`
(`patient_id,grade,side,split`), `ROOT/PATIENT_ID/EXPRESSION.png` and
`ROOT/PATIENT_ID/masks/EXPRESSION.png`; with several frames per expression the files are
`EXPRESSION_1.png`, `EXPRESSION_2.png`, ... (masks alike). Readers take both mask forms: a
frame's own `masks/EXPRESSION_N.png`, else `masks/EXPRESSION.png` for the expression's first
frame only (`models.data.patients.PatientDataset.photos`).
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from models.atomic_files import replace_when_done
from models.data.patients import fill_empty_splits
from models.data.synthetic.patient import SyntheticPatient, make_patient, render_expression
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.images import write_png

# Within each grade, patients take splits in this repeating order: 2/3 train, 1/6 val, 1/6 test.
_SPLIT_CYCLE: tuple[str, ...] = ("train", "train", "train", "train", "val", "test")


@dataclass(frozen=True)
class PatientEntry:
    """One patient of a synthetic set: its ID, split and generator seed."""

    patient_id: str
    grade: str
    side: str
    split: str
    seed: int


def patient_seed(set_seed: int, index: int) -> int:
    """The generator seed of patient `index` of the set made with `set_seed`."""
    return int(np.random.SeedSequence([int(set_seed), int(index)]).generate_state(1)[0])


def plan_patients(n: int, seed: int) -> list[PatientEntry]:
    """`n` patients with grades balanced (counts differ by at most one), sides alternating
    per grade, and subject-wise train/val/test splits stratified by grade."""
    if n < 1:
        raise ValueError("a synthetic set needs at least one patient")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x6B]))
    grades = [GRADES[i % len(GRADES)] for i in range(n)]
    order = rng.permutation(n)
    grades = [grades[i] for i in order]
    seen = dict.fromkeys(GRADES, 0)
    entries = []
    for index, grade in enumerate(grades):
        k = seen[grade]
        seen[grade] += 1
        side = "none" if grade == "I" else ("left", "right")[(k + int(seed)) % 2]
        split = _SPLIT_CYCLE[(k + GRADES.index(grade)) % len(_SPLIT_CYCLE)]
        entries.append(
            PatientEntry(
                patient_id=f"syn{int(seed)}_{index:05d}",
                grade=grade,
                side=side,
                split=split,
                seed=patient_seed(seed, index),
            )
        )
    # a small set (3 patients: 3/0/0 by the cycle) gets every split, as the readers' own
    # automatic split does; sets of a handful of patients or more are unchanged
    filled = fill_empty_splits({e.patient_id: e.split for e in entries},
                               {e.patient_id: GRADES.index(e.grade) for e in entries}, order=lambda pid: pid)
    return [replace(e, split=filled[e.patient_id]) for e in entries]


def entry_patient(entry: PatientEntry) -> SyntheticPatient:
    """The synthetic patient an entry stands for."""
    return make_patient(entry.seed, entry.grade, entry.side)


def _write_png(path: Path, array: np.ndarray) -> None:
    # Fast compression: sensor noise makes photos nearly incompressible anyway.
    write_png(path, array, compression=1)


def _write_patient(out: Path, entry: PatientEntry, size: int, frames: int) -> str:
    """Render one patient's photos and masks into `out/PATIENT_ID/` (a worker's task)."""
    folder = out / entry.patient_id
    (folder / "masks").mkdir(parents=True, exist_ok=True)
    patient = entry_patient(entry)
    for expression in EXPRESSIONS:
        for frame in range(frames):
            rgb, mask = render_expression(patient, expression, size, frame_seed=frame)
            name = expression if frames == 1 else f"{expression}_{frame + 1}"
            _write_png(folder / f"{name}.png", rgb)
            _write_png(folder / "masks" / f"{name}.png", mask)
    return entry.patient_id


def _ignore_ctrl_c() -> None:
    """A worker's start: Ctrl-C reaches every process of the terminal's group, and only the
    parent decides to stop (a worker that took it sent it back as its patient's error, or left
    the pool hanging). On POSIX the worker already inherits this from its start; on Windows it
    does not."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _ctrl_c_ignored_while_starting_workers() -> Iterator[None]:
    """Ignore Ctrl-C in the parent while it starts the workers (in `submit`): a worker inherits
    that (POSIX) and so is not killed, with a traceback, by a Ctrl-C in the second before its
    initializer runs. A Ctrl-C in these milliseconds is lost; only the main thread may do this."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def write_patient_dataset(
    out: Path,
    patients: int,
    seed: int,
    size: int = 256,
    frames: int = 1,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> list[PatientEntry]:
    """Render a synthetic patient data set into `out` (DESIGN §4 layout) and return its plan.

    `workers` > 1 renders patients in that many processes: every patient depends on its own
    seed only, so the files are the same byte for byte as with one.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    out = Path(out)
    entries = plan_patients(patients, seed)
    out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        if workers == 1 or len(entries) == 1:
            finished = (_write_patient(out, entry, size, frames) for entry in entries)
        else:
            # spawn, not fork: a fresh interpreter is safe whatever threads the caller runs.
            pool = ProcessPoolExecutor(max_workers=min(workers, len(entries)),
                                       mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_ctrl_c)
            # Leaving early (a worker's error, Ctrl-C) drops the patients not yet started and
            # waits only for those being rendered; a plain shutdown rendered every one first.
            stack.callback(pool.shutdown, cancel_futures=True)
            with _ctrl_c_ignored_while_starting_workers():
                futures = [pool.submit(_write_patient, out, entry, size, frames) for entry in entries]
            # .result() raises a worker's error (a full disk, say) here
            finished = (future.result() for future in as_completed(futures))
        for done, _ in enumerate(finished, start=1):
            if progress is not None:
                progress(done, len(entries))
    # labels.csv last: a set without it is visibly incomplete.
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["patient_id", "grade", "side", "split"])
    for entry in entries:
        writer.writerow([entry.patient_id, entry.grade, entry.side, entry.split])
    with replace_when_done(out / "labels.csv") as handle:
        handle.write(text.getvalue().encode())
    return entries
