"""Progressive resizing: a trained cascade carried to another input size.

E1 is fully convolutional and E2 pools its last map to a fixed grid before the classifier,
so the same weights run at any multiple of 32. The demo recipe trains most steps at a small
input (cheap) and then fine-tunes at the shipped size, where brows and lips are wide enough
to parse (docs/train.md, "Progressive resizing").
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from models.cascade import CascadeNet, build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import CONFIGS
from models.errors import InputError


def resized_model(
    e1_source: str | Path, size: int, e2_source: str | Path | None = None, grading_size: int | None = None
) -> CascadeNet:
    """A cascade at `size` px with E1 (and E2, unless `e2_source` is given) from `e1_source`;
    `grading_size` sets where E2 grades (`CascadeConfig.grading_size`; None keeps the source's)."""
    for side in (size, grading_size or size):
        if side % 32:
            raise InputError(f"input size {side} must be a multiple of 32")
    first, _ = load_checkpoint(e1_source)
    config = first.config.with_input_size(size)
    if grading_size is not None:
        config = config.with_grading_size(grading_size)
    model = CascadeNet(config)
    model.load_state_dict(first.state_dict())
    if e2_source is not None:
        second, _ = load_checkpoint(e2_source)
        if replace(second.config, input_size=size, grading_size=0) != replace(config, grading_size=0):
            raise InputError(f"{e2_source} has another architecture than {e1_source}; cannot combine their encoders")
        model.e2.load_state_dict(second.e2.state_dict())
    return model


def write_resized(
    out: str | Path, e1_source: str | Path, size: int, e2_source: str | Path | None = None, grading_size: int | None = None
) -> Path:
    """`resized_model` saved as a checkpoint (the `init` of a fine-tuning stage, or the
    shipped cascade of E1 at its size and E2 at its own)."""
    save_checkpoint(resized_model(e1_source, size, e2_source, grading_size), out)
    return Path(out)


def write_reused_e1(out: str | Path, e1_source: str | Path, size: int, seed: int) -> Path:
    """A cascade at `size` px with the trained E1 of `e1_source` and a fresh E2 (initialised
    from `seed`, as stage 1 would have left it): the start of stage 2 on an E1 trained before."""
    if size % 32:
        raise InputError(f"input size {size} must be a multiple of 32")
    first, _ = load_checkpoint(e1_source)
    config = first.config.with_input_size(size).with_grading_size(size)
    # A fresh E2 trains, and so grades, at the stage's own size, wherever the source's E2 graded,
    # and is the E2 the named configuration defines now (not the one the source was made with).
    if config.name in CONFIGS:
        config = config.with_e2_of(CONFIGS[config.name])
    model = build_model(config, seed=seed)
    model.e1.load_state_dict(first.e1.state_dict())
    save_checkpoint(model, out)
    return Path(out)
