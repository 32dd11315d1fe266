"""Bookkeeping of multi-stage recipes (`palsy train demo`, `palsy train clinic`): which stages
finished, with what result, so a rerun after a crash or a kill goes on from the last one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.atomic_files import replace_when_done
from models.counted import counted


class RunState:
    """Finished stages and their results, persisted as JSON (atomically) after every stage."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}

    def done(self, key: str) -> bool:
        return key in self.data

    def record(self, key: str, value: Any) -> None:
        self.data[key] = value
        with replace_when_done(self.path) as handle:  # a crash leaves the previous state, never half a file
            handle.write(json.dumps(self.data, indent=2).encode())

    def start_attempt(self) -> None:
        """Stamp the run's first start, and count the starts until it ends (an interrupted run
        resumed later is one run over several starts, its wall time taken from the first)."""
        if not self.done("first_start"):
            self.record("first_start", time.time())
        if not self.done("run_wall_s"):
            self.record("starts", int(self.data.get("starts", 0)) + 1)

    def run_wall_s(self) -> float:
        """Seconds from the first start to the end, measured once when the run first gets there:
        a later rerun that only rewrites the files keeps the run's own wall time."""
        if not self.done("run_wall_s"):
            self.record("run_wall_s", round(time.time() - float(self.data["first_start"]), 1))
        return float(self.data["run_wall_s"])


def starts_note(state: dict[str, Any]) -> str:
    """For a card's wall time: '' for a run done in one start, else how many starts it took."""
    starts = int(state.get("starts", 1))
    return f" from its first start to its end, over {starts} starts (the pauses between them included)" if starts > 1 else ""


def say(message: str, tag: str = "demo") -> None:
    print(f"[{tag} {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_stage(
    state: RunState, work: Path, key: str, label: str, train: Callable[[Path, Path | None, Path], dict[str, Any]],
    tag: str = "demo",
) -> Path:
    """Train stage `key` into `work/key.pt` unless `state` records it finished.

    `train(out, resume, log)` runs the stage and returns its loop summary; `resume` is the
    checkpoint an interrupted run left behind (None for a fresh start).
    """
    out = work / f"{key}.pt"
    if not state.done(key):
        resume = out if out.is_file() else None
        say(f"{label}: {'resuming the interrupted stage from ' + out.name if resume else 'starting'}", tag)
        summary = train(out, resume, work / f"{key}.jsonl")
        state.record(key, summary)
        say(f"{label} done: {counted(summary['steps'], 'step')} in {summary['elapsed_s']} s", tag)
    return out


def keep_or_write_final(state: RunState, source: Path, target: Path, record: Any, write: Callable[[], str]) -> str:
    """The sha256 of the recipe's final weights file `target`, written by `write()` (which
    returns it) unless a rerun of a finished run finds it as written before from this very
    `source` checkpoint with the same `record` (training record and metrics): then the file,
    and the sha256 its reports and manifest cite, stay as they are."""
    import hashlib

    from models.checkpoint import sha256_of

    made_from = hashlib.sha256((sha256_of(source) + json.dumps(record, sort_keys=True, default=str)).encode()).hexdigest()
    written = state.data.get("final") or {}
    if written.get("from") == made_from and target.is_file() and sha256_of(target) == written.get("sha256"):
        return str(written["sha256"])
    sha = write()
    state.record("final", {"sha256": sha, "from": made_from})
    return sha
