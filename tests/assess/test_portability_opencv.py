"""OpenCV's file functions on Windows cannot open a path with non-ASCII characters (the app
unzipped under C:/Users/José): the face cascade and the masks are read by Python and decoded
from memory, with the same result as before; a video is opened by its 8.3 short name. Windows is
simulated by an OpenCV whose file functions fail on such paths, as they do there."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from app.camera import file_sources
from app.camera.file_sources import PhotoFolderSource, VideoFileSource, opencv_file_name
from app.camera.source import CameraError
from models.data.parsing import read_mask
from models.errors import InputError
from models.pipeline import face

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "screenshots" / "03_capture_raise_eyebrows.png"
CASCADES = ("haarcascade_frontalface_alt2.xml", "haarcascade_eye.xml")


@pytest.fixture
def windows_opencv(monkeypatch: pytest.MonkeyPatch) -> None:
    """cv2.imread and cv2.CascadeClassifier(path) as on Windows: a non-ASCII path opens nothing."""
    real_classifier, real_imread = cv2.CascadeClassifier, cv2.imread

    def classifier(*args: object) -> cv2.CascadeClassifier:
        if args and not str(args[0]).isascii():
            return real_classifier()  # empty: the file was not found
        return real_classifier(*args)

    def imread(path: str, *args: object) -> np.ndarray | None:
        return None if not str(path).isascii() else real_imread(path, *args)

    monkeypatch.setattr(cv2, "CascadeClassifier", classifier)
    monkeypatch.setattr(cv2, "imread", imread)


@pytest.fixture
def cascades_under_jose(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """OpenCV's cascades copied into a folder named like a Windows user's, the cache cleared."""
    folder = tmp_path / "Users" / "José" / "palsy" / "cv2" / "data"
    folder.mkdir(parents=True)
    for name in CASCADES:
        shutil.copy(Path(cv2.data.haarcascades, name), folder / name)
    face._cascade.cache_clear()
    monkeypatch.setattr(cv2.data, "haarcascades", str(folder) + "/")
    yield folder
    face._cascade.cache_clear()


def _sample() -> np.ndarray:
    return np.asarray(Image.open(SAMPLE).convert("RGB"))


@pytest.fixture(scope="module")
def file_path_faces() -> list[tuple[int, ...]]:
    """`detect_faces` of the sample with the cascade OpenCV reads from its file path (before any
    test patches OpenCV): the reference. The sample is a screenshot, made again now and then, so
    its face's box is not written here."""
    original = face._cascade
    face._cascade = lambda name: cv2.CascadeClassifier(cv2.data.haarcascades + name)
    try:
        found = face.detect_faces(_sample())
    finally:
        face._cascade = original
    assert len(found) == 1 and found[0][2] > 200  # the demo patient's face, large in the frame
    return found


def test_the_cascade_read_from_memory_finds_what_the_file_path_found(file_path_faces):
    rgb = _sample()
    grey = cv2.equalizeHist(face.to_grey(rgb))
    face._cascade.cache_clear()
    for name in CASCADES:
        old = cv2.CascadeClassifier(cv2.data.haarcascades + name)
        new = face._cascade(name)
        assert new is not None and not old.empty()
        for neighbours in (0, 3):  # 0: every raw candidate, not only the merged boxes
            expected = old.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=neighbours, minSize=(20, 20))
            found = new.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=neighbours, minSize=(20, 20))
            # raw candidates come from parallel threads in any order: compared as sets of rows
            assert len(expected) > 0 and sorted(map(tuple, found)) == sorted(map(tuple, expected))
    assert face.detect_faces(rgb) == file_path_faces


def test_a_face_is_found_with_the_app_under_a_non_ascii_folder(file_path_faces, windows_opencv, cascades_under_jose):
    assert face.face_detector_available()
    assert face.detect_faces(_sample()) == file_path_faces  # no face found at all before


def _write_mask(path: Path, mask: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(mask).save(path)
    return path


def test_a_mask_reads_as_cv2_imread_read_it(tmp_path):
    rng = np.random.default_rng(3)
    mask = rng.integers(0, 11, (37, 53), dtype=np.uint8)
    path = _write_mask(tmp_path / "P1" / "masks" / "rest.png", mask)
    got = read_mask(path)
    assert got.dtype == np.uint8 and np.array_equal(got, cv2.imread(str(path), cv2.IMREAD_UNCHANGED))
    assert np.array_equal(got, mask)
    rgb = _write_mask(tmp_path / "rgb.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(InputError, match="single-channel"):
        read_mask(rgb)


def test_a_mask_under_a_non_ascii_folder_is_read(tmp_path, windows_opencv):
    mask = np.arange(64, dtype=np.uint8).reshape(8, 8) % 11
    path = _write_mask(tmp_path / "Users" / "José" / "Müller" / "masks" / "rest.png", mask)
    assert np.array_equal(read_mask(path), mask)


@pytest.mark.parametrize("content", [b"", b"not a png"])
def test_an_unreadable_mask_is_named(tmp_path, content):
    path = tmp_path / "masks" / "rest.png"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(InputError, match="cannot read mask .*rest.png"):
        read_mask(path)
    with pytest.raises(InputError, match="cannot read mask .*gone.png"):
        read_mask(path.with_name("gone.png"))


def test_a_video_under_a_non_ascii_folder_is_opened_by_its_short_name(tmp_path, monkeypatch):
    video = tmp_path / "José" / "clip.mp4"
    video.parent.mkdir()
    video.write_bytes(b"x")
    opened = []

    class Capture:
        def __init__(self, name: str) -> None:
            opened.append(name)

        def isOpened(self) -> bool:
            return True

        def get(self, prop: int) -> float:
            return 0.0  # a header without a frame rate

        def release(self) -> None:
            pass

    monkeypatch.setattr(cv2, "VideoCapture", Capture)
    monkeypatch.setattr(file_sources, "_on_windows", lambda: True)
    monkeypatch.setattr(file_sources, "_short_path", lambda path: path.replace("José", "JOS~1"))
    source = VideoFileSource(video)
    source.open()
    source.close()
    assert opened == [str(video.resolve()).replace("José", "JOS~1")]
    assert opencv_file_name(tmp_path / "plain.mp4") == str(tmp_path / "plain.mp4")

    monkeypatch.setattr(file_sources, "_short_path", lambda path: None)  # short names turned off
    with pytest.raises(CameraError, match="letters outside A-Z on Windows .*copy it into a folder with a plain name"):
        VideoFileSource(video).open()
    monkeypatch.setattr(file_sources, "_on_windows", lambda: False)  # Linux and macOS open any name
    assert opencv_file_name(video) == str(video)


def test_a_photo_folder_skips_macos_appledouble_files(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("IMG_001.jpg", "IMG_002.jpg"):
        Image.new("RGB", (96, 96), (200, 150, 120)).save(folder / name)
    for name in ("._IMG_001.jpg", "._IMG_002.jpg", "._rest.jpg"):  # AppleDouble: 4 KB of metadata
        (folder / name).write_bytes(b"\x00\x05\x16\x07" + bytes(4092))
    (folder / "Thumbs.db").write_bytes(b"x")
    source = PhotoFolderSource(folder)
    source.open()
    assert [p.name for p in source._photos] == ["IMG_001.jpg", "IMG_002.jpg"]
    source.set_expression("rest")
    assert source.read().shape == (96, 96, 3)  # the first photo, not `._IMG_001.jpg`
    source.close()

    only = tmp_path / "only"
    only.mkdir()
    (only / "._rest.jpg").write_bytes(bytes(4096))
    with pytest.raises(CameraError, match="no photos"):
        PhotoFolderSource(only).open()
