"""The machine a training run ran on, in words, for its model card."""

from __future__ import annotations

import platform
from pathlib import Path

import torch

from models.counted import counted


def cpu_name() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux; the platform's answer elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def describe_machine(device: torch.device) -> str:
    """E.g. "NVIDIA H200 (CUDA 13.0), torch 2.11.0" or "x86_64 AMD EPYC ..., 2 threads, torch 2.14.1"."""
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda}), torch {torch.__version__}"
    threads = torch.get_num_threads()
    return f"{platform.machine()} {cpu_name()}, {counted(threads, 'thread')}, torch {torch.__version__}"
