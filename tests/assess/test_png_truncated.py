"""A PNG whose image data ends before its last row is refused as truncated (audit: a complete zlib
stream holding half the rows was accepted with the bottom half black)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from models.errors import InputError
from models.pipeline.images import load_image, png_image_bytes, write_png

ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, colour_type: int, raw: bytes, interlaced: bool = False, split: int = 0) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, int(interlaced))
    body = zlib.compress(raw)
    parts = [body[i:i + split] for i in range(0, len(body), split)] if split else [body]
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + b"".join(_chunk(b"IDAT", p) for p in parts) + _chunk(b"IEND", b"")


def _photo(height: int = 96, width: int = 80) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_half_the_rows_is_refused_as_truncated(tmp_path: Path) -> None:
    photo = _photo()
    rows = b"".join(b"\x00" + photo[y].tobytes() for y in range(photo.shape[0] // 2))
    path = tmp_path / "half_rows.png"
    path.write_bytes(_png(photo.shape[1], photo.shape[0], 2, rows, split=500))
    with pytest.raises(InputError, match=r"half_rows\.png is truncated: its image data ends early \(50% of the rows\)"):
        load_image(path)


def test_one_missing_byte_is_refused(tmp_path: Path) -> None:
    photo = _photo()
    rows = b"".join(b"\x00" + photo[y].tobytes() for y in range(photo.shape[0]))
    path = tmp_path / "short.png"
    path.write_bytes(_png(photo.shape[1], photo.shape[0], 2, rows[:-1]))
    with pytest.raises(InputError, match="truncated"):
        load_image(path)


def test_complete_pngs_still_load(tmp_path: Path) -> None:
    photo = _photo()
    assert np.array_equal(load_image(write_png(tmp_path / "whole.png", photo)), photo)
    rows = b"".join(b"\x00" + photo[y].tobytes() for y in range(photo.shape[0]))
    many = tmp_path / "many_idat.png"
    many.write_bytes(_png(photo.shape[1], photo.shape[0], 2, rows, split=97))  # IDAT split in many chunks
    assert np.array_equal(load_image(many), photo)


@pytest.mark.parametrize("size", [(96, 80), (13, 7), (1, 9)])
def test_an_interlaced_png_is_measured_per_pass(tmp_path: Path, size: tuple[int, int]) -> None:
    height, width = size
    grey = np.random.default_rng(1).integers(0, 256, (height, width), dtype=np.uint8)
    raw = b""
    for x0, y0, dx, dy in ADAM7:
        sub = grey[y0::dy, x0::dx]
        if sub.size:
            raw += b"".join(b"\x00" + row.tobytes() for row in sub)
    assert len(raw) == png_image_bytes(width, height, 8, 0, True)
    path = tmp_path / "adam7.png"
    path.write_bytes(_png(width, height, 0, raw, interlaced=True))
    assert np.array_equal(load_image(path)[..., 0], grey)
    path.write_bytes(_png(width, height, 0, raw[:-1], interlaced=True))
    with pytest.raises(InputError, match="truncated"):
        load_image(path)


def test_a_stored_photo_missing_rows_is_refused_when_read_back(tmp_path: Path) -> None:
    # the records' reader (reopening, import) decoded it with its bottom half black
    from app.records.imaging import decode_image

    photo = _photo()
    rows = b"".join(b"\x00" + photo[y].tobytes() for y in range(photo.shape[0] // 2))
    data = _png(photo.shape[1], photo.shape[0], 2, rows, split=500)
    with pytest.raises(InputError, match=r"stored\.png is truncated"):
        decode_image(data, "stored.png")
    whole = b"".join(b"\x00" + photo[y].tobytes() for y in range(photo.shape[0]))
    assert decode_image(_png(photo.shape[1], photo.shape[0], 2, whole), "stored.png").shape == photo.shape
