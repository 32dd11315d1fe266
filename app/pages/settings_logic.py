"""Headless logic of the settings dialog: what the device and data-folder fields say."""

from __future__ import annotations

import os

from app.settings import resolve_data_folder

NO_CUDA_BUILD = "this installation's PyTorch has no CUDA support"
NO_GPU = "no GPU found"


def cuda_unavailable_reason() -> str | None:
    """Why the `cuda` device cannot be used now (None when it can): a PyTorch built without
    CUDA (the clinic bundle's CPU-only torch) never can; a CUDA build without a GPU now might
    find one later (another machine, a driver installed)."""
    try:
        import torch  # here: importing this module stays light, and a missing torch is an answer
    except ImportError:
        return NO_CUDA_BUILD
    if torch.cuda.is_available():
        return None
    return NO_CUDA_BUILD if torch.version.cuda is None else NO_GPU


def data_folder_placeholder() -> str:
    """What the empty data-folder field stands for: the folder PALSY_HOME names when it is set
    (it said "the default", which it is not), else the platform's default folder."""
    from app.records.paths import ENV_VAR  # lazily, as app.settings does

    folder = resolve_data_folder("")
    return f"from {ENV_VAR}: {folder}" if os.environ.get(ENV_VAR, "").strip() else f"the default: {folder}"
