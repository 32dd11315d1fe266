"""Progressive resizing: the same weights at another input size, and the recipe's time budget."""

from dataclasses import replace

import pytest
import torch

from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import get_config
from models.errors import InputError
from models.train.demo import DemoRecipe
from models.train.resize import resized_model, write_reused_e1


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


def test_resized_model_sets_where_e2_grades(tmp_path):
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=1), tmp_path / "a.pt")
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=2), tmp_path / "b.pt")
    shipped = resized_model(tmp_path / "a.pt", 96, e2_source=tmp_path / "b.pt", grading_size=64)
    assert shipped.config.input_size == 96 and shipped.config.grading_size == 64
    save_checkpoint(shipped, tmp_path / "c.pt")
    # The grading size travels in the checkpoint and is kept (or reset) on the next resize.
    assert resized_model(tmp_path / "c.pt", 128).config.grading_size == 64
    assert resized_model(tmp_path / "c.pt", 128, grading_size=128).config.grading_size == 0
    # E2 of a checkpoint that grades elsewhere still combines: grading size is no architecture.
    assert resized_model(tmp_path / "a.pt", 96, e2_source=tmp_path / "c.pt").config.grading_size == 0
    with pytest.raises(InputError, match="multiple of 32"):
        resized_model(tmp_path / "a.pt", 96, grading_size=50)
    # `--e1-from` such a checkpoint: the fresh E2 of the next stage grades at that stage's size.
    assert load_checkpoint(write_reused_e1(tmp_path / "d.pt", tmp_path / "c.pt", 96, seed=0))[0].config.grading_size == 0


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
    # E2 grades at the base size by default, so stage 2 needs no fine-tune; grading at the
    # input splits stage 2's minutes as the recipe did before, and then needs the fine-tune.
    assert recipe.e2_size == 128 and not recipe.fine_tunes_e2 and recipe.stage2_fine_minutes == 0
    at_input = recipe.grading_at_input()
    assert at_input.e2_size == 256 and at_input.fine_tunes_e2 and total(at_input) == pytest.approx(76.0)
    assert (at_input.stage2_minutes, at_input.stage2_fine_minutes) == pytest.approx((16.0, 8.0))
    with pytest.raises(InputError, match="fine-tuning minutes"):
        replace(recipe, grading_at="input").check()
    with pytest.raises(InputError, match="base or input"):
        replace(recipe, grading_at="middle").check()
    half = recipe.scaled_to(40)
    assert total(half) == pytest.approx(40.0) and half.stage1_fine_minutes == pytest.approx(recipe.stage1_fine_minutes * 40 / 76)
    # Only the stages that run share the minutes: with --e1-from stage 1 does not, with --keep-e2 stage 2 does not.
    polish = replace(recipe, e1_from="x.pt", keep_e2=True, e1_polish_minutes=20.0).scaled_to(14)
    assert polish.e1_polish_minutes + 2 * polish.compare_minutes == pytest.approx(14.0)
    assert (polish.e1_polish_minutes, polish.compare_minutes) == pytest.approx((10.0, 2.0))
    reuse = replace(recipe, e1_from="x.pt").scaled_to(16)
    assert reuse.stage2_minutes + 2 * reuse.compare_minutes == pytest.approx(16.0) and reuse.stage1_minutes == recipe.stage1_minutes


def test_reused_e1_gets_the_e2_the_named_config_defines_now(tmp_path):
    # `--e1-from` a checkpoint whose E2 differs from today's named config (here a LeakyReLU
    # head): E1's weights are kept, the fresh E2 is today's compact one, and the shipped
    # cascade then combines the two stage-1 files.
    base = get_config("compact").with_input_size(64)
    old_config = type(base).from_dict({**base.to_dict(), "e2_negative_slope": 0.1})
    old = build_model(old_config, seed=1)
    save_checkpoint(old, tmp_path / "old.pt")
    small_path = write_reused_e1(tmp_path / "s.pt", tmp_path / "old.pt", 64, seed=0)
    big_path = write_reused_e1(tmp_path / "b.pt", tmp_path / "old.pt", 96, seed=0)
    fresh = load_checkpoint(small_path)[0]
    assert fresh.config.e2_negative_slope == get_config("compact").e2_negative_slope == 0.0
    assert all(torch.equal(v, old.e1.state_dict()[k]) for k, v in fresh.e1.state_dict().items())
    assert resized_model(big_path, 96, e2_source=small_path, grading_size=64).config.e2_negative_slope == 0.0
    # a configuration of its own (not a named one) keeps its E2
    custom = type(old_config).from_dict({**old_config.to_dict(), "name": "clinic-custom"})
    save_checkpoint(build_model(custom, seed=1), tmp_path / "custom.pt")
    kept = load_checkpoint(write_reused_e1(tmp_path / "c.pt", tmp_path / "custom.pt", 64, seed=0))[0]
    assert kept.config.e2_negative_slope == 0.1
