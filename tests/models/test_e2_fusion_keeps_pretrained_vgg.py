"""E2's z fusion and `--pretrained-vgg` (paper §III-C: "the pretrained VGG16 contributes to the
parameter initialization for the encoder E2"). E2 starting from a VGG16 file adds the fused map
to the VGG features times a scale that starts at 0 (`CascadeConfig.e2_residual_fusion`), so at
the start its stages 4-5 see the features they were pretrained on; before, a random 1x1 fusion
replaced them. Networks built from scratch and every existing checkpoint, the shipped weights
among them, keep the replacing fusion and grade exactly as before."""

from __future__ import annotations

import pytest
import torch
from torchvision.models import vgg16_bn

from models.cascade import CascadeNet, build_model
from models.checkpoint import load_checkpoint
from models.config import CascadeConfig, get_config
from models.resources import default_weights_path
from models.train.stages import Pretrained, _apply_pretrained

# The shipped weights' grade probabilities for `_pattern(256)` and its mirror, computed with
# `model.grade` before the residual fusion existed (2026-12-07).
SHIPPED_BEFORE = [
    [0.1329324096441269, 0.18243591487407684, 0.2295173555612564, 0.3476358950138092, 0.07434624433517456, 0.03313218429684639],
    [0.17105206847190857, 0.21674169600009918, 0.24689795076847076, 0.2850235104560852, 0.053483132272958755, 0.026801621541380882],
]


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _pattern(size: int) -> torch.Tensor:
    """A fixed smooth RGB image and its mirror, (2, 3, size, size): no random generator involved."""
    yy, xx = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    image = torch.stack([0.5 + 0.4 * torch.sin(6 * xx + 3 * yy), 0.5 + 0.4 * torch.cos(5 * yy - 2 * xx), xx * yy])[None]
    return torch.cat([image, image.flip(-1)])


def _replacing_e2(model: CascadeNet, images: torch.Tensor) -> torch.Tensor:
    """E2's grade logits as the code computed them before the residual fusion existed."""
    e2 = model.e2
    z = model.e1.encode(images)
    x = e2.features[: e2.split]((images - e2.mean) / e2.std)
    x = e2.z_fuse(torch.cat([x, e2.z_reduce(z)], dim=1))
    return e2.head(e2.features[e2.split :](x))


def test_the_shipped_weights_grade_exactly_as_before():
    path = default_weights_path()
    if not path.is_file():
        pytest.skip("the shipped weights are not installed")
    model, _ = load_checkpoint(path)
    model.eval()
    assert not model.config.e2_residual_fusion and model.e2.fusion_scale is None
    images = _pattern(model.config.input_size)
    with torch.inference_mode():
        logits = model.grade(images)
        small = model.grading_input(images)
        assert torch.equal(model.e2(small, model.e1.encode(small)), _replacing_e2(model, small))
    assert torch.allclose(torch.softmax(logits, dim=1), torch.tensor(SHIPPED_BEFORE), atol=1e-6, rtol=0)


def test_a_network_built_from_scratch_keeps_the_replacing_fusion():
    # `palsy train demo` and every run without --pretrained-vgg build this E2, with the keys
    # every existing checkpoint has
    model = build_model(get_config("compact").with_input_size(64), seed=0).eval()
    assert model.e2.fusion_scale is None and "e2.fusion_scale" not in model.state_dict()
    images = _pattern(64)
    with torch.inference_mode():
        assert torch.equal(model.grade(images), _replacing_e2(model, images))


def _stand_in_vgg16_bn(folder) -> str:
    """A torchvision vgg16_bn state dict with its own random init (nothing is downloaded): the
    layout of the ImageNet file, which is what the fusion's start depends on."""
    path = folder / "vgg16_bn.pth"
    torch.manual_seed(0)
    torch.save(vgg16_bn(weights=None).state_dict(), path)
    return str(path)


def test_e2_from_a_pretrained_vgg16_is_vgg16_s_own_path_at_the_start(tmp_path):
    # the compact E1 (light) under the paper's E2 (the VGG16 layout); global pooling keeps the FC small
    paper_e2 = get_config("compact").with_input_size(64).with_e2_of(get_config("paper"))
    model = build_model(CascadeConfig.from_dict({**paper_e2.to_dict(), "e2_pool": 1}), seed=0)
    _apply_pretrained(model, Pretrained(vgg=_stand_in_vgg16_bn(tmp_path)), stage="grading", resume=None, init=None)
    e2, images = model.e2, _pattern(64)
    seen: dict[str, torch.Tensor] = {}
    e2.features[e2.split].register_forward_pre_hook(lambda _m, args: seen.__setitem__("conv4_1", args[0].clone()))
    e2.features[-1].register_forward_hook(lambda _m, _args, out: seen.__setitem__("stage5", out.clone()))
    for train in (False, True):
        model.train(train)
        with torch.no_grad():
            model.grade(images)
            cascade = dict(seen)
            normalised = (images - e2.mean) / e2.std
            stage3 = e2.features[: e2.split](normalised)
            own = e2.features[e2.split :](stage3)  # VGG16's own path, no z
        assert torch.equal(cascade["conv4_1"], stage3), f"train={train}"
        assert torch.equal(cascade["stage5"], own), f"train={train}"
    assert model.config.e2_residual_fusion and model.e2.fusion_scale.item() == 0.0  # what the checkpoint records
