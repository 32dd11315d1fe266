"""Disk space a clinic run needs before it trains: its stage checkpoints, each written beside
its old copy (`palsy train clinic` checks it first, so a full disk shows before the photos are
decoded and the steps trained, not at the first save after them)."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from models.errors import InputError

TRAINED = {"stage1": "e1", "stage2": "e2"}  # the encoder each stage trains


def stage_checkpoint_bytes(tensors: dict[str, torch.Tensor], stage: str) -> int:
    """About the size of a stage's checkpoint: every tensor in fp32, and Adam's two moments of
    the encoder the stage trains (`TRAINED`), and a megabyte for the record and the file's
    structure (0.1-0.2 MB measured)."""
    trained = sum(t.numel() for k, t in tensors.items() if k.startswith(TRAINED[stage] + "."))
    return 4 * (sum(t.numel() for t in tensors.values()) + 2 * trained) + 1_000_000


def space_needed(work: Path, tensors: dict[str, torch.Tensor], stages: list[str]) -> tuple[int, int]:
    """The most the `stages` still to train add to `work` at once, and the checkpoint then
    written beside its old copy: each stage's file stays (stage 2 is saved beside stage 1's),
    and a save writes the new file beside the old one before replacing it. The file of an
    interrupted stage is on the disk already: its resume rewrites it in place. The end's
    files (the fp16 scoring copy, then clinic.pt) come one at a time after stage 2's old copy
    is gone, and are smaller than it: they add nothing to the peak."""
    kept, need, beside = 0, 0, 0
    for stage in stages:
        size = stage_checkpoint_bytes(tensors, stage)
        new = 0 if (work / f"{stage}.pt").is_file() else size
        if kept + new + size > need:
            need, beside = kept + new + size, size
        kept += new
    return need, beside


def check_free_space(work: Path, tensors: dict[str, torch.Tensor] | None, stages: list[str]) -> None:
    """InputError when `work` has less free space than the `stages` to train need
    (`space_needed`). Found before the photos are decoded and the steps trained, not at the
    first save after them, and saying how much to free."""
    if tensors is None:
        return
    need, size = space_needed(work, tensors, stages)
    free = shutil.disk_usage(work).free
    if free < need:
        raise InputError(f"{work} has {_megabytes(free)} free; the run needs about {_megabytes(need)}: a stage "
                         f"checkpoint of about {_megabytes(size)} is written beside the old one before replacing it; "
                         "free space or choose another --out")


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.0f} MB"
