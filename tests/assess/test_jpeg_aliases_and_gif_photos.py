"""A rest photo saved as rest.jfif or rest.jpe (JPEG under other names: browsers on Windows save
JPEGs as .jfif) is read as rest.jpg is; a rest.gif is refused by name, with what to do (audit:
all three were skipped without a word, and the patient graded with "no rest photo")."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.cli import main
from models.errors import InputError
from models.pipeline.images import load_image
from models.pipeline.patient_dir import find_expression_photos, ignored_photos


def _rest_as(patient_dir: Path, name: str, format: str) -> Path:
    """Replace the patient's rest.png by the same picture saved as `name` in `format`."""
    png = patient_dir / "rest.png"
    with Image.open(png) as image:
        image.convert("RGB").save(patient_dir / name, format)
    png.unlink()
    return patient_dir / name


@pytest.mark.parametrize("name", ["rest.jfif", "REST.JPE", "rest.jif"])
def test_a_jpeg_alias_is_the_rest_photo(patient_dir: Path, name: str) -> None:
    photo = _rest_as(patient_dir, name, "JPEG")
    assert find_expression_photos(patient_dir)["rest"] == [photo]
    copy = patient_dir.parent / "same.jpg"
    copy.write_bytes(photo.read_bytes())
    assert np.array_equal(load_image(photo), load_image(copy))  # decoded as the JPEG it is


def test_a_gif_rest_photo_is_refused_by_name(patient_dir: Path) -> None:
    _rest_as(patient_dir, "rest.gif", "GIF")
    with pytest.raises(InputError, match=r"rest\.gif is a GIF photo, which Palsy Grader cannot read: save it as JPEG or "
                                         r"PNG \(a GIF holds 256 colours at most.*\), or move it out of"):
        find_expression_photos(patient_dir)


def test_a_gif_beside_the_readable_rest_photo_is_left_out(patient_dir: Path) -> None:
    with Image.open(patient_dir / "rest.png") as image:
        image.convert("RGB").save(patient_dir / "rest.gif")
    assert find_expression_photos(patient_dir)["rest"] == [patient_dir / "rest.png"]


def test_a_jfif_not_named_as_an_expression_is_listed_as_ignored(patient_dir: Path) -> None:
    with Image.open(patient_dir / "rest.png") as image:
        image.convert("RGB").save(patient_dir / "IMG_0001.jfif", "JPEG")
    assert [p.name for p in ignored_photos(patient_dir)] == ["IMG_0001.jfif"]


def test_palsy_assess_grades_with_a_jfif_rest_photo(capsys, patient_dir: Path, small_weights: Path,
                                                    tmp_path: Path) -> None:
    _rest_as(patient_dir, "rest.jfif", "JPEG")
    out = tmp_path / "o"
    code = main(["assess", str(patient_dir), "--out", str(out), "--weights", str(small_weights), "--quiet"])
    assert code == 0, capsys.readouterr().err
    flags = json.dumps(json.loads((out / "assessment.json").read_text(encoding="utf-8")))
    assert "missing_rest" not in flags


def test_palsy_assess_refuses_a_gif_rest_photo_in_one_line(capsys, patient_dir: Path, small_weights: Path,
                                                           tmp_path: Path) -> None:
    _rest_as(patient_dir, "rest.gif", "GIF")
    code = main(["assess", str(patient_dir), "--out", str(tmp_path / "o"), "--weights", str(small_weights)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("palsy: error: rest.gif is a GIF photo, which Palsy Grader cannot read")
