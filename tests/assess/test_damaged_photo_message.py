"""A photo that cannot be used says what is wrong with it and one thing to do: `palsy assess`
says to retake or copy it, the photo folder to replace it and press Retry, never both, and
neither shows the decoder's exception class or words (they go to the log)."""

from __future__ import annotations

import logging
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource
from app.camera.source import StepUnavailable
from app.cli import main
from app.records.imaging import decode_image
from models.errors import InputError
from models.pipeline.images import ImageError, load_image
from tests.assess.conftest import write_rgb

RETAKE = "retake or copy the photo again"
RETRY = "replace the file and press Retry"


def _cut_png(path: Path) -> Path:
    """A photo PNG cut short, as a copy interrupted half way leaves it (Pillow: "image file is truncated")."""
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (96, 96, 3), dtype=np.uint8)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _huge_png(path: Path) -> Path:
    """A PNG whose header declares 40000 x 40000 pixels: 1600 megapixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def test_a_truncated_photo_names_no_exception_and_says_what_to_do(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="models.pipeline.images"), pytest.raises(ImageError) as info:
        load_image(_cut_png(tmp_path / "rest.png"))
    assert str(info.value) == f"rest.png is damaged or truncated and cannot be decoded; {RETAKE}"
    assert (info.value.fault, info.value.advice) == ("rest.png is damaged or truncated and cannot be decoded", RETAKE)
    assert "OSError" in caplog.text and "truncated" in caplog.text  # the decoder's words, for the log


def test_palsy_assess_on_a_truncated_photo_says_to_retake_it(capsys, patient_dir: Path, small_weights: Path,
                                                            tmp_path: Path) -> None:
    _cut_png(patient_dir / "rest.png")
    assert main(["assess", str(patient_dir), "--out", str(tmp_path / "o"), "--weights", str(small_weights)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"palsy: error: rest.png is damaged or truncated and cannot be decoded; {RETAKE}"


@pytest.mark.parametrize(("make", "fault"), [
    (_cut_png, "rest.png is damaged or truncated and cannot be decoded"),
    (_empty, "rest.png is an empty file (0 bytes)"),
    (_huge_png, "rest.png is too large (1600 megapixels, limit 40)"),
], ids=["truncated", "empty", "too-large"])
def test_the_photo_folder_gives_its_own_next_step_only(tmp_path: Path, make, fault: str) -> None:
    # it said "...(OSError: image file is truncated); replace the file and press Retry" and
    # "...; retake or copy the photo again; replace the file and press Retry"
    write_rgb(tmp_path / "close_eyes.png", np.full((80, 96, 3), 10, np.uint8))
    make(tmp_path / "rest.png")
    source = PhotoFolderSource(tmp_path)
    source.open()
    source.set_expression("rest")
    with pytest.raises(StepUnavailable) as info:
        source.read()
    assert str(info.value) == f"{fault}; {RETRY}"


def test_a_stored_photo_that_cannot_be_decoded_names_no_exception(tmp_path: Path, caplog) -> None:
    data = _cut_png(tmp_path / "rest.png").read_bytes()
    with caplog.at_level(logging.INFO, logger="app.records.imaging"), pytest.raises(InputError) as info:
        decode_image(data, "/data/photos/000001_rest.png")
    assert str(info.value) == "/data/photos/000001_rest.png cannot be decoded: it is damaged or not a PNG/JPEG photo."
    assert "OSError" in caplog.text
