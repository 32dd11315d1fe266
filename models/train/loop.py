"""A training loop you can read top to bottom (paper §IV, DESIGN §6).

Adam with a poly learning rate (base 2e-4, power 0.9) over the run's budget. The budget is
steps, minutes or both; with minutes the poly schedule follows the fraction of the wall
time spent, so a run cut short by the clock still ends with a decayed rate. Every step
draws its batch from an RNG seeded by (seed, step), so a resumed run sees the same batches
as an uninterrupted one, and a `Step`'s batches can be drawn ahead on threads
(`LoopSettings.loader_threads`, `prefetch`) without changing them. Checkpoints carry the
optimizer state, the step, whether the budget was spent (`finished`), the data the run
reads and the losses of the steps since the last log record (`train_state`); a JSON-lines
log records each start, losses, learning rate and evaluations. Ctrl-C or SIGTERM (on
Windows, which never delivers SIGTERM: Ctrl+Break) saves the state as of the last completed
step, so a resumed run is the straight run bit for bit, batch-norm statistics and log
records included.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from models.cascade import CascadeNet
from models.checkpoint import model_from_payload, read_checkpoint, save_checkpoint
from models.errors import CheckpointError, InputError, Terminated
from models.numbers import finite_above_zero
from models.pipeline.loader import resolve_device as resolve_device  # the assessment's rule
from models.stop_signals import stop_signals, stop_signals_as_interrupt
from models.train.checkpoint_file import CheckpointSource, payload_of
from models.train.precision import autocast, prepare_model, restore_layout
from models.train.prefetch import BatchPrefetcher, auto_threads, batch_rng

StepFn = Callable[[CascadeNet, np.random.Generator, torch.device], tuple[torch.Tensor, dict[str, float]]]


@dataclass(frozen=True)
class Step:
    """A step in two parts, so its batches can be drawn ahead (`prefetch.BatchPrefetcher`):
    `draw(rng)` makes the batch on the CPU from the step's RNG alone (thread-safe), and
    `compute(model, batch, device)` returns (loss, metrics). Called like a `StepFn`."""

    draw: Callable[[np.random.Generator], Any]
    compute: Callable[[CascadeNet, Any, torch.device], tuple[torch.Tensor, dict[str, float]]]

    def __call__(self, model: CascadeNet, rng: np.random.Generator, device: torch.device) -> tuple[torch.Tensor, dict[str, float]]:
        return self.compute(model, self.draw(rng), device)


class Progress(Protocol):
    """What the loop reports to (a console printer, a GUI worker, a test)."""

    def update(self, stage: str, step: int, fraction: float, metrics: dict[str, float]) -> None: ...

    def cancelled(self) -> bool: ...


class PrintProgress:
    """Plain progress lines on stderr, at most one every `every_s` seconds."""

    def __init__(self, every_s: float = 30.0, stream: Any = None) -> None:
        self.every_s = every_s
        self.stream = stream or sys.stderr
        self._last = 0.0

    def update(self, stage: str, step: int, fraction: float, metrics: dict[str, float]) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s and fraction < 1.0:
            return
        self._last = now
        shown = " ".join(f"{k}={v:.4g}" for k, v in metrics.items())
        print(f"[{stage}] step {step} {100 * fraction:5.1f}% {shown}", file=self.stream, flush=True)

    def cancelled(self) -> bool:
        return False


@dataclass
class LoopSettings:
    """Budget and bookkeeping of one training run."""

    stage: str
    steps: int | None = None
    minutes: float | None = None
    lr: float = 2e-4
    power: float = 0.9
    weight_decay: float = 0.0
    seed: int = 0
    log_every: int = 10
    checkpoint_every_s: float = 300.0
    # "fp32" or "bf16" (forward pass under bf16 autocast; `precision.resolve_precision`
    # turns the CLI's "auto" into one of the two before a run starts).
    precision: str = "fp32"
    # Weight layout while training: None follows the precision (`prepare_model`); the
    # grading recipes ask for channels-last, faster in fp32 too (`train_grading`).
    channels_last: bool | None = None
    # Threads that draw batches ahead of the step (`prefetch`; only for a `Step`): None is
    # `prefetch.auto_threads` (none on a CPU, up to 8 on a GPU). The batches stay the same.
    loader_threads: int | None = None

    def __post_init__(self) -> None:
        # A negative or NaN budget never ends (the fraction done stays below 1), so it is
        # refused here for every caller, not only by the CLI's argument types.
        if self.steps is None and self.minutes is None:
            raise InputError("give a training budget: --epochs or --minutes")
        if self.steps is not None and (isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 1):
            raise InputError(f"the step budget must be a whole number of 1 or more, got {self.steps!r}")
        if self.minutes is not None and not finite_above_zero(self.minutes):
            raise InputError(f"--minutes must be a finite number above 0, got {self.minutes!r}")
        if not finite_above_zero(self.lr):
            raise InputError(f"--lr must be a finite number above 0, got {self.lr!r}")
        if self.precision not in ("fp32", "bf16"):
            raise InputError(f"training precision must be fp32 or bf16, got {self.precision!r}")
        if self.loader_threads is not None and self.loader_threads < 0:
            raise InputError("--loader-threads must be 0 or more")


def check_epochs(epochs: float | None) -> None:
    """An --epochs budget is a finite number above 0 (or None: none given)."""
    if epochs is not None and not finite_above_zero(epochs):
        raise InputError(f"--epochs must be a finite number above 0, got {epochs!r}")


def resume_checkpoint(path: CheckpointSource) -> tuple[CascadeNet, dict[str, Any], dict[str, Any]]:
    """Model, checked `train_state` and training record of a checkpoint written by `train`
    (a `CheckpointFile` the caller checked gives its payload: the file is not read again)."""
    payload = payload_of(path)
    state = train_state_of(payload, path)
    return model_from_payload(payload, Path(path).name), state, payload.get("training") or {}


def train_state_of(payload: dict[str, Any], path: str | Path) -> dict[str, Any]:
    """A checkpoint's `train_state`, its fields type-checked (an edited file is one
    CheckpointError, not a KeyError or ValueError deep in the loop)."""
    state = payload.get("train_state")
    if not isinstance(state, dict):
        raise InputError(f"{path} holds no training state (it is a final or shipped checkpoint); train anew with --init instead")

    def damaged(detail: str) -> CheckpointError:
        return CheckpointError(f"{Path(path).name} is damaged or was modified: train_state {detail}; "
                               "resume from another checkpoint or train anew")

    optimizer = state.get("optimizer")
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("state"), dict) \
            or not isinstance(optimizer.get("param_groups"), list):
        raise damaged("has no optimizer state" if optimizer is None else "optimizer is not an optimizer state")
    step = state.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise damaged(f"step is {str(step)[:20]!r}, not a whole number of 0 or more")
    elapsed = state.get("elapsed_s", 0.0)
    if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or not math.isfinite(elapsed) or elapsed < 0:
        raise damaged(f"elapsed_s is {str(elapsed)[:20]!r}, not a number of seconds")
    for key, kind in (("stage", str), ("finished", bool), ("data", list), ("running_losses", list)):
        if key in state and not isinstance(state[key], kind):
            raise damaged(f"{key} has type {type(state[key]).__name__}, not {kind.__name__}")
    if not all(isinstance(loss, float) and math.isfinite(loss) for loss in state.get("running_losses", [])):
        raise damaged("running_losses holds something other than finite losses")
    for entry in state.get("data", []):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) or not isinstance(entry.get("split", ""), str) \
                or not finite_above_zero(entry.get("weight")):
            raise damaged(f"data entry {str(entry)[:60]!r} is not a folder with a weight")
    return state


def check_resume_stage(state: dict[str, Any], stage: str, path: str | Path | None = None) -> None:
    """Refuse to go on from another stage's checkpoint (its optimizer holds other parameters,
    and its weights were trained for another job)."""
    recorded = state.get("stage")
    if recorded is not None and recorded != stage:
        where = f"--resume {path}" if path else "the checkpoint to resume"
        init = f"--init {path}" if path else "--init"
        raise InputError(f"{where} holds a checkpoint of palsy train {recorded}, not {stage}; resume it with palsy train {recorded}, "
                         f"or start {stage} from its weights with {init}")


def unfinished_step(path: str | Path, stage: str) -> int | None:
    """The step at which an interrupted `stage` run left the checkpoint `path`, or None (no
    file, not a readable checkpoint, another stage's, or a run that spent its budget)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        payload = read_checkpoint(path)
        state = train_state_of(payload, path)
    except (CheckpointError, InputError):
        return None
    if state.get("stage") != stage:
        return None
    if "finished" in state:
        return None if state["finished"] else state["step"]
    # Written before `finished` was recorded: compare with the recorded budget.
    settings = (payload.get("training") or {}).get("settings") or {}
    steps, minutes = settings.get("steps"), settings.get("minutes")
    if isinstance(steps, int) and steps > 0 and state["step"] >= steps:
        return None
    if isinstance(minutes, (int, float)) and minutes > 0 and float(state.get("elapsed_s", 0.0)) >= minutes * 60.0:
        return None
    return state["step"]


def check_output_paths(out: str | Path, log: str | Path | None = None) -> None:
    """Refuse a checkpoint or log path that cannot be written, before any training: an
    existing folder, a path under a file, a folder that is not writable, or both the same."""
    named = [("--out", Path(out))] + ([("--log", Path(log))] if log else [])
    if log and Path(out).resolve() == Path(log).resolve():
        raise InputError(f"--out and --log both name {out}; give the log another file")
    for option, path in named:
        if path.is_dir():
            raise InputError(f"{option} {path} is a folder; give a file path (such as {path / 'run.pt' if option == '--out' else path / 'run.jsonl'})")
        parent = path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            raise InputError(f"{option} {path}: {parent} is a file, not a folder; choose another path")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InputError(f"{option} {path}: the folder {parent} is not writable; choose another path")
        if path.exists() and not os.access(path, os.W_OK) and option == "--log":
            raise InputError(f"--log {path} is not writable; choose another path")


def _log(path: Path | None, record: dict[str, Any]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


@torch.no_grad()
def _copy_all(targets: list[torch.Tensor], sources: list[torch.Tensor]) -> None:
    """targets[i] <- sources[i], in one call where torch has it (a kernel per buffer on a GPU otherwise)."""
    if not targets:
        return
    if hasattr(torch, "_foreach_copy_"):
        torch._foreach_copy_(targets, sources)
    else:
        for target, source in zip(targets, sources, strict=True):
            target.copy_(source)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Ctrl-C (or SIGTERM/SIGBREAK, see `models.stop_signals`) inside the block takes effect when it
    ends: the optimizer's update of the parameters and its moments is never left half done,
    nor the save after an interruption (only in the main thread, where Python delivers
    signals; a handler that is not a Python function is left alone)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [n for n in (signal.SIGINT, *stop_signals()) if callable(signal.getsignal(n))]
    previous = {n: signal.getsignal(n) for n in numbers}
    caught: list[tuple[int, Any]] = []
    for number in numbers:
        signal.signal(number, lambda signum, frame: caught.append((signum, frame)))
    try:
        yield
    finally:
        for number in numbers:
            signal.signal(number, previous[number])
    if caught:
        signum, frame = caught[0]
        previous[signum](signum, frame)  # Python's SIGINT handler raises KeyboardInterrupt here, ours Terminated


def superseded_records(log: Path | None, step: int) -> int:
    """How many step records the log holds, since its last `start`, of a step above `step`:
    the steps of a run killed (kill -9, a power cut) after its last checkpoint, which a run
    resumed from that checkpoint at `step` trains again."""
    if log is None or not log.is_file():
        return 0
    count = 0
    with log.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by the kill
            if not isinstance(record, dict):
                continue
            if record.get("event") == "start":
                count = 0
            elif "event" not in record and isinstance(record.get("step"), int) and record["step"] > step:
                count += 1
    return count


def train(
    model: CascadeNet,
    step_fn: StepFn,
    settings: LoopSettings,
    out: str | Path,
    device: torch.device,
    progress: Progress | None = None,
    resume_state: dict[str, Any] | None = None,
    log_path: str | Path | None = None,
    training_info: dict[str, Any] | None = None,
    run_record: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run the loop; writes `out` (resumable checkpoint) and returns a summary dict.

    `step_fn(model, rng, device)` returns (loss, metrics for the log). Stops when the step
    or time budget is spent or `progress.cancelled()`; the checkpoint is written either way,
    and on Ctrl-C or SIGTERM (KeyboardInterrupt or its subclass `Terminated`, raised again
    after the checkpoint), as of the last completed step. `run_record` (say, the data folders) is stored in `train_state` for a resume.
    `meta` adds entries to the checkpoint's dict (the cautions of --init weights: `stages.inherited_cautions`).
    """
    progress = progress or PrintProgress()
    out = Path(out)
    log_file = Path(log_path) if log_path else None
    check_output_paths(out, log_file)
    if resume_state:
        check_resume_stage(resume_state, settings.stage)
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    # Denormals in late training can slow CPU steps several-fold; flushing them is harmless.
    torch.set_flush_denormal(True)
    prepare_model(model.to(device), settings.precision, settings.channels_last).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=settings.lr, weight_decay=settings.weight_decay)
    step, spent = 0, 0.0
    running: list[float] = []  # the losses of the steps since the last log record
    if resume_state:
        try:
            optimizer.load_state_dict(resume_state["optimizer"])
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise CheckpointError(f"the optimizer state of the checkpoint does not fit this {settings.stage} run's parameters "
                                  f"({str(exc).splitlines()[0][:120]}); resume with the mode that wrote it") from exc
        step, spent = int(resume_state["step"]), float(resume_state.get("elapsed_s", 0.0))
        # the block cut short goes on, so the next record is the straight run's mean, not that of the steps since the resume
        running = list(resume_state.get("running_losses", []))
    budget_s = settings.minutes * 60.0 if settings.minutes else None
    start = time.monotonic() - spent
    done_at = time.monotonic()  # when the last completed step ended
    first_step = step + 1  # this run's first (its progress line comes at once)
    # The thread count changes the rounding of the CPU kernels' sums: recorded, so a resume can keep it.
    info = {"stage": settings.stage, "settings": {**asdict(settings), "threads": torch.get_num_threads()},
            **(training_info or {})}
    # A resumed run's start names the step its checkpoint held: records of later steps logged
    # before it (a run killed after its last save) are superseded, and counted.
    resumed = {"superseded": superseded_records(log_file, step)} if resume_state else {}
    _log(log_file, {"event": "start", "stage": settings.stage, "step": step, "resumed": bool(resume_state), **resumed,
                    "time": datetime.now(timezone.utc).isoformat(timespec="seconds")})

    def fraction_done() -> float:
        by_steps = step / settings.steps if settings.steps else 0.0
        by_time = (time.monotonic() - start) / budget_s if budget_s else 0.0
        return min(1.0, max(by_steps, by_time))

    def write_checkpoint(finished: bool = False) -> None:
        state = {"optimizer": optimizer.state_dict(), "step": step, "elapsed_s": done_at - start, "stage": settings.stage,
                 "finished": finished, "running_losses": list(running), **(run_record or {})}
        save_checkpoint(model, out, training=info, extra={**(meta or {}), "train_state": state})

    def log_block(report: bool = True, partial: bool = False) -> None:
        """The mean loss of the steps since the last record (every `log_every`, and the rest at the end).
        `partial`: a block cut short by a stop before the budget was spent; the checkpoint keeps its
        losses, so a resumed run logs the whole block again."""
        if not running:
            return
        record = {
            "stage": settings.stage,
            "step": step,
            "loss": float(np.mean(running)),
            "lr": optimizer.param_groups[0]["lr"],
            "elapsed_s": round(done_at - start, 1),
            **last_metrics,
            **({"partial": True} if partial else {}),
        }
        running.clear()
        _log(log_file, record)
        last_logged.update(loss=record["loss"], lr=record["lr"])
        if report:
            progress.update(settings.stage, step, fraction_done(), {"loss": record["loss"], "lr": record["lr"]})

    threads = settings.loader_threads if settings.loader_threads is not None else auto_threads(device)
    prefetcher = BatchPrefetcher(step_fn.draw, settings.seed, threads) if threads and isinstance(step_fn, Step) else None
    # Batch norm updates its running statistics in the forward pass: a step cut short by
    # Ctrl-C must not leave them in the checkpoint, or the resumed run counts that batch twice.
    saved = [b.detach().clone() for b in model.buffers()]
    last_save = time.monotonic()
    last_metrics: dict[str, float] = {}
    last_logged: dict[str, float] = {}  # the last record's loss and lr, for the closing progress line
    cancelled = False
    in_step = False
    with stop_signals_as_interrupt():  # `kill PID` saves the steps done, as Ctrl-C does
        try:
            while fraction_done() < 1.0:
                if progress.cancelled():
                    cancelled = True
                    break
                for group in optimizer.param_groups:
                    group["lr"] = settings.lr * (1.0 - fraction_done()) ** settings.power
                _copy_all(saved, list(model.buffers()))
                in_step = True
                torch.manual_seed(settings.seed * 1_000_003 + step)
                with autocast(settings.precision, device):
                    if prefetcher is not None:
                        loss, metrics = step_fn.compute(model, prefetcher.get(step), device)
                    else:
                        loss, metrics = step_fn(model, batch_rng(settings.seed, step), device)
                value = float(loss.detach())  # the step's one device sync (it was after the update)
                if not math.isfinite(value):
                    # Diverged: the update would write NaN into every weight. Keep the state after
                    # the last good step (this forward pass's batch-norm statistics undone) and stop.
                    _copy_all(list(model.buffers()), saved)
                    in_step = False
                    restore_layout(model)
                    write_checkpoint()
                    log_block(report=False, partial=True)
                    _log(log_file, {"event": "diverged", "stage": settings.stage, "steps": step, "loss": str(value)})
                    raise InputError(
                        f"training diverged at step {step + 1}: the loss became {value} (learning rate "
                        f"{optimizer.param_groups[0]['lr']:.3g}); {out} keeps the weights after step {step}, but the same "
                        "run would diverge again: start a new run with a lower --lr")
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                with _signals_deferred():  # the step counted with its loss: the checkpoint of a stop holds both
                    optimizer.step()
                    step += 1
                    running.append(value)
                    last_metrics = metrics
                    in_step = False
                done_at = time.monotonic()
                if step % settings.log_every == 0:
                    log_block()
                elif step == first_step:  # a slow first step (a large network on a CPU) looked like a hang
                    progress.update(settings.stage, step, fraction_done(), {"loss": value, "lr": optimizer.param_groups[0]["lr"]})
                if time.monotonic() - last_save > settings.checkpoint_every_s:
                    write_checkpoint()
                    last_save = time.monotonic()
        except KeyboardInterrupt as exc:
            # Ctrl-C or SIGTERM keeps the steps done, not only the last timed save: a rerun
            # resumes here, from the state after the last completed step (the parameters are
            # untouched until the optimizer's update, which a signal does not cut in two).
            with _signals_deferred():  # a second signal waits for the save
                if in_step:
                    _copy_all(list(model.buffers()), saved)
                restore_layout(model)
                write_checkpoint()
                log_block(report=False, partial=True)
                _log(log_file, {"event": "interrupted", "stage": settings.stage, "steps": step,
                                **({"signal": getattr(exc, "signal_name", "SIGTERM")}
                                   if isinstance(exc, Terminated) else {})})
            raise
        finally:
            if prefetcher is not None:
                prefetcher.close()
    restore_layout(model)
    write_checkpoint(finished=not cancelled)
    log_block(report=False, partial=cancelled)
    elapsed = time.monotonic() - start
    summary = {"stage": settings.stage, "steps": step, "elapsed_s": round(elapsed, 1), "cancelled": cancelled}
    _log(log_file, {"event": "end", **summary})
    progress.update(settings.stage, step, 1.0, {**last_logged, "elapsed_s": elapsed})
    return summary
