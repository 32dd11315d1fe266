"""What a benchmark ran on, for its JSON report.

A timing means little without its machine, load, torch build, thread count and repetitions: on
a shared machine one script's headline ratio swung from 1.34x to 2.76x with the load, and no
report said how loaded the machine was or how many runs its medians came from.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux): `platform.processor()` there says only
    x86_64. Not `models.train.machine.cpu_name`: that module imports torch, which the records
    and GUI-launch benchmarks leave out of what they time."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> float | None:
    """The 1-minute load average; None where the system keeps none (Windows)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _torch_version() -> str | None:
    """The installed torch, read without importing it: some benchmarks time a torch-free path."""
    loaded = sys.modules.get("torch")
    if loaded is not None:
        return loaded.__version__
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def ran_on(repeats: int | None, warmup: int | None, load_at_start: float | None = None) -> dict:
    """The conditions of a run, to add to its report under "ran_on". `repeats`: the timed runs
    each figure comes from; `warmup`: the untimed runs before them (None where the script times
    nothing). `torch_threads` is None when the run never loaded torch."""
    torch = sys.modules.get("torch")
    return {
        "machine": cpu_model(),
        "cpus": os.cpu_count(),
        "torch": _torch_version(),
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "python": platform.python_version(),
        "load_average_1min_at_start": load_at_start,
        "load_average_1min": load_average(),
        "repeats": repeats,
        "warmup": warmup,
    }
