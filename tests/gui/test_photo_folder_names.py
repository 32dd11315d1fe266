"""Which photo folders the "Folder of photos" source reads, and how: expression names by
name, a camera's running numbers in name order with the file of each step named, anything
else refused as `palsy assess` refuses it (a clinic's 01_Ruhe.jpg, 02_Stirn_runzeln.jpg ...
in name order gave "Close eyes" the raised brows, and the grade came out VI for II)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource
from app.camera.source import CameraError, StepUnavailable
from app.pages.capture_logic import name_order_note
from models.labels import EXPRESSIONS

# a German clinic's own names, in its own order: forehead before eyes, nose before mouth
CLINIC_NAMES = ("01_Ruhe.jpg", "02_Stirn_runzeln.jpg", "03_Augen_schliessen.jpg", "04_Nase_ruempfen.jpg",
                "05_Mund_oeffnen.jpg", "06_Backen_aufblasen.jpg")
GERMAN_NAMES = ("ruhe.jpg", "augen_schließen.jpg", "stirn_runzeln.jpg", "mund_öffnen.jpg", "nase_rümpfen.jpg",
                "backen_aufblasen.jpg")
EXPECTED_NAMES = ("name them rest, close_eyes, raise_eyebrows, open_mouth, wrinkle_nose, puff_cheeks "
                  "(.jpg or .png, or EXPRESSION_N.* for several frames). These names are English")


def _photos(folder: Path, names: tuple[str, ...]) -> Path:
    """`names` as small photos in `folder`, each a grey level of its own (10, 40, 70, ...)."""
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((80, 96, 3), 10 + 30 * i, np.uint8)).save(folder / name)
    return folder


def _grey(source: PhotoFolderSource, expression: str) -> int:
    source.set_expression(expression)
    return int(source.read()[0, 0, 0])


@pytest.mark.parametrize("names", [CLINIC_NAMES, GERMAN_NAMES], ids=["clinic-order", "german-names"])
def test_a_folder_named_in_another_language_is_refused_with_the_names_it_needs(tmp_path: Path, names) -> None:
    folder = _photos(tmp_path / "Müller_Jürgen", names)
    with pytest.raises(CameraError) as info:
        PhotoFolderSource(folder).open()
    message = str(info.value)
    assert message.startswith(f"no expression photos found in {folder}; {EXPECTED_NAMES}")
    first = sorted(names)[0]
    assert f"rename the photos ({first} ...) after the expressions they show and press Retry" in message
    assert "camera names" not in message  # none of them is one


def test_camera_names_with_one_other_name_are_refused_and_say_which(tmp_path: Path) -> None:
    folder = _photos(tmp_path / "p", ("IMG_0001.jpg", "IMG_0002.jpg", "Stirn.jpg"))
    with pytest.raises(CameraError, match=re.escape(EXPECTED_NAMES)) as info:
        PhotoFolderSource(folder).open()
    assert str(info.value).endswith("camera names (IMG_0001.jpg ...) are taken in name order only when every "
                                    "photo has one, and Stirn.jpg has not")


@pytest.mark.parametrize("names", [
    ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0003.JPG", "IMG_0004.JPG", "IMG_0005.JPG", "IMG_0006.JPG"),  # iPhone, Canon
    ("DSC_0041.jpg", "DSC_0042.jpg", "DSC_0043.jpg", "DSC_0044.jpg", "DSC_0045.jpg", "DSC_0046.jpg"),  # Nikon
    ("DSCN0001.jpg", "DSCN0002.jpg", "DSCN0003.jpg", "DSCN0004.jpg", "DSCN0005.jpg", "DSCN0006.jpg"),  # Coolpix
    ("P1010001.JPG", "P1010002.JPG", "P1010003.JPG", "P1010004.JPG", "P1010005.JPG", "P1010006.JPG"),  # Panasonic
    ("PXL_20241206_101501123.jpg", "PXL_20241206_101509456.jpg", "PXL_20241206_101517789.MP.jpg",
     "PXL_20241206_101525012.jpg", "PXL_20241206_101533345.jpg", "PXL_20241206_101541678.jpg"),  # Pixel
    ("20241206_101501.jpg", "20241206_101509.jpg", "20241206_101517.jpg", "20241206_101525.jpg",
     "20241206_101533.jpg", "20241206_101541.jpg"),  # Samsung
    ("1.png", "2.png", "3.png", "4.png", "5.png", "6.png"),
], ids=["IMG", "DSC", "DSCN", "P", "PXL", "date", "digits"])
def test_camera_names_are_taken_in_name_order_and_each_step_names_its_file(tmp_path: Path, names) -> None:
    source = PhotoFolderSource(_photos(tmp_path / "p", names))
    source.open()
    for i, expression in enumerate(EXPRESSIONS):
        assert abs(_grey(source, expression) - (10 + 30 * i)) < 4
        assert source.name_order_photo(expression) == names[i]
    assert name_order_note(source, "rest") == f"This step takes {names[0]}, the next photo in name order: check it shows Rest"
    assert name_order_note(source, "close_eyes") == (f"This step takes {names[1]}, the next photo in name order: "
                                                     "check it shows Close eyes")


def test_a_step_past_the_last_camera_photo_is_unavailable_not_the_first_photo_again(tmp_path: Path) -> None:
    source = PhotoFolderSource(_photos(tmp_path / "p", ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg")))
    source.open()
    assert abs(_grey(source, "raise_eyebrows") - 70) < 4
    with pytest.raises(StepUnavailable, match=r"p holds 3 photos, taken in name order, one per step: none is left "
                                              r"for open_mouth; add it and press Retry"):
        _grey(source, "open_mouth")  # the rest photo stood in for it
    assert source.name_order_photo("open_mouth") is None and name_order_note(source, "open_mouth") == ""


def test_an_expression_named_folder_is_read_by_name_and_names_no_file(tmp_path: Path) -> None:
    names = tuple(f"{expression}.jpg" for expression in reversed(EXPRESSIONS))  # name order is not step order
    source = PhotoFolderSource(_photos(tmp_path / "p", names))
    source.open()
    for i, name in enumerate(names):
        assert abs(_grey(source, name.removesuffix(".jpg")) - (10 + 30 * i)) < 4
    assert source.name_order_photo("rest") is None
    assert name_order_note(source, "rest") == ""
