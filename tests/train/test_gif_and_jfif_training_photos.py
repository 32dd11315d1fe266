"""Training and scoring read a patient's rest.jfif as its rest photo and refuse a rest.gif by name
(audit: both were left out without a word, and the patient trained and scored without its rest
photo)."""

from __future__ import annotations

import pytest
from PIL import Image

from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

PID = "p005_000"


def test_a_jfif_rest_photo_is_read(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    with Image.open(root / PID / "rest.png") as image:
        image.convert("RGB").save(root / PID / "rest.jfif", "JPEG")
    (root / PID / "rest.png").unlink()
    dataset = PatientDataset(root)
    assert len(dataset.samples("all")) == 6
    assert dataset.ignored()["files"] == []


def test_a_gif_rest_photo_is_refused_naming_it(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    with Image.open(root / PID / "rest.png") as image:
        image.save(root / PID / "rest.gif")
    (root / PID / "rest.png").unlink()
    with pytest.raises(InputError, match=rf"{PID}/rest\.gif is a GIF photo, which Palsy Grader cannot read: save it "
                                         r"as JPEG or PNG"):
        PatientDataset(root).samples("all")
