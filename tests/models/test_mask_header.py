"""A label mask's header is read before any pixel is decoded (audit: a 389 KB PNG decoded to
20000 x 20000, 815 MB peak, in `read_mask`)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

import models.data.parsing as parsing
from models.errors import InputError
from models.pipeline.images import MAX_PIXELS, ImageTooLargeError


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def grey_png(path: Path, width: int, height: int) -> Path:
    """An 8-bit greyscale PNG of zeros, written without holding its pixels (small on disk)."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte, then the row
    body = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b""))
    return path


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the masks OpenCV is asked to decode."""
    calls: list[int] = []
    real = parsing.cv2.imdecode

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(parsing.cv2, "imdecode", counting)
    return calls


def test_a_mask_over_the_pixel_limit_is_refused_before_decoding(tmp_path: Path, no_decoding: list[int]) -> None:
    bomb = grey_png(tmp_path / "bomb.png", 8000, 6000)  # 48 MP, a few KB on disk
    assert bomb.stat().st_size < 200_000 and 8000 * 6000 > MAX_PIXELS
    with pytest.raises(ImageTooLargeError, match=r"mask .*bomb\.png is too large \(8000 x 6000"):
        parsing.read_mask(bomb)
    assert no_decoding == []


def test_a_mask_far_over_pillows_limit_is_refused_too(tmp_path: Path, no_decoding: list[int]) -> None:
    # the audit's 20000 x 20000: Pillow itself refuses it in open; the same kind of message
    bomb = tmp_path / "huge.png"
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 20001)) + _chunk(b"IEND", b""))
    with pytest.raises(ImageTooLargeError, match=r"huge\.png is too large"):
        parsing.read_mask(bomb)
    assert no_decoding == []


def test_a_mask_larger_than_its_photo_is_refused_before_decoding(tmp_path: Path, no_decoding: list[int]) -> None:
    mask = grey_png(tmp_path / "m.png", 300, 200)
    with pytest.raises(InputError, match=r"m\.png is 300 x 200 pixels, larger than its photo \(100 x 80\)"):
        parsing.read_mask(mask, photo_shape=(80, 100))
    assert no_decoding == []
    assert parsing.read_mask(mask, photo_shape=(200, 300)).shape == (200, 300)  # its own size is fine
    assert np.all(parsing.read_mask(mask) == 0)


def test_a_file_that_is_no_image_is_still_named(tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not a png")
    with pytest.raises(InputError, match=r"cannot read mask .*notes\.png"):
        parsing.read_mask(text)
