"""`load_model` keeps the newest network only: another weights file, or the same path retrained
(a clinic's clinic.pt), replaces the cached one instead of joining it, so the memory of the
earlier network (24 MB compact, ~350 MB paper) is freed; the same file again is not re-read."""

from __future__ import annotations

import gc
import weakref

import pytest
import torch

import models.pipeline.loader as loader
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.pipeline.loader import clear_model_cache, load_model


@pytest.fixture(autouse=True)
def _no_cache():
    clear_model_cache()
    yield
    clear_model_cache()


def _weights(path, seed: int):
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=seed), path)
    return path


def test_loading_other_weights_leaves_one_cached_network(tmp_path):
    first = load_model(_weights(tmp_path / "a.pt", 0), "cpu")
    assert load_model(tmp_path / "a.pt", "cpu") is first  # the same file: the cached network
    gone = weakref.ref(first.model)
    del first
    second = load_model(_weights(tmp_path / "b.pt", 1), "cpu")
    gc.collect()
    assert list(loader._CACHE.values()) == [second] and gone() is None
    _weights(tmp_path / "b.pt", 2)  # retrained at the same path
    third = load_model(tmp_path / "b.pt", "cpu")
    assert third is not second and list(loader._CACHE.values()) == [third]
    assert not torch.equal(third.model.e2.classifier[0].weight, second.model.e2.classifier[0].weight)
