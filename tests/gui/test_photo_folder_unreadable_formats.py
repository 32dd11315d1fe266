"""The photo-folder camera (headless) names a photo it cannot read (audit: rest.heic beside five
JPEGs gave "no rest photo in heic_mixed (a file named rest.jpg or .png)"; an all-HEIC folder
"no photos")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource
from app.camera.source import CameraError, StepUnavailable
from models.labels import EXPRESSIONS


def _photo(path: Path, value: int) -> None:
    Image.fromarray(np.full((80, 96, 3), value, np.uint8)).save(path)


def test_a_heic_photo_is_its_steps_error_naming_the_format(tmp_path: Path) -> None:
    (tmp_path / "rest.heic").write_bytes(b"x")
    for value, expression in enumerate(EXPRESSIONS[1:], start=10):
        _photo(tmp_path / f"{expression}.jpg", value)
    source = PhotoFolderSource(tmp_path)
    source.open()
    source.set_expression("rest")
    with pytest.raises(StepUnavailable, match=r"rest\.heic is a HEIC photo, which Palsy Grader cannot read: save it as "
                                              r"JPEG or PNG \(on an iPhone: .*\); replace the file and press Retry"):
        source.read()
    source.set_expression("close_eyes")  # the other steps go on
    assert source.read()[0, 0, 0] == 10
    source.close()


def test_an_all_heic_folder_opens_and_names_each_steps_photo(tmp_path: Path) -> None:
    for expression in EXPRESSIONS:
        (tmp_path / f"{expression}.HEIC").write_bytes(b"x")
    source = PhotoFolderSource(tmp_path)
    source.open()
    source.set_expression("open_mouth")
    with pytest.raises(StepUnavailable, match=r"open_mouth\.HEIC is a HEIC photo"):
        source.read()
    source.close()
    with pytest.raises(CameraError, match="not open"):
        source.read()


def test_a_readable_photo_of_the_expression_wins(tmp_path: Path) -> None:
    (tmp_path / "rest.heic").write_bytes(b"x")
    _photo(tmp_path / "rest.jpg", 40)
    source = PhotoFolderSource(tmp_path)
    source.open()
    assert abs(int(source.read()[0, 0, 0]) - 40) < 4


def test_a_folder_of_other_files_still_has_no_photos(tmp_path: Path) -> None:
    (tmp_path / "rest.xmp").write_bytes(b"x")
    (tmp_path / "holiday.heic").write_bytes(b"x")
    with pytest.raises(CameraError, match="no photos"):
        PhotoFolderSource(tmp_path).open()
