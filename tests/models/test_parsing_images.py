"""Training and evaluation read their photos with the assessment's checks (audit: `palsy
evaluate` and `palsy train clinic` decoded a 30000 x 30000 PNG of 109 KB, 6 GB at peak, and
graded a truncated JPEG half grey with exit 0): `models.data.parsing.read_image` refuses a
header over the pixel limit before decoding and a truncated or damaged file, with the words
`palsy assess` uses, naming the file; EXIF orientation is applied as OpenCV applied it."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.cli import main
from models.data.parsing import read_image
from models.data.patients import PatientDataset
from models.errors import InputError
from models.pipeline.images import MAX_PIXELS
from models.train.sources import load_grading_source


@pytest.fixture(scope="module")
def small_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained compact network at 64 px input."""
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint
    from models.config import COMPACT

    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), path, training={"data": "none (untrained test network)"})
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A small PNG whose header declares `width` x `height` (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
                     + chunk(b"IEND", b""))
    return path


def truncated_jpeg(path: Path) -> Path:
    rgb = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


@pytest.mark.parametrize(("width", "height"), [(30000, 30000), (8000, 6000)])
def test_a_header_over_the_limit_is_refused_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    bomb = png_header_only(tmp_path / "rest.png", width, height)
    megapixels = f"{width * height / 1e6:.0f} megapixels, limit {MAX_PIXELS / 1e6:.0f}"
    with pytest.raises(InputError, match=f"{bomb} is too large .*{megapixels}"):
        read_image(bomb)


def test_a_truncated_or_damaged_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"{tmp_path / 'cut.jpg'} is damaged or truncated"):
        read_image(truncated_jpeg(tmp_path / "cut.jpg"))
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(InputError, match="text.png is not an image file"):
        read_image(tmp_path / "text.png")


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp"])
def test_exif_orientation_is_applied_as_opencv_applied_it(tmp_path: Path, suffix: str) -> None:
    # the masks of a parsing set were drawn on the photo as OpenCV's IMREAD_COLOR shows it
    rgb = np.zeros((40, 80, 3), np.uint8)
    rgb[:, :20] = (255, 0, 0)
    rgb[:10] = (0, 255, 0)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    path = tmp_path / f"sideways{suffix}"
    extra = {"quality": 100} if suffix == ".jpg" else {"lossless": True} if suffix == ".webp" else {}
    Image.fromarray(rgb).save(path, exif=exif.tobytes(), **extra)
    ours = read_image(path)
    assert ours.shape == (80, 40, 3)
    if suffix != ".jpg":  # lossless: exactly the photo turned upright
        assert np.array_equal(ours, np.rot90(rgb, -1))
    if suffix != ".webp":  # OpenCV turns a WebP by its EXIF only from 4.13 (the floor is 4.11)
        opencv = cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
        assert np.abs(ours.astype(int) - opencv).max() <= 1


def _patients(root: Path, photo: Path) -> Path:
    (root / "P1").mkdir(parents=True)
    (root / "labels.csv").write_text("patient_id,grade,side\nP1,III,left\n")
    photo.rename(root / "P1" / f"rest{photo.suffix}")
    return root


@pytest.mark.parametrize("kind", ["bomb", "truncated"])
def test_evaluate_and_training_refuse_such_photos(tmp_path: Path, capsys, small_weights: Path, kind: str) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    photo = png_header_only(scratch / "x.png", 30000, 30000) if kind == "bomb" else truncated_jpeg(scratch / "x.jpg")
    data = _patients(tmp_path / "patients", photo)
    words = "is too large" if kind == "bomb" else "is damaged or truncated"
    code = main(["evaluate", "grading", "--data", str(data), "--weights", str(small_weights), "--device", "cpu", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1 and words in captured.err and str(data / "P1" / "rest") in captured.err
    with pytest.raises(InputError, match=words):  # what `palsy train clinic` reads its photos with
        load_grading_source(PatientDataset(data), ["P1"], 128)
