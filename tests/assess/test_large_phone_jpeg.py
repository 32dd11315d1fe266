"""A 50 MP phone JPEG (8660 x 5773) was refused as "too large ... limit 40": JPEGs up to
LARGE_JPEG_PIXELS are decoded reduced (the decoder's draft mode) to fit the limit; other
formats, and JPEGs beyond that, are still refused before any pixel is decoded."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.pipeline.images import LARGE_JPEG_PIXELS, MAX_PIXELS, ImageTooLargeError, load_image
from tests.assess.test_images import _png_header_only


def _gradient(width: int, height: int) -> np.ndarray:
    """RGB with a horizontal red and a vertical green ramp: the orientation can be read back."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
    rgb[..., 1] = np.linspace(0, 255, height, dtype=np.uint8)[:, None]
    return rgb


def test_a_50_megapixel_phone_jpeg_is_read_at_half_size(tmp_path: Path) -> None:
    path = tmp_path / "rest.jpg"
    Image.new("L", (8660, 5773), 128).save(path, quality=70)  # grey keeps the test's memory modest
    assert 8660 * 5773 > MAX_PIXELS and 8660 * 5773 <= LARGE_JPEG_PIXELS
    out = load_image(path, min_side=64)
    assert out.shape == (2887, 4330, 3) and out.dtype == np.uint8 and out.shape[0] * out.shape[1] <= MAX_PIXELS
    assert abs(int(out[100, 100, 0]) - 128) <= 2


def test_a_reduced_jpeg_keeps_its_content_and_exif_rotation(tmp_path: Path) -> None:
    rgb = _gradient(1600, 1000)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: turned 90 degrees clockwise when shown
    path = tmp_path / "rest.jpg"
    Image.fromarray(rgb).save(path, quality=95, exif=exif.tobytes())
    out = load_image(path, max_pixels=500_000)  # 1.6 MP: 1/2 is 0.4 MP
    assert out.shape == (800, 500, 3)
    upright = np.asarray(Image.fromarray(rgb).transpose(Image.Transpose.ROTATE_270).resize((500, 800), Image.BOX))
    assert np.abs(out.astype(int) - upright.astype(int)).mean() < 3
    quarter = load_image(path, max_pixels=150_000)  # 1/2 is too large, 1/4 (0.1 MP) fits
    assert quarter.shape == (400, 250, 3)


def test_other_formats_and_jpegs_beyond_the_reduced_limit_are_still_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageTooLargeError, match=r"rest.png is too large \(8660 x 5773 = 50 megapixels, limit 40\)"):
        load_image(_png_header_only(tmp_path / "rest.png", 8660, 5773))
    path = tmp_path / "big.jpg"
    buffer = io.BytesIO()
    Image.fromarray(_gradient(1600, 1000)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImageTooLargeError, match=r"big.jpg is too large \(1600 x 1000 = 2 megapixels, limit 1\)"):
        load_image(path, max_pixels=500_000, large_jpeg_pixels=1_000_000)
    with pytest.raises(ImageTooLargeError, match=r"limit 1\); resize it below the limit before training"):
        load_image(path, max_pixels=1_000_000, large_jpeg_pixels=None, purpose="training")  # masks drawn at full size
    with pytest.raises(ImageTooLargeError, match="big.jpg is too large"):
        load_image(path, max_pixels=20_000)  # even 1/8 (200 x 125) is over: refused, not decoded
