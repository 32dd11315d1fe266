"""Palsy Grader models: networks, data, training, evaluation and the inference pipeline.

This package never imports Qt. `app` may import `models`, never the reverse.
"""

from models.cascade import CascadeNet, build_model
from models.config import CONFIGS, CascadeConfig, get_config
from models.labels import CLASSES, EXPRESSIONS, GRADES

__all__ = [
    "CLASSES",
    "CONFIGS",
    "EXPRESSIONS",
    "GRADES",
    "CascadeConfig",
    "CascadeNet",
    "build_model",
    "get_config",
]
