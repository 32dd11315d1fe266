"""Palsy Grader models: networks, data, training, evaluation and the inference pipeline.

This package never imports Qt. `app` may import `models`, never the reverse.

The names below load lazily (PEP 562), so `import models.errors` or `models.labels` does not
pull in torch: the CLI's error handling and the record store stay fast to import.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY: dict[str, str] = {
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
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
