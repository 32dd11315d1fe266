"""Cancel inside a network pass, not only between the pipeline's steps.

The paper's network (ResNet-101 E1 at 512 px) takes about 70 s for six photos on a CPU: a
Cancel checked only between steps waited for the whole pass. A forward pre-hook on every
layer asks the pass's `cancelled()` before the layer runs, so a pass stops within one layer's
time. The hooks are removed on the way out, whatever happened.

One loaded network serves every thread of a window (an analysis, and a visit's overlays
recomputed beside it): a hook asks only the progress of the thread that runs the layer, so
cancelling one pass never stops another on the same network.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

from models.pipeline.progress import Cancelled, Progress

_this_thread = threading.local()  # .progress: the pass this thread is running, if any


@contextmanager
def cancellable_pass(net: torch.nn.Module, progress: Progress) -> Iterator[None]:
    """Within the block, any of `net`'s layers run on this thread raises Cancelled before it
    runs once `progress.cancelled()` is true."""
    outer = getattr(_this_thread, "progress", None)
    _this_thread.progress = progress
    layers = [m for m in net.modules() if next(m.children(), None) is None]  # the leaves do the work
    handles = [layer.register_forward_pre_hook(_stop_if_asked) for layer in layers]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        _this_thread.progress = outer


def _stop_if_asked(module: torch.nn.Module, inputs: object) -> None:
    progress = getattr(_this_thread, "progress", None)
    if progress is not None and progress.cancelled():
        raise Cancelled(f"cancelled during the network pass ({type(module).__name__})")
