"""A reader's summary of what a checkpoint was trained on (the report's "Training data").

Checkpoints record their training as nested dicts (`palsy train demo` / `clinic`: the
command and one entry per stage; `palsy train parsing|grading`: the stage, its settings and
data). `describe_training` turns any of them into short sentences a clinician can read,
instead of the raw dictionary; anything it does not recognise is shown as text, cut short.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.counted import counted

STAGE_NAMES = {
    "parsing": "face parsing",
    "parsing_fine": "face parsing, fine-tune",
    "grading": "grading (E1 frozen)",
    "grading_fine": "grading, fine-tune",
    "end-to-end": "grading, end to end",  # `palsy train end-to-end` records its mode
}
MAX_CHARS = 400


def _shorten(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_data(data: object) -> str:
    """One stage's data: patients and photos, or parsing sets with their image counts."""
    if not isinstance(data, Mapping):
        return _shorten(str(data))
    # a patient set's record counts its patients; a parsing record maps set names (which may be
    # "patients", a clinic's folder) to their image counts
    if isinstance(data.get("patients"), int) and not isinstance(data.get("patients"), bool):
        text = counted(data["patients"], "patient")
        if "photos" in data:
            text += f" ({counted(data['photos'], 'photo')})"
        return text + (f" from {data['folder']}" if data.get("folder") else "")
    parts = []
    for name, info in data.items():
        if isinstance(info, Mapping) and "images" in info:
            split = info.get("split")
            detail = counted(info["images"], "image") + (f", {split} part" if split and split != "all" else "")
            parts.append(f"{name} ({detail})")
        else:
            parts.append(f"{name}: {info}")
    return ", ".join(parts) if parts else "none"


def _stage_line(stage: Mapping, previous: Mapping | None = None) -> str:
    name = STAGE_NAMES.get(str(stage.get("stage")), str(stage.get("stage", "stage")))
    name = name[:1].upper() + name[1:]
    bits = []
    if "steps" in stage:
        bits.append(counted(stage["steps"], "step"))
    if isinstance(stage.get("elapsed_s"), (int, float)):
        bits.append(f"{stage['elapsed_s'] / 60:.0f} min")
    if stage.get("reused_from"):  # `palsy train demo --e1-from`: trained by an earlier run
        bits.append("in an earlier run")
    head = name + (f" ({', '.join(bits)})" if bits else "")
    if "data" not in stage:
        return head
    if previous is not None and previous.get("data") == stage["data"]:
        return f"{head}: the same data"
    return f"{head}: {describe_data(stage['data'])}"


def describe_training(training: Any) -> str:
    """Sentences for the report; "not recorded" when the checkpoint says nothing."""
    if not training:
        return "not recorded"
    if not isinstance(training, Mapping):
        return _shorten(str(training))
    lines: list[str] = []
    if training.get("command"):
        lines.append(f"Trained with '{training['command']}'.")
    stages = [v for v in training.values() if isinstance(v, Mapping) and "stage" in v]
    if "stage" in training:
        stages.insert(0, training)
    elif not stages and not lines:
        # A bare data mapping (the `data` entry of a single-stage checkpoint).
        return _shorten(describe_data(training))
    lines += [_shorten(_stage_line(stage, stages[i - 1] if i else None)) + "." for i, stage in enumerate(stages)]
    for key, label in (("data_licences", "Licences"), ("excluded", "Not used")):
        if training.get(key):
            lines.append(f"{label}: {_shorten(str(training[key]))}.")
    return " ".join(lines)
