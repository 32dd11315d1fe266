"""Cascaded against end-to-end training on the same few patients (paper Fig. 7 / Table 3).

`compare_run` trains one of the two and scores it on held-out patients: cascaded = E2 on a
frozen, trained E1 (`init` holds it); end-to-end = E1 and E2 from scratch with the grade
loss only. `palsy train demo` runs both with the first 60 training patients for a few
minutes each (step 5 of its recipe); `benchmarks/cascade_vs_end_to_end.py` runs them with
other budgets and patient counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from models.train.evaluation import grading_reports
from models.train.loop import LoopSettings, Progress
from models.train.stages import train_grading


def compare_run(
    train_dir: str | Path,
    eval_dir: str | Path,
    out: str | Path,
    settings: LoopSettings,
    device: torch.device,
    cascaded: bool,
    patient_ids: Sequence[str],
    init: str | Path | None,
    config: str = "compact",
    input_size: int = 128,
    batch_size: int = 8,
    progress: Progress | None = None,
    log_path: str | Path | None = None,
    ordinal_weight: float = 0.0,
    cache_variants: int = 0,
) -> dict[str, Any]:
    """Train one arm (`init` is E1's checkpoint when `cascaded`, ignored otherwise) on
    `patient_ids` of `train_dir`; the loop summary with `patient_level` and `photo_level`
    grading reports on every patient of `eval_dir`."""
    model, summary = train_grading(
        train_dir, out, settings, device, cascaded=cascaded, config=config, input_size=input_size,
        batch_size=batch_size, init=init if cascaded else None, patient_ids=patient_ids, progress=progress,
        log_path=log_path, ordinal_weight=ordinal_weight, cache_variants=cache_variants if cascaded else 0,
    )
    grading = grading_reports(model, eval_dir, "all", device, levels=("patient", "photo"))
    return {**summary, "patient_level": grading["patient"], "photo_level": grading["photo"]}


HEADLINE = ("accuracy", "recall", "confidence", "dice", "quadratic_kappa", "within_one")


def brief(report: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of a grading report (rounded) and its confusion matrix."""
    return {**{k: None if report[k] is None else round(report[k], 3) for k in HEADLINE}, "confusion": report["confusion"]}
