"""The photo-folder camera: a folder of IMG_*.jpg files stays in name order with a stray
rest.heic (review: it switched to expression names and every step was unavailable), and a
folder of HEIC files alone says it cannot read them (review: "no photos (.jpg, ...)")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource
from app.camera.source import CameraError, StepUnavailable


def _photo(path: Path, value: int) -> None:
    Image.fromarray(np.full((80, 96, 3), value, np.uint8)).save(path)


def test_a_stray_heic_leaves_a_name_order_folder_in_name_order(tmp_path: Path) -> None:
    for i, value in enumerate((10, 60, 110)):
        _photo(tmp_path / f"IMG_000{i}.jpg", value)
    (tmp_path / "rest.heic").write_bytes(b"x")
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert abs(int(source.read()[0, 0, 0]) - 10) < 4
    source.set_expression("close_eyes")
    assert abs(int(source.read()[0, 0, 0]) - 60) < 4


def test_a_folder_of_heic_files_only_says_they_cannot_be_read(tmp_path: Path) -> None:
    for name in ("IMG_0001.HEIC", "IMG_0002.HEIC"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(CameraError, match=r"no photos \(\.jpg.*\) in .*; IMG_0001\.HEIC is a HEIC photo, which "
                                          r"Palsy Grader cannot read: save it as JPEG or PNG .*\(1 more file like it\)"):
        PhotoFolderSource(tmp_path).open()


def test_a_folder_named_rest_heic_is_no_photo(tmp_path: Path) -> None:
    (tmp_path / "rest.heic").mkdir()
    _photo(tmp_path / "close_eyes.jpg", 20)
    source = PhotoFolderSource(tmp_path)
    source.open()
    with pytest.raises(StepUnavailable, match=r"no rest photo in"):
        source.read()


def test_the_plain_name_wins_over_a_numbered_one(tmp_path: Path) -> None:
    # rest.png is the rest photo; rest_2.png is a second shot, not a replacement for it.
    _photo(tmp_path / "rest.png", 10)
    _photo(tmp_path / "rest_2.png", 20)
    source = PhotoFolderSource(tmp_path)
    source.open()
    source.set_expression("rest")
    assert abs(int(source.read()[0, 0, 0]) - 10) < 4


@pytest.mark.parametrize("with_rest", [True, False])
def test_a_name_that_only_starts_like_an_expression_is_not_that_photo(tmp_path: Path, with_rest: bool) -> None:
    # A discarded shot named rest-old.png must never become the rest photo, the baseline of every expression.
    _photo(tmp_path / "rest-old.png", 99)
    _photo(tmp_path / "close_eyes.png", 30)
    if with_rest:
        _photo(tmp_path / "rest.png", 10)
    source = PhotoFolderSource(tmp_path)
    source.open()
    source.set_expression("rest")
    if with_rest:
        assert abs(int(source.read()[0, 0, 0]) - 10) < 4
    else:
        with pytest.raises(StepUnavailable, match=r"no rest photo in"):
            source.read()
