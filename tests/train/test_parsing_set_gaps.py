"""A parsing set is never trimmed without a word (audit: an image without a mask, a splits.csv
name without an image and an image splits.csv does not list went silently), and two images of
one name are refused (face0.jpg and face0.png: the .png silently won)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from models.data.parsing import ParsingDataset
from models.errors import InputError

SPEC = {"classes": ["background", "skin"], "maps_to": {"background": ["background"],
        "skin": ["skin", "left_brow", "right_brow", "left_eye", "right_eye", "nose", "upper_lip", "inner_mouth",
                 "lower_lip", "hair"]}, "ignore_index": 255}


def _set(root: Path, names: tuple[str, ...] = ("face0", "face1", "face2", "face3"), ext: str = ".jpg") -> Path:
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for name in names:
        cv2.imwrite(str(root / "images" / f"{name}{ext}"), np.full((16, 16, 3), 120, np.uint8))
        cv2.imwrite(str(root / "masks" / f"{name}.png"), np.zeros((16, 16), np.uint8))
    (root / "classes.json").write_text(json.dumps(SPEC))
    return root


def _warnings(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("palsy: warning: ")]


def test_a_whole_set_loads_without_a_warning(tmp_path, capsys):
    root = _set(tmp_path / "s")
    (root / "splits.csv").write_text("name,split\nface0,train\nface1,val\nface2,test\nface3,train\n")
    assert ParsingDataset.open(root).split_names("val") == ["face1"]
    assert _warnings(capsys) == []


def test_images_without_a_mask_are_named(tmp_path, capsys):
    root = _set(tmp_path / "s", names=("a", "b", "c", "d", "e", "f"))
    for name in ("a", "b", "c", "d"):
        (root / "masks" / f"{name}.png").unlink()
    assert ParsingDataset.open(root).names == ["e", "f"]
    assert _warnings(capsys) == [f"palsy: warning: {root}: 4 images without a mask left out (images/a.jpg, images/b.jpg, "
                                 "images/c.jpg, ...); each image needs masks/NAME.png"]


def test_splits_csv_names_without_an_image_and_unlisted_images_are_named(tmp_path, capsys):
    root = _set(tmp_path / "s")
    (root / "splits.csv").write_text("name,split\nface0,train\nghost,val\nface1,val\n")
    data = ParsingDataset.open(root)
    assert data.split_names("val") == ["face1"] and data.split_names("train") == ["face0", "face2", "face3"]
    assert _warnings(capsys) == [
        f"palsy: warning: {root / 'splits.csv'}: 1 name without an image/mask pair ignored (ghost); a name is the "
        "image's file name without its extension",
        f"palsy: warning: {root / 'splits.csv'}: 2 images not listed, counted as train (face2, face3); give each "
        "image a row name,split"]


def test_a_name_whose_image_has_no_mask_is_warned_about_once(tmp_path, capsys):
    root = _set(tmp_path / "s")
    (root / "masks" / "face3.png").unlink()
    (root / "splits.csv").write_text("name,split\nface0,train\nface1,val\nface2,test\nface3,val\n")
    ParsingDataset.open(root)
    ParsingDataset.open(root)  # a command opens a set several times: one warning
    assert _warnings(capsys) == [f"palsy: warning: {root}: 1 image without a mask left out (images/face3.jpg); "
                                 "each image needs masks/NAME.png"]


@pytest.mark.parametrize("second", ["face0.png", "FACE0.jpeg"])
def test_two_images_of_one_name_are_refused_naming_both(tmp_path, second):
    root = _set(tmp_path / "s")
    cv2.imwrite(str(root / "images" / second), np.full((16, 16, 3), 30, np.uint8))
    first, other = sorted(["face0.jpg", second])
    with pytest.raises(InputError, match=rf"images/{first} and images/{other} in .* are both image .*; keep one of them"):
        ParsingDataset.open(root)
