"""Headless analysis for the GUI: load a model once, analyse six photos with progress/cancel.

No Qt. `run_analysis(photos, handle, progress)` is the plain long-running function the
analysis worker wraps. It returns an `AnalysisResult` made of numpy arrays and plain
values, which the results page renders and the records store keeps (as JSON).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from models.errors import CheckpointError
from models.labels import EXPRESSIONS, GRADES

DEMO_WEIGHTS = "demo_compact.pt"


class Progress(Protocol):
    """What a long task needs from its caller (see app.progress.ProgressState)."""

    def report(self, fraction: float, message: str = "") -> None: ...

    def cancelled(self) -> bool: ...

    def check(self) -> None: ...


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


@dataclass
class Flag:
    """A reason for careful review, in words."""

    code: str
    text: str


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

    def to_json(self) -> dict[str, Any]:
        """Plain, JSON-able summary (no arrays)."""
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
                name: {"probabilities": dict(zip(GRADES, map(float, e.probabilities)))} for name, e in self.expressions.items()
            },
            "flags": [{"code": f.code, "text": f.text} for f in self.flags],
            "model": self.model,
            "timing_ms": self.timing_ms,
        }


def resolve_device(device: str) -> str:
    """'auto' -> 'cuda' when available, else 'cpu'; 'cuda' without a GPU is an error."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise CheckpointError("device 'cuda' was chosen but no CUDA GPU is available; choose 'auto' or 'cpu' in Settings")
    return device


def default_weights() -> Path:
    """The shipped demo weights file."""
    from models.resources import weights_dir

    return weights_dir() / DEMO_WEIGHTS


def load_model(weights_path: str | Path | None, device: str = "auto") -> ModelHandle:
    """Load a checkpoint (the shipped demo weights when `weights_path` is empty)."""
    from models.checkpoint import load_checkpoint

    path = Path(weights_path) if weights_path else default_weights()
    if not path.is_file():
        raise CheckpointError(f"no weights file at {path}; choose a weights file in Settings")
    model, meta = load_checkpoint(path)
    resolved = resolve_device(device)
    model.to(resolved)
    config = meta.get("config", {})
    is_demo = path.name == DEMO_WEIGHTS or bool(meta.get("training", {}).get("demo"))
    name = f"{config.get('name', 'model')} ({path.name})"
    return ModelHandle(model, name, meta["sha256"], str(path), resolved, is_demo, int(config.get("input_size", 256)), meta)


def centre_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    """Square centre crop resized to `size` (used when no face detector is available)."""
    import cv2

    h, w = rgb.shape[:2]
    side = min(h, w)
    y0, x0 = (h - side) // 2, (w - side) // 2
    crop = np.ascontiguousarray(rgb[y0 : y0 + side, x0 : x0 + side])
    return cv2.resize(crop, (size, size), interpolation=cv2.INTER_AREA)


def _analyse_one(handle: ModelHandle, crop: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
    import torch

    tensor = torch.from_numpy(crop).permute(2, 0, 1).float().div(255.0)[None].to(handle.device)
    out = handle.model.predict(tensor)
    mask = out["mask"][0].to(torch.uint8).cpu().numpy()
    names = list(getattr(handle.model, "attention_names", []))
    attention = {}
    if "attention" in out:
        maps = out["attention"][0].float().cpu().numpy()
        for i, name in enumerate(names or [f"map{i}" for i in range(maps.shape[0])]):
            attention[name] = maps[i].astype(np.float32)
    return mask, attention, out["probabilities"][0].float().cpu().numpy()


def run_analysis(photos: dict[str, np.ndarray], handle: ModelHandle, progress: Progress) -> AnalysisResult:
    """Analyse the captured photos; checks `progress` between expressions (raises Cancelled)."""
    order = [e for e in EXPRESSIONS if e in photos]
    if not order:
        from models.errors import InputError

        raise InputError("no photos to analyse; capture the six expressions first")
    timing: dict[str, float] = {}
    results: dict[str, ExpressionResult] = {}
    for i, expression in enumerate(order):
        progress.check()
        progress.report(i / len(order), f"analysing {expression.replace('_', ' ')}")
        start = time.perf_counter()
        crop = centre_crop(photos[expression], handle.input_size)
        mask, attention, probs = _analyse_one(handle, crop)
        results[expression] = ExpressionResult(expression, crop, mask, attention, probs)
        timing[expression] = (time.perf_counter() - start) * 1000
    progress.check()
    mean = np.mean([r.probabilities for r in results.values()], axis=0)
    grade = GRADES[int(mean.argmax())]
    flags = []
    if float(mean.max()) < 0.5:
        flags.append(Flag("low_confidence", f"The model is not confident: its top grade has only {mean.max():.0%} probability. Review the photos carefully."))
    if "rest" not in results:
        flags.append(Flag("missing_rest", "No rest photo: the measured function cannot be compared with the baseline."))
    progress.report(1.0, "done")
    return AnalysisResult(
        grade=grade,
        probabilities=dict(zip(GRADES, map(float, mean))),
        affected_side="unknown",
        measured_grade=None,
        function_percent=None,
        regions=[],
        flags=flags,
        expressions=results,
        model={"name": handle.name, "sha256": handle.sha256},
        timing_ms=timing,
    )
