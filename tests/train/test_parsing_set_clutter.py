"""A parsing set's images/ skips macOS's `._0.jpg` (review: "1 image without a mask left out"),
and the refusal of two images of one name names their mask only when there is one (review:
"(masks/0.png)" for a mask that did not exist)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.data.parsing import ParsingDataset
from models.errors import InputError
from tests.train.parsing_set_helpers import write_parsing_set

NAMES = ("0", "1")


def test_appledouble_files_are_no_images(tmp_path, capsys):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    (root / "images" / "._0.jpg").write_bytes(b"\x00\x05\x16\x07")  # macOS metadata on a USB stick
    assert ParsingDataset.open(root).names == ["0", "1"]
    assert "palsy: warning:" not in capsys.readouterr().err


def test_two_images_of_one_name_without_a_mask_name_no_mask(tmp_path):
    root = write_parsing_set(tmp_path / "s", ("1",), ".jpg")
    for ext in (".jpg", ".png"):
        cv2.imwrite(str(root / "images" / f"0{ext}"), np.full((16, 16, 3), 120, np.uint8))
    with pytest.raises(InputError, match=r"images/0\.jpg and images/0\.png in .* are both image '0'; keep one") as caught:
        ParsingDataset.open(root)
    assert "masks/" not in str(caught.value)


def test_two_images_of_one_name_with_a_mask_name_it(tmp_path):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    (root / "masks" / "0.png").rename(root / "masks" / "0.PNG")
    cv2.imwrite(str(root / "images" / "0.png"), np.full((16, 16, 3), 120, np.uint8))
    with pytest.raises(InputError, match=r"are both image '0', with one mask for both \(masks/0\.PNG\); keep one"):
        ParsingDataset.open(root)
