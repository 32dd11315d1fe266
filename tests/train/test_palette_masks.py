"""Masks saved as palette PNGs, as annotation tools write class indices (audit_cml finding 6)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from models.data.parsing import check_mask_values, read_mask
from models.errors import InputError


def _indices() -> np.ndarray:
    mask = np.zeros((32, 48), np.uint8)
    mask[4:20, 6:30] = 1
    mask[10:14, 8:12] = 7
    mask[25:, :] = 10
    return mask


def test_a_palette_mask_gives_its_indices_not_its_colours(tmp_path):
    mask = _indices()
    image = Image.frombytes("P", (48, 32), mask.tobytes())
    image.putpalette([c for i in range(256) for c in (i * 20 % 256, i * 10 % 256, 255 - i * 20 % 256)])
    image.save(tmp_path / "rest.png")
    read = read_mask(tmp_path / "rest.png")
    assert read.dtype == np.uint8 and read.shape == (32, 48)
    np.testing.assert_array_equal(read, mask)
    check_mask_values(read, tmp_path / "rest.png", 11, fix="")  # valid class values pass


def test_a_palette_mask_with_a_value_outside_the_classes_is_still_refused(tmp_path):
    mask = _indices()
    mask[0, 0] = 42
    image = Image.frombytes("P", (48, 32), mask.tobytes())
    image.putpalette([0] * 768)
    image.save(tmp_path / "rest.png")
    with pytest.raises(InputError, match="42"):
        check_mask_values(read_mask(tmp_path / "rest.png"), tmp_path / "rest.png", 11, fix="fix the mask")


def test_a_colour_mask_is_refused_saying_what_to_do(tmp_path):
    Image.fromarray(np.stack([_indices() * 20] * 3, axis=-1)).save(tmp_path / "rest.png")
    with pytest.raises(InputError, match="single-channel 8-bit PNG of class indices.*colour image: export the class"):
        read_mask(tmp_path / "rest.png")


def test_a_greyscale_mask_an_optimiser_stored_as_a_palette_is_refused(tmp_path):
    # the greys shown are the classes (0, 1, 7, 10) but the indices are others: read as the
    # indices it was silently relabelled
    mask = _indices()
    image = Image.fromarray(mask, "L").quantize(colors=4)
    assert image.mode == "P"
    image.save(tmp_path / "rest.png")
    indices = np.asarray(Image.open(tmp_path / "rest.png"))
    assert not np.array_equal(indices, mask)  # the test can tell
    with pytest.raises(InputError, match="grey palette shows other values than its indices"):
        read_mask(tmp_path / "rest.png")
