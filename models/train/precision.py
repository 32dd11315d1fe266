"""Mixed precision for training: fp32, or bf16 autocast with channels-last weights.

On a CPU with AMX or AVX-512 BF16 (Intel Sapphire Rapids and later, AMD Zen 4 and later)
oneDNN runs bf16 convolutions several times faster than fp32. Measured on the 2-core
Sapphire Rapids VM (compact config, batch 8, `benchmarks/train_step_time.py --precision`):
a stage-1 step 0.45 -> 0.24 s at 128 px and 2.05 -> 0.78 s at 256 px; a stage-2 step
0.32 -> 0.11 s and 1.25 -> 0.48 s. Weights, optimizer state, losses and checkpoints stay
fp32; only the forward pass runs in bf16 (torch.autocast), so a run's result stays close to
an fp32 run's at the same step while taking about twice as many steps in the same minutes.
On a CPU without bf16 units autocast would emulate it and be slower, so `auto` picks fp32
there. The layout is a separate choice (`prepare_model(..., channels_last=)`): grading
steps run channels-last in fp32 too (docs/train.md, "Mixed precision").
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from models.errors import InputError

PRECISIONS = ("auto", "fp32", "bf16")


def cpu_has_bf16() -> bool:
    """True when this CPU executes bf16 matrix work natively (AMX tiles or AVX-512 BF16)."""
    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    for name in checks:
        check = getattr(torch.cpu, name, None)
        try:
            if check is not None and check():
                return True
        except Exception:  # noqa: BLE001 - a private probe that fails means "not known to have it"
            continue
    return False


def resolve_precision(name: str, device: torch.device, grading: bool = False) -> str:
    """'auto' -> 'bf16' where the device runs it natively, else 'fp32'; checks explicit names.

    For grading (stage 2, end-to-end) 'auto' is fp32: in bf16 a whole stage 2 never left the
    loss plateau at ln 6 (docs/train.md, "Mixed precision"). An explicit 'bf16' is obeyed.
    """
    if name not in PRECISIONS:
        raise InputError(f"unknown precision {name!r}; use one of {', '.join(PRECISIONS)}")
    if name != "auto":
        return name
    if grading:
        return "fp32"
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_bf16() else "fp32"


def prepare_model(model: nn.Module, precision: str, channels_last: bool | None = None) -> nn.Module:
    """Channels-last 4-D weights (oneDNN's fast layout) or the default layout. `channels_last`
    None follows the precision: channels-last for bf16, the default layout for fp32."""
    if channels_last is None:
        channels_last = precision == "bf16"
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    return model.to(memory_format=fmt)


def restore_layout(model: nn.Module) -> nn.Module:
    """Back to the default memory layout, for evaluation and checkpoints after training."""
    return model.to(memory_format=torch.contiguous_format)


@contextlib.contextmanager
def autocast(precision: str, device: torch.device) -> Iterator[None]:
    """The forward pass of one training step: bf16 autocast, or nothing for fp32."""
    if precision == "bf16":
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            yield
    else:
        yield
