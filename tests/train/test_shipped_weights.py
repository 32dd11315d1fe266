"""The shipped demo weights: manifest checksum, card, size, and a working network."""

import json

import torch

from models.checkpoint import load_checkpoint, read_manifest, sha256_of
from models.resources import weights_dir


def test_manifest_lists_the_demo_weights_with_their_sha256():
    folder = weights_dir()
    entry = read_manifest(folder)["files"]["demo_compact.pt"]
    path = folder / "demo_compact.pt"
    assert entry["config"] == "compact" and entry["card"] == "demo_compact.md"
    assert sha256_of(path) == entry["sha256"]
    assert path.stat().st_size <= 60 * 1024 * 1024
    card = (folder / entry["card"]).read_text(encoding="utf-8")
    assert "NOT for diagnosis" in card and "non-commercial" in card


def test_shipped_checkpoint_loads_and_predicts():
    model, meta = load_checkpoint(weights_dir() / "demo_compact.pt")
    assert meta["config"]["name"] == "compact" and "train_state" not in meta
    size = model.config.input_size
    out = model.predict(torch.rand(1, 3, size, size))
    assert out["probabilities"].shape == (1, 6) and out["mask"].shape == (1, size, size)
    assert torch.isclose(out["probabilities"].sum(), torch.tensor(1.0))
    assert json.dumps(meta["metrics"])  # plain, serialisable metrics
