"""Loading a checkpoint builds its network once: on the meta device, where its shapes are checked
against the stored weights, then given memory for them. A second, randomly initialised build,
whose every weight the file overwrote, was made after the check (some 2 s of a paper load)."""

from __future__ import annotations

import pytest
import torch

from models.cascade import CascadeNet, build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.encoders import IMAGENET_MEAN, IMAGENET_STD
from models.errors import CheckpointError
from models.pipeline.loader import clear_model_cache, load_model


@pytest.fixture(autouse=True)
def _no_cache():
    clear_model_cache()
    yield
    clear_model_cache()


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The device of every CascadeNet built from now on."""
    seen: list[str] = []
    real = CascadeNet.__init__

    def counting(self: CascadeNet, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)
        seen.append(next(self.parameters()).device.type)

    monkeypatch.setattr(CascadeNet, "__init__", counting)
    return seen


def _trained_a_little(input_size: int = 64) -> CascadeNet:
    """A compact network whose batch-norm statistics and counters moved off their initial values."""
    model = build_model(get_config("compact").with_input_size(input_size), seed=3)
    model.train()
    model(torch.rand(2, 3, input_size, input_size))
    return model.eval()


def test_one_load_builds_one_network_on_the_meta_device(tmp_path, builds) -> None:
    model = _trained_a_little()
    save_checkpoint(model, tmp_path / "w.pt")
    builds.clear()
    loaded = load_model(tmp_path / "w.pt", "cpu").model
    assert builds == ["meta"]
    assert all(p.device.type == "cpu" for p in loaded.parameters())
    # every weight and buffer the file holds, and the normalisation constants it does not hold
    assert loaded.state_dict().keys() == model.state_dict().keys()
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())
    for part in (loaded.e1, loaded.e2):
        assert torch.equal(part.mean, torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        assert torch.equal(part.std, torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
    x = torch.rand(1, 3, 64, 64)
    expected, found = model.predict(x), loaded.predict(x)
    assert all(torch.equal(expected[k], found[k]) for k in ("grade_logits", "probabilities", "mask"))


def test_a_checkpoint_that_does_not_fit_is_refused_before_any_memory_is_given(tmp_path, builds) -> None:
    save_checkpoint(_trained_a_little(), tmp_path / "w.pt")
    payload = torch.load(tmp_path / "w.pt", weights_only=True)
    payload["state_dict"].pop("e2.classifier.0.weight")
    del payload["state_sha256"]
    torch.save(payload, tmp_path / "edited.pt")
    builds.clear()
    with pytest.raises(CheckpointError, match="does not match the network its configuration describes"):
        load_model(tmp_path / "edited.pt", "cpu")
    assert builds == ["meta"]


def test_no_memory_for_the_weights_is_a_checkpoint_error(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory is asked for when the checked network gets it: a refusal there reads as the
    refusal of the second build did."""
    save_checkpoint(_trained_a_little(), tmp_path / "w.pt")

    def refuse(self: torch.nn.Module, *args: object, **kwargs: object) -> torch.nn.Module:
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: not enough memory\nmore")

    monkeypatch.setattr(torch.nn.Module, "to_empty", refuse)
    with pytest.raises(CheckpointError, match="w.pt: its configuration cannot be built .*not enough memory") as caught:
        load_model(tmp_path / "w.pt", "cpu")
    assert "\n" not in str(caught.value)


def test_a_torch_without_the_constructor_list_builds_twice_and_loads_the_same(tmp_path, builds, monkeypatch) -> None:
    """`torch.utils._device` is private: without it, the load falls back to a meta check and a
    full build, and gives the same network."""
    from models import checkpoint

    model = _trained_a_little()
    save_checkpoint(model, tmp_path / "w.pt")
    monkeypatch.setattr(checkpoint, "_FROM_SHAPES", frozenset())
    builds.clear()
    loaded = load_model(tmp_path / "w.pt", "cpu").model
    assert builds == ["meta", "cpu"]
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())
    assert torch.equal(loaded.e1.mean, torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
