"""Stored photos read back as `palsy assess` reads a file (EXIF orientation, 16-bit scaling),
and an import decodes every photo whole, refusing one that cannot be decoded."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.records import Store
from app.records.imaging import decode_image
from app.records.import_folder import import_patient
from models.errors import InputError
from models.pipeline.images import load_image
from tests.records.records_helpers import edit_manifest


def _gradient(height: int = 96, width: int = 64) -> np.ndarray:
    """An RGB image that is not symmetric, so a rotation shows."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([y * 255 // height, x * 255 // width, (x + y) % 256], axis=-1).astype(np.uint8)


def _encoded(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_a_16_bit_grey_png_reads_as_assess_reads_it(tmp_path: Path) -> None:
    grey = (np.arange(64 * 64, dtype=np.uint32).reshape(64, 64) * 16).astype(np.uint16)
    data = _encoded(Image.fromarray(grey), "PNG")
    (tmp_path / "g16.png").write_bytes(data)
    decoded = decode_image(data)
    assert decoded.shape == (64, 64, 3) and decoded.dtype == np.uint8
    assert decoded.mean() < 200  # not all white, as convert("RGB") made it
    assert np.array_equal(decoded, load_image(tmp_path / "g16.png"))


def test_an_exif_rotated_photo_reads_upright_as_assess_reads_it(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to show
    data = _encoded(Image.fromarray(_gradient()), "JPEG", exif=exif.tobytes(), quality=95)
    (tmp_path / "rotated.jpg").write_bytes(data)
    decoded = decode_image(data)
    assert decoded.shape == (64, 96, 3)  # turned upright
    assert np.array_equal(decoded, load_image(tmp_path / "rotated.jpg"))


def test_an_import_refuses_a_photo_that_cannot_be_decoded(tmp_path: Path, exported: Path) -> None:
    truncated = _encoded(Image.fromarray(_gradient()), "JPEG")[:600]  # a valid header, cut short
    (exported / "photos" / "cut.jpg").write_bytes(truncated)
    edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(
        file="photos/cut.jpg", sha256=hashlib.sha256(truncated).hexdigest()))
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(InputError, match=r"cut\.jpg in the export .*decode.*Nothing was imported"):
            import_patient(target, exported)
        assert target.count_patients() == 0
