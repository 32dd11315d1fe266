"""E2's grade is mirror-averaged like E1's masks: a mirrored photo gets the same probabilities."""

import numpy as np
import pytest
import torch

from models.cascade import CascadeNet, build_model
from models.config import get_config
from models.labels import mirror_mask
from models.mirror_parsing import parse_and_grade, parse_masks


def _net(grading_size: int = 0) -> CascadeNet:
    """A small random cascade whose grade logits are spread out, so that an untrained E2's
    left/right bias shows in the probabilities (near-uniform ones would hide it)."""
    net = build_model(get_config("compact").with_input_size(64).with_grading_size(grading_size), seed=4).eval()
    with torch.no_grad():
        net.e2.classifier[-1].weight.mul_(300.0)
    return net


def _lopsided(n: int) -> torch.Tensor:
    """Photos brighter on one side than the other, so the mirror is a different photo."""
    ramp = torch.linspace(0, 1, 64).view(1, 1, 1, 64)
    return (0.7 * ramp * torch.rand(n, 3, 1, 1) + 0.3 * torch.rand(n, 3, 64, 64)).clamp(0, 1)


@pytest.mark.parametrize("grading_size", [0, 32])  # E2 on E1's z; E2 at a smaller size on a second E1 pass (shipped)
def test_a_mirrored_batch_grades_alike_only_when_averaged(grading_size: int) -> None:
    torch.manual_seed(5)
    net, images = _net(grading_size), _lopsided(3)
    with torch.inference_mode():
        masks, probs = parse_and_grade(net, images)
        masks_m, probs_m = parse_and_grade(net, images.flip(-1))
        _, single = parse_and_grade(net, images, mirror=False)
        _, single_m = parse_and_grade(net, images.flip(-1), mirror=False)
    assert probs.shape == (3, 6) and torch.allclose(probs.sum(1), torch.ones(3))
    assert torch.allclose(probs, probs_m, atol=1e-6)
    # One pass of E2 is not mirror-invariant (400x the tolerance above), so the check above can fail.
    assert float((single - single_m).abs().max()) > 4e-4
    for k in range(3):  # the masks stay as `parse_masks` made them
        assert np.array_equal(masks_m[k].numpy(), mirror_mask(masks[k].numpy()))


def test_averages_the_two_passes_and_keeps_the_masks() -> None:
    torch.manual_seed(6)
    net, images = _net(), torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        masks, probs = parse_and_grade(net, images)
        own = torch.softmax(net(images)["grade_logits"], 1)
        flipped = images.flip(-1)
        mirrored = torch.softmax(net.grade(flipped, net.e1.encode(flipped)), 1)
        assert torch.allclose(probs, (own + mirrored) / 2, atol=1e-6)
        assert torch.equal(masks, parse_masks(net.e1, images))
        single_masks, single = parse_and_grade(net, images, mirror=False)
        assert torch.allclose(single, own, atol=1e-6)
        assert torch.equal(single_masks, parse_masks(net.e1, images, mirror=False))
