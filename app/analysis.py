"""Headless analysis for the GUI over the assessment pipeline (`models.pipeline`; no Qt).

`load_model(weights, device)` loads (and caches) the network; `run_analysis(photos, handle,
progress)` is the plain long-running function the analysis worker wraps. It returns an
`AnalysisResult` of numpy arrays and plain values for the results page; `to_json()` is the
assessment.json body (DESIGN §8) that the records store keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.labels import EXPRESSIONS, GRADES
from models.pipeline.progress import Progress  # the one protocol `assess` takes (no torch)
from models.resources import is_demo_weights

if TYPE_CHECKING:
    from models.pipeline.loader import Wording  # imports torch: only when the model loads


@dataclass
class ModelHandle:
    """A loaded network and what the status bar and reports say about it."""

    model: Any
    name: str
    sha256: str
    path: str
    device: str
    is_demo: bool
    input_size: int
    meta: dict = field(default_factory=dict)
    mirror_parsing: bool = True  # E1 averaged over the photo and its mirror (`assess(mirror=)`)


@dataclass
class ExpressionResult:
    """One expression: the analysed crop, its mask, attention maps and grade probabilities."""

    expression: str
    photo: np.ndarray  # RGB uint8, the network's input crop
    mask: np.ndarray  # uint8 class index, same size as photo
    attention: dict[str, np.ndarray]  # name -> float32 0..1, same size as photo
    probabilities: np.ndarray  # 6 grades


@dataclass
class RegionRow:
    """One line of the regional function table."""

    region: str
    left: float | None
    right: float | None
    percent: float | None
    note: str = ""
    unit: str = ""
    judged: bool = True
    expression: str = ""  # the photo it was measured on (with rest)


@dataclass
class Flag:
    """A reason for careful review, in words."""

    code: str
    text: str
    expression: str | None = None  # the photo it is about, when one


@dataclass
class AnalysisResult:
    """Everything the results page shows; `to_json` is what the records store keeps."""

    grade: str
    probabilities: dict[str, float]
    affected_side: str
    measured_grade: str | None
    function_percent: float | None
    regions: list[RegionRow]
    flags: list[Flag]
    expressions: dict[str, ExpressionResult]
    model: dict
    timing_ms: dict[str, float]
    raw: Any = None  # the pipeline's own result object, for the PDF report
    # A visit reopened from its record (`app.reopen.result_from_record`), not a live answer,
    # with what the record keeps that the fields above cannot hold: its method line as the
    # report printed it and why regions were not measured.
    reopened: bool = False
    stored_method: str | None = None
    stored_notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The assessment.json body (the pipeline's own when available); no arrays."""
        if self.raw is not None:
            import app

            # the release that analysed it: a report printed later by another names both
            return {**self.raw.to_dict(), "app_version": app.version_text()}
        return {
            "schema": "palsy-grader/gui-assessment/1",
            "grade": self.grade,
            "probabilities": self.probabilities,
            "affected_side": self.affected_side,
            "measured": {
                "grade": self.measured_grade,
                "function_percent": self.function_percent,
                "regions": {r.region: {"left": r.left, "right": r.right, "percent": r.percent, "note": r.note} for r in self.regions},
            },
            "expressions": {
                name: {"probabilities": dict(zip(GRADES, map(float, e.probabilities), strict=True))} for name, e in self.expressions.items()
            },
            "flags": [{"code": f.code, "text": f.text} for f in self.flags],
            "model": self.model,
            "timing_ms": self.timing_ms,
        }


def reserve_a_core_for_the_gui() -> int:
    """Let torch use all cores but one, so the GUI thread (preview, heartbeat) is never starved
    by the analysis' worker threads; returns the thread count."""
    import os

    import torch

    threads = max(1, (os.cpu_count() or 2) - 1)
    if torch.get_num_threads() > threads:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def gui_wording() -> Wording:
    """The model errors' advice in the GUI's words: Settings, never a CLI option."""
    from models.pipeline.loader import Wording

    return Wording(
        choose_weights="choose an existing weights file (.pt) in Settings",
        no_default_weights="reinstall the application or choose a weights file (.pt) in Settings",
        cuda_missing="the cuda device is chosen in Settings but no CUDA GPU is available; choose auto or cpu there",
    )


def load_model(weights_path: str | Path | None, device: str = "auto", mirror_parsing: bool = True) -> ModelHandle:
    """Load a checkpoint once (cached by path + sha256 + device); the shipped demo weights
    when `weights_path` is empty. CheckpointError with a hint when nothing is usable.
    `mirror_parsing` travels with the handle to `run_analysis` (ModelSettings)."""
    from models.pipeline.loader import load_model as pipeline_load

    reserve_a_core_for_the_gui()
    loaded = pipeline_load(weights_path or None, device, gui_wording())
    info = loaded.info
    path = Path(info.path or "")
    # the digest the loader took of the file: the shipped demo weights under any name are demo
    is_demo = is_demo_weights(path, info.sha256)
    return ModelHandle(
        model=loaded,
        name=f"{info.name} ({info.config})",
        sha256=info.sha256 or "",
        path=str(path),
        device=str(loaded.device),
        is_demo=is_demo,
        input_size=int(loaded.model.config.input_size),
        meta=info.to_dict(),
        mirror_parsing=mirror_parsing,
    )


def centre_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    """Square centre crop resized to `size` (display of stored photos)."""
    import cv2

    h, w = rgb.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    crop = np.ascontiguousarray(rgb[y0 : y0 + side, x0 : x0 + side])
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def result_from_assessment(assessment: Any) -> AnalysisResult:
    """Convert the pipeline's Assessment into what the results page shows."""
    measured = assessment.measured
    regions = [
        RegionRow(r.label or name, r.left, r.right, r.percent,
                  r.note or ("" if r.judged else "movement too small to judge"), r.unit, r.judged, r.expression)
        for name, r in measured.regions.items()
    ]
    expressions = {
        name: ExpressionResult(name, r.photo, r.mask, dict(r.attention), np.asarray(r.probabilities, float))
        for name, r in assessment.expressions.items()
    }
    return AnalysisResult(
        grade=assessment.grade,
        probabilities=dict(zip(GRADES, map(float, assessment.probabilities), strict=True)),
        affected_side=assessment.affected_side,
        measured_grade=measured.grade,
        function_percent=measured.function_percent,
        regions=regions,
        flags=[Flag(f.code, f.message, f.expression) for f in assessment.flags],
        expressions=expressions,
        model=dict(assessment.model),
        timing_ms=dict(assessment.timings_ms),
        raw=assessment,
    )


def run_analysis(photos: dict[str, np.ndarray], handle: ModelHandle, progress: Progress) -> AnalysisResult:
    """Analyse the captured photos with the pipeline; raises Cancelled between steps, or before
    a network layer, when `progress.cancelled()` turns true."""
    from models.pipeline.assess import assess

    order = {e: photos[e] for e in EXPRESSIONS if e in photos}
    if not order:
        from models.errors import InputError

        raise InputError("no photos to analyse; capture the six expressions first")
    return result_from_assessment(assess(order, handle.model, progress, mirror=handle.mirror_parsing))
