"""Cancel inside a network pass, not only between the pipeline's steps.

The paper's network (ResNet-101 E1 at 512 px) takes about 70 s for six photos on a CPU: a
Cancel checked only between steps waited for the whole pass. A forward pre-hook on every
layer asks the caller's `cancelled()` before the layer runs, so a pass stops within one
layer's time. The hooks are removed on the way out, whatever happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from models.pipeline.progress import Cancelled, Progress


@contextmanager
def cancellable_pass(net: torch.nn.Module, progress: Progress) -> Iterator[None]:
    """Within the block, any of `net`'s layers raises Cancelled before it runs once
    `progress.cancelled()` is true."""

    def stop_if_asked(module: torch.nn.Module, inputs: object) -> None:
        if progress.cancelled():
            raise Cancelled(f"cancelled during the network pass ({type(module).__name__})")

    layers = [m for m in net.modules() if next(m.children(), None) is None]  # the leaves do the work
    handles = [layer.register_forward_pre_hook(stop_if_asked) for layer in layers]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
