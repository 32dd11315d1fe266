"""Palsy Grader models: networks, data, training, evaluation and the inference pipeline.

This package never imports Qt. `app` may import `models`, never the reverse.

The names below are loaded lazily (PEP 562): importing `models.labels` must not import
torch, or the GUI could not show its window within its launch budget.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "CascadeNet": "models.cascade",
    "build_model": "models.cascade",
    "CONFIGS": "models.config",
    "CascadeConfig": "models.config",
    "get_config": "models.config",
    "CLASSES": "models.labels",
    "EXPRESSIONS": "models.labels",
    "GRADES": "models.labels",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'models' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
