"""A JPEG with one mistyped EXIF tag decodes and shows fine; it is read upright by its orientation
tag (audit: `ImageOps.exif_transpose` raised struct.error: a traceback in `palsy assess`, "not a
readable image" in the photo folder, and Settings -> Save doing nothing for such a logo)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.settings import SettingsError, check_logo
from models.pipeline import images
from models.pipeline.images import ImageError, load_image

WIDTH, HEIGHT = 96, 64


def _stored_sideways() -> Image.Image:
    """A picture whose left half is red, the right half blue, stored turned a quarter."""
    rgb = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    rgb[:, : WIDTH // 2] = (220, 30, 30)
    rgb[:, WIDTH // 2:] = (30, 30, 220)
    return Image.fromarray(rgb).transpose(Image.Transpose.ROTATE_90)


def _jpeg_with_mistyped_tag(path: Path) -> Path:
    """The audit's recipe: EXIF orientation 6 and Model 'EOS'; then tag 0x0110 (Model, ASCII)
    renamed 0x0119 (MaxSampleValue, a SHORT) in the bytes, as one flipped byte of a camera's
    block does. Pillow opens it; `ImageOps.exif_transpose` raised struct.error."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x0110] = "EOS"
    buffer = io.BytesIO()
    _stored_sideways().save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    good = buffer.getvalue()
    bad = good.replace(b"\x01\x10\x00\x02", b"\x01\x19\x00\x02", 1)  # big-endian: tag, then type ASCII
    assert bad != good
    path.write_bytes(bad)
    return path


def _is_upright(rgb: np.ndarray) -> bool:
    return rgb.shape == (HEIGHT, WIDTH, 3) and rgb[HEIGHT // 2, 5, 0] > 150 and rgb[HEIGHT // 2, WIDTH - 5, 2] > 150


def test_the_photo_is_read_upright_by_its_orientation_tag(tmp_path: Path) -> None:
    photo = _jpeg_with_mistyped_tag(tmp_path / "rest.jpg")
    with Image.open(photo) as image:
        assert image.getexif()[0x0119] == "EOS"  # the mistyped tag is there
    assert _is_upright(load_image(photo))


def test_exif_that_cannot_be_read_leaves_the_photo_as_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    photo = _jpeg_with_mistyped_tag(tmp_path / "rest.jpg")

    def unreadable_exif(self: Image.Image) -> Image.Exif:
        raise SyntaxError("not a TIFF IFD")

    monkeypatch.setattr(Image.Image, "getexif", unreadable_exif)
    with caplog.at_level(logging.WARNING, logger=images.__name__):
        rgb = load_image(photo)
    assert rgb.shape == (WIDTH, HEIGHT, 3)  # as stored, sideways
    assert "EXIF data of rest.jpg cannot be read" in caplog.text


def test_a_decoder_surprise_is_one_line_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = _jpeg_with_mistyped_tag(tmp_path / "rest.jpg")

    def surprise(image: Image.Image, name: str) -> Image.Image:
        raise IndexError("tuple index out of range")

    monkeypatch.setattr(images, "upright", surprise)
    with pytest.raises(ImageError, match=r"^rest\.jpg is damaged and cannot be decoded; retake"):
        load_image(photo)


def test_such_a_photo_is_accepted_as_the_clinic_logo(tmp_path: Path) -> None:
    check_logo(str(_jpeg_with_mistyped_tag(tmp_path / "logo.jpg")))


def test_any_failure_of_the_logo_check_is_a_settings_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logo = _jpeg_with_mistyped_tag(tmp_path / "logo.jpg")

    def failing(*args: object, **kwargs: object) -> np.ndarray:
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(images, "load_image", failing)
    with pytest.raises(SettingsError, match=r"the logo .*logo\.jpg cannot be read \(decoder crashed\); choose a PNG"):
        check_logo(str(logo))


def test_a_stored_photo_with_the_tag_shows_upright_not_damaged(tmp_path: Path) -> None:
    """A reopened visit's photo is decoded by the records' own reader: the same orientation rule,
    not "damaged" for one mistyped tag."""
    from app.records.imaging import decode_image

    data = _jpeg_with_mistyped_tag(tmp_path / "rest.jpg").read_bytes()
    assert _is_upright(decode_image(data, "rest.jpg"))
