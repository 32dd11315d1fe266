"""Mirror-averaged parsing: exactly mirror-equivariant, hand-checked averaging, single-pass switch."""

import numpy as np
import torch
from torch import nn

from models.cascade import build_model
from models.config import get_config
from models.labels import CLASS_INDEX, NUM_CLASSES, mirror_mask
from models.mirror_parsing import mirror_averaged_probabilities, parse_masks


def _e1(seed: int = 0) -> nn.Module:
    model = build_model(get_config("compact").with_input_size(64), seed=seed)
    return model.eval().e1


def test_mirror_averaged_masks_are_mirror_equivariant_where_one_pass_is_not():
    torch.manual_seed(1)
    e1, images = _e1(), torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        averaged = parse_masks(e1, images).numpy()
        averaged_of_mirror = parse_masks(e1, images.flip(-1)).numpy()
        single = parse_masks(e1, images, mirror=False).numpy()
        single_of_mirror = parse_masks(e1, images.flip(-1), mirror=False).numpy()
    for k in range(2):
        assert np.array_equal(averaged_of_mirror[k], mirror_mask(averaged[k]))
    # The untrained E1 alone is not equivariant, so the check above can fail.
    assert any(not np.array_equal(single_of_mirror[k], mirror_mask(single[k])) for k in range(2))
    assert averaged.dtype == np.uint8 and averaged.shape == (2, 64, 64)


class _BiasedE1(nn.Module):
    """Calls every pixel of the image's right half 'left_brow' (0.9), the rest 'skin'; a
    parser that labels by position and so is side-biased on a symmetric photo."""

    def forward(self, images: torch.Tensor, with_attention: bool = False) -> dict[str, torch.Tensor]:
        b, _, h, w = images.shape
        probs = torch.full((b, NUM_CLASSES, h, w), 0.01)
        probs[:, CLASS_INDEX["skin"]] = 0.9
        probs[:, CLASS_INDEX["skin"], :, w // 2 :] = 0.01
        probs[:, CLASS_INDEX["left_brow"], :, w // 2 :] = 0.9
        return {"logits": probs.log()}


def test_averaging_by_hand_on_a_side_biased_parser():
    images = torch.zeros(1, 3, 4, 4)
    probs = mirror_averaged_probabilities(_BiasedE1(), images)[0]  # each pass's probabilities sum to 1
    skin, left, right = (CLASS_INDEX[n] for n in ("skin", "left_brow", "right_brow"))
    # Image-right half: own pass left_brow 0.9, skin 0.01; the mirror's pass there (skin 0.9) comes back as is.
    assert torch.allclose(probs[left, :, 2:], torch.full((4, 2), 0.455))
    assert torch.allclose(probs[skin, :, 2:], torch.full((4, 2), 0.455))
    # Image-left half: the mirror's left_brow 0.9 comes back swapped, as right_brow.
    assert torch.allclose(probs[right, :, :2], torch.full((4, 2), 0.455))
    assert torch.allclose(probs[left, :, :2], torch.full((4, 2), 0.01))
    assert torch.allclose(probs.sum(0), torch.ones(4, 4))
    # One pass keeps the bias: left_brow on the whole right half.
    single = parse_masks(_BiasedE1(), images, mirror=False)[0]
    assert (single[:, 2:] == left).all() and (single[:, :2] == skin).all()


def test_given_logits_save_a_pass_and_change_nothing():
    torch.manual_seed(2)
    e1, images = _e1(seed=3), torch.rand(1, 3, 64, 64)
    with torch.inference_mode():
        logits = e1(images, with_attention=False)["logits"]
        assert torch.equal(parse_masks(e1, images, logits), parse_masks(e1, images))
        assert torch.equal(parse_masks(e1, images, logits, mirror=False), logits.argmax(1).to(torch.uint8))
