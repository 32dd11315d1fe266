"""Progressive resizing: the same weights at another input size, and the recipe's time budget."""

import pytest
import torch

from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import get_config
from models.errors import InputError
from models.train.demo import DemoRecipe
from models.train.resize import resized_model


def test_resized_model_keeps_the_weights_and_combines_encoders(tmp_path):
    small = build_model(get_config("compact").with_input_size(64), seed=1)
    other = build_model(get_config("compact").with_input_size(64), seed=2)
    save_checkpoint(small, tmp_path / "a.pt")
    save_checkpoint(other, tmp_path / "b.pt")
    big = resized_model(tmp_path / "a.pt", 96)
    assert big.config.input_size == 96
    assert all(torch.equal(v, small.state_dict()[k]) for k, v in big.state_dict().items())
    mixed = resized_model(tmp_path / "a.pt", 96, e2_source=tmp_path / "b.pt")
    assert all(torch.equal(v, small.e1.state_dict()[k]) for k, v in mixed.e1.state_dict().items())
    assert all(torch.equal(v, other.e2.state_dict()[k]) for k, v in mixed.e2.state_dict().items())
    out = mixed.eval().predict(torch.rand(1, 3, 96, 96))
    assert out["mask"].shape == (1, 96, 96) and out["probabilities"].shape == (1, 6)


def test_resizing_refuses_bad_sizes_and_other_architectures(tmp_path):
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=1), tmp_path / "a.pt")
    with pytest.raises(InputError, match="multiple of 32"):
        resized_model(tmp_path / "a.pt", 100)
    save_checkpoint(build_model(get_config("paper").with_input_size(64), seed=1), tmp_path / "p.pt")
    with pytest.raises(InputError, match="another architecture"):
        resized_model(tmp_path / "a.pt", 64, e2_source=tmp_path / "p.pt")


def test_recipe_sizes_and_scaled_budget():
    recipe = DemoRecipe(data_root=".")
    assert recipe.resizes and recipe.first_size == 128 and recipe.input_size == 256
    assert not DemoRecipe(data_root=".", base_size=256).resizes
    total = lambda r: r.stage1_minutes + r.stage1_fine_minutes + r.stage2_minutes + r.stage2_fine_minutes + 2 * r.compare_minutes  # noqa: E731
    assert total(recipe) == pytest.approx(76.0)  # + rendering and evaluation: 82 min measured
    half = recipe.scaled_to(40)
    assert total(half) == pytest.approx(40.0) and half.stage1_fine_minutes == pytest.approx(recipe.stage1_fine_minutes * 40 / 76)
