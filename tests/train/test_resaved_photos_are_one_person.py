"""One person under two IDs whose photos were exported again (a PNG of the JPEG's pixels: other
bytes, the same pixels) is found as a byte-for-byte copy is: the photo check compares decoded
pixels."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.data.patients import PatientDataset, photo_digest
from models.errors import InputError
from tests.train.conftest import draw_patients


def _as_jpeg(folder: Path) -> None:
    """A patient's photos as JPEGs, as a camera gives them (its PNGs replaced)."""
    for png in folder.glob("*.png"):
        Image.open(png).save(png.with_suffix(".jpg"), quality=90)
        png.unlink()


def _add_patient(root: Path, source: str, new_id: str, split: str, save) -> None:
    """Patient `new_id` in `split`, its photos `save(image, path_without_suffix)` of `source`'s."""
    (root / new_id).mkdir()
    for photo in (root / source).glob("*.jpg"):
        save(Image.open(photo), root / new_id / photo.stem)
    with (root / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.append(dict(next(r for r in rows if r["patient_id"] == source), patient_id=new_id, split=split))
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def clinic(tmp_path):
    """6 patients with a split column, the first training patient's photos JPEGs; its id."""
    root = draw_patients(tmp_path / "p", 6, seed=3, split_column=True)
    source = PatientDataset(root).patient_ids("train")[0]
    _as_jpeg(root / source)
    return root, source


def test_the_same_photos_saved_again_as_png_in_another_split_are_refused(clinic):
    root, source = clinic
    _add_patient(root, source, "MRN-7", "test", lambda image, stem: image.save(stem.with_suffix(".png")))
    assert (root / source / "rest.jpg").read_bytes() != (root / "MRN-7" / "rest.png").read_bytes()
    with pytest.raises(InputError, match=rf"^{source} \(train\) and MRN-7 \(test\) have an identical photo "
                                         rf"\({source}/close_eyes.jpg = MRN-7/close_eyes.png\).*keep one ID per person"):
        PatientDataset(root).check_files()


def test_photos_compressed_again_with_loss_are_not_found(clinic):
    """The documented limit: a JPEG re-compressed has other pixels."""
    root, source = clinic
    _add_patient(root, source, "MRN-7", "test", lambda image, stem: image.save(stem.with_suffix(".jpg"), quality=70))
    dataset = PatientDataset(root)
    dataset.check_files()
    assert dataset.shared_photos == []


def test_the_digest_tells_sizes_apart_whose_pixels_are_the_same_bytes():
    pixels = np.arange(2 * 6 * 3, dtype=np.uint8)
    assert photo_digest(pixels.reshape(2, 6, 3)) != photo_digest(pixels.reshape(6, 2, 3))
    assert photo_digest(pixels.reshape(2, 6, 3)) == photo_digest(pixels.reshape(2, 6, 3).copy())
