"""Progressive resizing: a trained cascade carried to another input size.

E1 is fully convolutional and E2 pools its last map to a fixed grid before the classifier,
so the same weights run at any multiple of 32. The demo recipe trains most steps at a small
input (cheap) and then fine-tunes at the shipped size, where brows and lips are wide enough
to parse (docs/train.md, "Progressive resizing").
"""

from __future__ import annotations

from pathlib import Path

from models.cascade import CascadeNet, build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.errors import InputError


def resized_model(e1_source: str | Path, size: int, e2_source: str | Path | None = None) -> CascadeNet:
    """A cascade at `size` px with E1 (and E2, unless `e2_source` is given) from `e1_source`."""
    if size % 32:
        raise InputError(f"input size {size} must be a multiple of 32")
    first, _ = load_checkpoint(e1_source)
    model = CascadeNet(first.config.with_input_size(size))
    model.load_state_dict(first.state_dict())
    if e2_source is not None:
        second, _ = load_checkpoint(e2_source)
        if second.config.with_input_size(size) != model.config:
            raise InputError(f"{e2_source} has another architecture than {e1_source}; cannot combine their encoders")
        model.e2.load_state_dict(second.e2.state_dict())
    return model


def write_resized(out: str | Path, e1_source: str | Path, size: int, e2_source: str | Path | None = None) -> Path:
    """`resized_model` saved as a checkpoint (the `init` of a fine-tuning stage)."""
    save_checkpoint(resized_model(e1_source, size, e2_source), out)
    return Path(out)


def write_reused_e1(out: str | Path, e1_source: str | Path, size: int, seed: int) -> Path:
    """A cascade at `size` px with the trained E1 of `e1_source` and a fresh E2 (initialised
    from `seed`, as stage 1 would have left it): the start of stage 2 on an E1 trained before."""
    if size % 32:
        raise InputError(f"input size {size} must be a multiple of 32")
    first, _ = load_checkpoint(e1_source)
    model = build_model(first.config.with_input_size(size), seed=seed)
    model.e1.load_state_dict(first.e1.state_dict())
    save_checkpoint(model, out)
    return Path(out)
