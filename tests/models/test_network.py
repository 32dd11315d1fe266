"""Cascade network: shapes, attention identity at init, gradients, freezing, golden output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from models import build_model, get_config
from models.attention import MultiScaleAttentionHead
from models.cascade import CascadeNet
from models.config import CascadeConfig
from models.mirror_parsing import parse_masks

GOLDEN = Path(__file__).with_name("golden_compact.json")


def small(name: str, size: int) -> CascadeNet:
    return build_model(get_config(name).with_input_size(size), seed=0)


@pytest.mark.parametrize("name,size", [("compact", 64), ("paper", 64)])
def test_output_shapes(name: str, size: int) -> None:
    model = small(name, size)
    out = model(torch.rand(2, 3, size, size))
    z_channels = 2048 if name == "paper" else 256
    assert out["logits"].shape == (2, 11, size, size)
    assert out["z"].shape == (2, z_channels, size // 8, size // 8)  # output stride 8
    assert out["attention"].shape == (2, 4, size, size)
    assert out["grade_logits"].shape == (2, 6)
    assert model.attention_names == ("spatial_3", "spatial_5", "spatial_7", "channel")


def test_paper_config_is_the_papers_network() -> None:
    cfg = get_config("paper")
    assert cfg.input_size == 512 and cfg.backbone == "resnet101" and cfg.attention_kernels == (3, 5, 7)
    model = CascadeNet(cfg)
    # Dilated: the last two stages keep resolution with atrous convolutions.
    assert model.e1.backbone.layer4[0].conv2.dilation == (2, 2)
    assert model.e1.backbone.layer4[1].conv2.dilation == (4, 4)
    assert model.e1.backbone.layer3[1].conv2.stride == (1, 1)
    # E2 is VGG16's convolutional layout: 13 convolutions.
    assert sum(isinstance(m, torch.nn.Conv2d) for m in model.e2.features) == 13


def test_attention_head_is_identity_at_initialisation() -> None:
    torch.manual_seed(0)
    head = MultiScaleAttentionHead(z_channels=32, channels=16, kernels=(3, 5, 7), qk_ratio=8, value_ratio=1)
    head.train()
    z = torch.randn(2, 32, 8, 8)
    out, heat = head(z)
    assert torch.equal(out, z)
    assert heat.shape == (2, 4, 8, 8)
    for attention in head.spatial:
        assert attention.scale.item() == 0.0
    assert head.channel.scale.item() == 0.0


def test_attention_changes_features_once_lambda_is_learnt() -> None:
    torch.manual_seed(0)
    head = MultiScaleAttentionHead(32, 16, (3, 5, 7), 8, 1)
    with torch.no_grad():
        head.channel.scale.fill_(0.5)
        for attention in head.spatial:
            attention.scale.fill_(0.5)
    z = torch.randn(1, 32, 8, 8)
    out, _ = head(z)
    assert not torch.allclose(out, z)


def test_spatial_attention_rows_are_distributions() -> None:
    torch.manual_seed(0)
    head = MultiScaleAttentionHead(32, 16, (3,), 8, 1).eval()
    x = head.reduce(torch.randn(1, 32, 6, 6))
    _, received = head.spatial[0](x)
    # Attention received, averaged over the querying positions, sums to 1 over positions.
    assert torch.allclose(received.sum(), torch.tensor(1.0), atol=1e-5)


def _loss(out: dict) -> torch.Tensor:
    target = torch.randint(0, 11, out["logits"].shape[:1] + out["logits"].shape[2:], generator=torch.Generator().manual_seed(1))
    return F.cross_entropy(out["logits"], target) + F.cross_entropy(out["grade_logits"], torch.tensor([0, 3]))


def test_gradients_reach_every_trainable_parameter() -> None:
    model = small("compact", 64)
    with torch.no_grad():  # with lambda = 0 the Q/K/V weights would get exactly zero gradient
        for attention in model.e1.head.spatial:
            attention.scale.fill_(0.3)
        model.e1.head.channel.scale.fill_(0.3)
    model.train()
    _loss(model(torch.rand(2, 3, 64, 64))).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)]
    assert missing == []


def test_lambda_gets_gradient_at_initialisation() -> None:
    model = small("compact", 64).train()
    _loss(model(torch.rand(2, 3, 64, 64))).backward()
    for attention in model.e1.head.spatial:
        assert attention.scale.grad is not None and attention.scale.grad.abs().item() > 0
    assert model.e1.head.channel.scale.grad.abs().item() > 0


def _e2_logits_for_final_map(model: CascadeNet, final_map: torch.Tensor) -> torch.Tensor:
    """E2's classifier applied to a given last feature map (what follows the VGG stages)."""
    e2 = model.e2.eval()
    with torch.no_grad():
        return e2.head(final_map)


def test_e2_head_keeps_left_and_right_apart() -> None:
    # Grading compares the face's sides: the compact E2 pools to 4 x 4 (VGG16 to 7 x 7), so a
    # feature on the left and the same feature on the right reach the FC layers differently.
    compact, paper = small("compact", 128), small("paper", 64)
    assert compact.e2.pool == 4 and compact.e2.classifier[0].in_features == 128 * 4 * 4
    assert paper.e2.pool == 7 and paper.e2.classifier[0].in_features == 512 * 7 * 7
    left = torch.zeros(1, 128, 4, 4)
    left[0, :, 1, 0] = 1.0
    right = left.flip(-1)
    assert not torch.allclose(_e2_logits_for_final_map(compact, left), _e2_logits_for_final_map(compact, right))
    # Global pooling (e2_pool=1, the configuration of checkpoints from before the field
    # existed) cannot tell the two apart.
    old_config = CascadeConfig.from_dict(get_config("compact").with_input_size(128).to_dict() | {"e2_pool": 1})
    old = build_model(old_config, seed=0)
    assert torch.allclose(_e2_logits_for_final_map(old, left), _e2_logits_for_final_map(old, right))


def test_config_without_e2_pool_loads_as_global_pooling() -> None:
    data = get_config("compact").to_dict()
    del data["e2_pool"]
    assert CascadeConfig.from_dict(data).e2_pool == 1


def test_e2_head_activation_keeps_silent_units_learning() -> None:
    # With e2_negative_slope the head's FC layers are joined by LeakyReLUs: a unit whose input
    # went negative (the ReLUs of the head fall silent on stage 2's plateau) still passes a
    # gradient to the layer before it. The named configs keep VGG16's ReLU, which passes none.
    compact = get_config("compact").with_input_size(64)
    leaky = build_model(CascadeConfig.from_dict(compact.to_dict() | {"e2_negative_slope": 0.1}), seed=0)
    plain = small("compact", 64)
    assert [m.negative_slope for m in leaky.e2.classifier if isinstance(m, torch.nn.LeakyReLU)] == [0.1, 0.1]
    assert not any(isinstance(m, torch.nn.LeakyReLU) for m in plain.e2.classifier)
    assert not any(isinstance(m, torch.nn.LeakyReLU) for m in small("paper", 64).e2.classifier)
    for model, passes in ((leaky, True), (plain, False)):
        first = model.e2.classifier[0]
        with torch.no_grad():
            first.bias.fill_(-100.0)  # every unit of the first hidden layer silent
        model.e2.eval()
        features = torch.rand(2, first.in_features // (model.e2.pool ** 2), model.e2.pool, model.e2.pool)
        model.e2.head(features).sum().backward()
        assert (first.weight.grad.abs().sum() > 0) == passes


def test_config_without_e2_negative_slope_loads_as_relu() -> None:
    data = get_config("compact").to_dict()
    del data["e2_negative_slope"]
    old = CascadeConfig.from_dict(data)
    assert old.e2_negative_slope == 0.0
    # with_e2_of gives a configuration another one's E2 (every e2_* field), E1 untouched
    leaky = CascadeConfig.from_dict(get_config("compact").to_dict() | {"e2_negative_slope": 0.1, "e2_dropout": 0.0})
    mixed = get_config("compact").with_e2_of(leaky)
    assert mixed.e2_negative_slope == 0.1 and mixed.e2_dropout == 0.0 and mixed.backbone_widths == (32, 64, 128, 256)
    assert old.with_e2_of(get_config("paper")).backbone_widths == old.backbone_widths


def test_e2_grades_at_its_own_size_while_e1_parses_at_the_input() -> None:
    full = small("compact", 64)
    config = full.config.with_grading_size(32)
    assert config.grading_size == 32 and config.e2_size == 32 and full.config.e2_size == 64
    assert full.config.with_grading_size(64).grading_size == 0  # the input size is the default
    model = CascadeNet(config).eval()
    model.load_state_dict(full.state_dict())  # same weights: grading size is no architecture
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        out = model(x)
        small_x = F.interpolate(x, size=(32, 32), mode="area")
        expected = model.e2(small_x, model.e1.encode(small_x))
        assert out["logits"].shape == (2, 11, 64, 64) and out["z"].shape[-1] == 8  # E1 at the input
        assert torch.allclose(out["grade_logits"], expected, atol=1e-5)
        at_input = full.eval()(x)["grade_logits"]
        assert (out["grade_logits"] - at_input).abs().max() > 100 * (out["grade_logits"] - expected).abs().max()
        # A batch already at the grading size is graded on E1's own z.
        assert torch.allclose(model(small_x)["grade_logits"], expected, atol=1e-5)
        # `grade` is E2 as forward runs it, with or without E1's z at the input (the path
        # of assess and of the training step).
        assert torch.allclose(model.grade(x), expected, atol=1e-5)
        assert torch.allclose(model.grade(x, out["z"]), expected, atol=1e-5)
        assert torch.allclose(full.grade(x), at_input, atol=1e-5)
    # Frozen E1 (stage 2): gradients reach E2 only, through the second pass too.
    model.train().freeze_e1()
    F.cross_entropy(model(x)["grade_logits"], torch.tensor([1, 2])).backward()
    assert all(p.grad is None for p in model.e1.parameters())
    assert all(p.grad is not None for p in model.e2.parameters() if p.requires_grad)
    # Configs saved before the field load as grading at the input size.
    data = full.config.to_dict()
    del data["grading_size"]
    assert CascadeConfig.from_dict(data).e2_size == 64


def test_frozen_e1_gets_no_gradient_and_keeps_batchnorm_statistics() -> None:
    model = small("compact", 64)
    model.freeze_e1()
    model.train()
    assert model.e1.training is False and model.e2.training is True
    bn = model.e1.backbone.bn1
    before = bn.running_mean.clone()
    out = model(torch.rand(2, 3, 64, 64))
    F.cross_entropy(out["grade_logits"], torch.tensor([1, 2])).backward()
    assert all(p.grad is None for p in model.e1.parameters())
    assert all(not p.requires_grad for p in model.e1.parameters())
    assert any(p.grad is not None and torch.any(p.grad != 0) for p in model.e2.parameters())
    assert torch.equal(bn.running_mean, before)
    model.unfreeze_e1()
    assert all(p.requires_grad for p in model.e1.parameters())


def test_predict_uses_inference_mode_and_restores_training() -> None:
    model = small("compact", 64).train()
    # Untrained, E2 hardly depends on the photo: the mirror moves its probabilities by a few 1e-6,
    # near allclose's tolerance for 12 of 40 random inputs. This fixed one clears it 3 times over.
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(21))
    out = model.predict(x)
    assert model.training is True
    assert torch.allclose(out["probabilities"].sum(dim=1), torch.ones(1))
    assert out["mask"].shape == (1, 64, 64) and out["mask"].dtype == torch.int64
    assert float(out["attention"].min()) >= 0.0 and float(out["attention"].max()) <= 1.0
    with torch.inference_mode():  # the mask is the mirror-averaged parse, not the logits' argmax
        assert torch.equal(out["mask"], parse_masks(model.eval().e1, x).long())
        assert not torch.equal(out["mask"], out["logits"].argmax(1))
        # the grade too is the photo's and its mirror's, as the app grades: a mirrored photo, the same answer
        assert torch.allclose(model.predict(x.flip(-1))["probabilities"], out["probabilities"], atol=1e-6)
        assert not torch.allclose(out["probabilities"], torch.softmax(out["grade_logits"], dim=1), atol=1e-6)
        # ... and exactly the mean of the photo's single pass and its mirror's
        mirrored = torch.softmax(model(x.flip(-1))["grade_logits"].float(), dim=1)
        single = torch.softmax(out["grade_logits"].float(), dim=1)
        assert torch.allclose(out["probabilities"], (single + mirrored) / 2, rtol=0.0, atol=1e-7)


@pytest.mark.parametrize(
    "bad,hint",
    [
        (torch.rand(3, 64, 64), "batch"),
        (torch.rand(1, 1, 64, 64), "RGB"),
        (torch.randint(0, 255, (1, 3, 64, 64), dtype=torch.uint8), "float"),
        (torch.rand(1, 3, 60, 64), "multiple of 32"),
    ],
)
def test_bad_input_shapes_say_what_to_do(bad: torch.Tensor, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        small("compact", 64).predict(bad)


def golden_outputs() -> dict[str, list[float]]:
    model = small("compact", 64)
    x = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(123))
    out = model.predict(x)
    return {
        "grade_logits": [round(v, 5) for v in out["grade_logits"][0].tolist()],
        "logits_corner": [round(v, 5) for v in out["logits"][0, :, 0, 0].tolist()],
        "z_mean": [round(float(out["z"].mean()), 6)],
    }


def test_golden_output_for_a_fixed_seed() -> None:
    expected = json.loads(GOLDEN.read_text())
    actual = golden_outputs()
    for key, values in expected.items():
        assert actual[key] == pytest.approx(values, abs=2e-4), key


if __name__ == "__main__":  # regenerate the golden file deliberately: python tests/models/test_network.py
    GOLDEN.write_text(json.dumps(golden_outputs(), indent=1))
