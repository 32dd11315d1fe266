"""A parsing set is never trimmed without a word (audit: an image without a mask, a splits.csv
name without an image and an image splits.csv does not list went silently), and two images of
one name are refused (face0.jpg and face0.png: the .png silently won)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from models.data.parsing import ParsingDataset
from models.errors import InputError
from tests.train.parsing_set_helpers import write_parsing_set

NAMES = ("face0", "face1", "face2", "face3")


def _warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("palsy: warning: ")]


def test_a_whole_set_loads_without_a_warning(tmp_path, capsys):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    (root / "splits.csv").write_text("name,split\nface0,train\nface1,val\nface2,test\nface3,train\n")
    assert ParsingDataset.open(root).split_names("val") == ["face1"]
    assert _warnings(capsys) == []


def test_images_without_a_mask_are_named(tmp_path, capsys):
    root = write_parsing_set(tmp_path / "s", ("a", "b", "c", "d", "e", "f"), ".jpg")
    for name in ("a", "b", "c", "d"):
        (root / "masks" / f"{name}.png").unlink()
    assert ParsingDataset.open(root).names == ["e", "f"]
    assert _warnings(capsys) == [f"palsy: warning: {root}: 4 images without a mask left out (images/a.jpg, images/b.jpg, "
                                 "images/c.jpg, ...); each image needs masks/NAME.png"]


def test_splits_csv_names_without_an_image_and_unlisted_images_are_named(tmp_path, capsys):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    (root / "splits.csv").write_text("name,split\nface0,train\nghost,val\nface1,val\n")
    data = ParsingDataset.open(root)
    assert data.split_names("val") == ["face1"] and data.split_names("train") == ["face0", "face2", "face3"]
    assert _warnings(capsys) == [
        f"palsy: warning: {root / 'splits.csv'}: 1 name without an image/mask pair ignored (ghost); a name is the "
        "image's file name without its extension",
        f"palsy: warning: {root / 'splits.csv'}: 2 images not listed, counted as train (face2, face3); give each "
        "image a row name,split"]


def test_a_name_whose_image_has_no_mask_is_warned_about_once(tmp_path, capsys):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    (root / "masks" / "face3.png").unlink()
    (root / "splits.csv").write_text("name,split\nface0,train\nface1,val\nface2,test\nface3,val\n")
    ParsingDataset.open(root)
    ParsingDataset.open(root)  # a command opens a set several times: one warning
    assert _warnings(capsys) == [f"palsy: warning: {root}: 1 image without a mask left out (images/face3.jpg); "
                                 "each image needs masks/NAME.png"]


@pytest.mark.parametrize("second", ["face0.png", "FACE0.jpeg"])
def test_two_images_of_one_name_are_refused_naming_both(tmp_path, second):
    root = write_parsing_set(tmp_path / "s", NAMES, ".jpg")
    cv2.imwrite(str(root / "images" / second), np.full((16, 16, 3), 30, np.uint8))
    first, other = sorted(["face0.jpg", second])
    with pytest.raises(InputError, match=rf"images/{first} and images/{other} in .* are both image .*; keep one of them"):
        ParsingDataset.open(root)
