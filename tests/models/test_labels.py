import numpy as np
import pytest

from models.labels import (
    CLASS_INDEX,
    CLASSES,
    GRADES,
    LEFT_RIGHT_SWAP,
    grade_index,
    mirror_mask,
    swap_side,
)


def test_label_set_is_the_contract_order():
    assert CLASSES == (
        "background", "skin", "left_brow", "right_brow", "left_eye", "right_eye",
        "nose", "upper_lip", "inner_mouth", "lower_lip", "hair",
    )
    assert GRADES == ("I", "II", "III", "IV", "V", "VI")


def test_swap_table_pairs_left_and_right_and_keeps_the_rest():
    assert LEFT_RIGHT_SWAP[CLASS_INDEX["left_brow"]] == CLASS_INDEX["right_brow"]
    assert LEFT_RIGHT_SWAP[CLASS_INDEX["right_eye"]] == CLASS_INDEX["left_eye"]
    for name in ("background", "skin", "nose", "upper_lip", "inner_mouth", "lower_lip", "hair"):
        assert LEFT_RIGHT_SWAP[CLASS_INDEX[name]] == CLASS_INDEX[name]
    assert LEFT_RIGHT_SWAP[255] == 255
    # Applying the swap twice is the identity.
    assert np.array_equal(LEFT_RIGHT_SWAP[LEFT_RIGHT_SWAP], np.arange(256))


def test_mirror_mask_flips_and_swaps():
    mask = np.zeros((2, 4), np.uint8)
    mask[0, 0] = CLASS_INDEX["left_eye"]  # image left = subject's right in reality, any label works here
    mask[1, 3] = CLASS_INDEX["nose"]
    mask[0, 2] = 255
    out = mirror_mask(mask)
    assert out[0, 3] == CLASS_INDEX["right_eye"]
    assert out[1, 0] == CLASS_INDEX["nose"]
    assert out[0, 1] == 255
    assert np.array_equal(mirror_mask(out), mask)


def test_grade_and_side_helpers():
    assert grade_index("iii") == 2
    assert grade_index(" VI ") == 5
    with pytest.raises(ValueError, match="House-Brackmann"):
        grade_index("VII")
    assert swap_side("left") == "right" and swap_side("right") == "left" and swap_side("none") == "none"
