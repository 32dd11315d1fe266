"""A training loop you can read top to bottom (paper §IV, DESIGN §6).

Adam with a poly learning rate (base 2e-4, power 0.9) over the run's budget. The budget is
steps, minutes or both; with minutes the poly schedule follows the fraction of the wall
time spent, so a run cut short by the clock still ends with a decayed rate. Every step
draws its batch from an RNG seeded by (seed, step), so a resumed run sees the same batches
as an uninterrupted one, and a `Step`'s batches can be drawn ahead on threads
(`LoopSettings.loader_threads`, `prefetch`) without changing them. Checkpoints carry the
optimizer state and the step (`train_state`); a JSON-lines log records losses, learning rate
and evaluations.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from models.cascade import CascadeNet
from models.checkpoint import model_from_payload, read_checkpoint, save_checkpoint
from models.errors import InputError
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
        if not self.steps and not self.minutes:
            raise InputError("give a training budget: --epochs/steps or --minutes")
        if self.precision not in ("fp32", "bf16"):
            raise InputError(f"training precision must be fp32 or bf16, got {self.precision!r}")
        if self.loader_threads is not None and self.loader_threads < 0:
            raise InputError("--loader-threads must be 0 or more")


def resolve_device(name: str = "auto") -> torch.device:
    """'auto' -> cuda when available else cpu; 'cuda' without a GPU is a user error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda was asked for but no CUDA GPU is available; use --device cpu or auto")
    if name not in ("cpu", "cuda"):
        raise InputError(f"unknown device {name!r}; use auto, cpu or cuda")
    return torch.device(name)


def load_for_resume(path: str | Path) -> tuple[CascadeNet, dict[str, Any]]:
    """Model and `train_state` (optimizer, step, elapsed) of a checkpoint written by `train`."""
    payload = read_checkpoint(path)
    state = payload.get("train_state")
    if not isinstance(state, dict):
        raise InputError(f"{path} holds no training state (it is a final or shipped checkpoint); train anew with --init instead")
    return model_from_payload(payload, Path(path).name), state


def _log(path: Path | None, record: dict[str, Any]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


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
) -> dict[str, Any]:
    """Run the loop; writes `out` (resumable checkpoint) and returns a summary dict.

    `step_fn(model, rng, device)` returns (loss, metrics for the log). Stops when the step
    or time budget is spent or `progress.cancelled()`; the checkpoint is written either way,
    and on Ctrl-C (KeyboardInterrupt, raised again after the checkpoint).
    """
    progress = progress or PrintProgress()
    out = Path(out)
    log_file = Path(log_path) if log_path else None
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    # Denormals in late training can slow CPU steps several-fold; flushing them is harmless.
    torch.set_flush_denormal(True)
    prepare_model(model.to(device), settings.precision, settings.channels_last).train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=settings.lr, weight_decay=settings.weight_decay)
    step, spent = 0, 0.0
    if resume_state:
        optimizer.load_state_dict(resume_state["optimizer"])
        step, spent = int(resume_state["step"]), float(resume_state.get("elapsed_s", 0.0))
    budget_s = settings.minutes * 60.0 if settings.minutes else None
    start = time.monotonic() - spent
    info = {"stage": settings.stage, "settings": asdict(settings), **(training_info or {})}

    def fraction_done() -> float:
        by_steps = step / settings.steps if settings.steps else 0.0
        by_time = (time.monotonic() - start) / budget_s if budget_s else 0.0
        return min(1.0, max(by_steps, by_time))

    def write_checkpoint() -> None:
        state = {"optimizer": optimizer.state_dict(), "step": step, "elapsed_s": time.monotonic() - start, "stage": settings.stage}
        save_checkpoint(model, out, training=info, extra={"train_state": state})

    threads = settings.loader_threads if settings.loader_threads is not None else auto_threads(device)
    prefetcher = BatchPrefetcher(step_fn.draw, settings.seed, threads) if threads and isinstance(step_fn, Step) else None
    last_save = time.monotonic()
    running: list[float] = []
    cancelled = False
    try:
        while fraction_done() < 1.0:
            if progress.cancelled():
                cancelled = True
                break
            for group in optimizer.param_groups:
                group["lr"] = settings.lr * (1.0 - fraction_done()) ** settings.power
            torch.manual_seed(settings.seed * 1_000_003 + step)
            with autocast(settings.precision, device):
                if prefetcher is not None:
                    loss, metrics = step_fn.compute(model, prefetcher.get(step), device)
                else:
                    loss, metrics = step_fn(model, batch_rng(settings.seed, step), device)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            running.append(float(loss.detach()))
            if step % settings.log_every == 0:
                record = {
                    "stage": settings.stage,
                    "step": step,
                    "loss": float(np.mean(running)),
                    "lr": optimizer.param_groups[0]["lr"],
                    "elapsed_s": round(time.monotonic() - start, 1),
                    **metrics,
                }
                running.clear()
                _log(log_file, record)
                progress.update(settings.stage, step, fraction_done(), {"loss": record["loss"], "lr": record["lr"]})
            if time.monotonic() - last_save > settings.checkpoint_every_s:
                write_checkpoint()
                last_save = time.monotonic()
    except KeyboardInterrupt:
        # Ctrl-C keeps the steps done, not only the last timed save: a rerun resumes here.
        restore_layout(model)
        write_checkpoint()
        _log(log_file, {"event": "interrupted", "stage": settings.stage, "steps": step})
        raise
    finally:
        if prefetcher is not None:
            prefetcher.close()
    restore_layout(model)
    write_checkpoint()
    elapsed = time.monotonic() - start
    summary = {"stage": settings.stage, "steps": step, "elapsed_s": round(elapsed, 1), "cancelled": cancelled}
    _log(log_file, {"event": "end", **summary})
    progress.update(settings.stage, step, 1.0, {"elapsed_s": elapsed})
    return summary
