"""The refusal of a blank picture at capture: a dim picture in which the face was found is taken
(its exposure badge says "too dark: add light"; it was refused as a lens cap while the page showed
"One face ✓"), and a black photo in a photo folder is refused with words about the file, not a
lens cap or a privacy shutter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window
from tests.gui.test_capture_guards import _photo_folder, _start


class DimCamera(DemoPatientSource):
    """The demo patient through camera 0 in a dim room: mean grey about 9, a face still found."""

    def __init__(self) -> None:
        super().__init__(grade=3, side="left", seed=3, frame_size=(640, 480))
        self.name = "camera 0"
        self._rng = np.random.default_rng(0)

    def read(self) -> np.ndarray:
        dim = super().read().astype(np.float32) * 0.05
        return np.clip(dim + self._rng.normal(0, 1.0, dim.shape), 0, 255).astype(np.uint8)


def test_a_dim_picture_with_a_face_is_taken(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=DimCamera)
    try:
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page._quality is not None and page._quality.face_box is not None, timeout=WAIT_MS)
        exposure = {b.name: b for b in page._quality.badges}["exposure"]
        assert not exposure.passed and "lens cap" not in exposure.detail
        assert page.capture_now() and "rest" in page.session.photos
    finally:
        close_window(window)


def test_a_black_photo_in_a_folder_is_said_as_the_files(qtbot, data_folder: Path, tiny_weights: Path,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _photo_folder(folder, EXPRESSIONS)
    Image.fromarray(np.zeros((240, 320, 3), np.uint8)).save(folder / "rest.png")  # a failed export
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    try:
        _start(window)
        page = window.capture
        said: list[str] = []
        page.notify.connect(said.append)
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert not page.capture_now() and not page.session.photos
        assert said == ["Nothing taken: the picture is all black: replace the photo (or the video) with one that "
                        "shows the face, then press Retry"]
    finally:
        close_window(window)


class CappedCamera(DemoPatientSource):
    """The demo patient through camera 0 until its lens cap goes on (`covered`): black frames."""

    def __init__(self) -> None:
        super().__init__(grade=3, side="left", seed=3, frame_size=(640, 480))
        self.name = "camera 0"
        self.covered = False

    def read(self) -> np.ndarray:
        frame = super().read()
        return np.zeros_like(frame) if self.covered else frame


def test_a_black_frame_carrying_an_earlier_frames_face_is_not_taken(qtbot, data_folder: Path,
                                                                     tiny_weights: Path) -> None:
    # the live checks run every 0.2 s on the newest frame: the first black frames after the cap
    # went on still carried the face found before it, and Space stored a black Rest photo
    cameras: list[CappedCamera] = []
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: cameras.append(CappedCamera())
                         or cameras[-1])
    try:
        _start(window)
        page = window.capture
        said: list[str] = []
        page.notify.connect(said.append)
        qtbot.waitUntil(lambda: page._quality is not None and page._quality.face_box is not None, timeout=WAIT_MS)
        with_face = page._quality
        cameras[-1].covered = True
        qtbot.waitUntil(lambda: page._last_packet is not None and page._last_packet.frame.max() == 0, timeout=WAIT_MS)
        page._quality = with_face  # the earlier frame's result, as it rides on the first black frames
        page._space_pause.clock = lambda: 10.0**9  # long after the step began
        assert not page.capture_now()
        assert said[-1] == ("Nothing taken: the picture is black: open the camera's privacy shutter or remove "
                            "the lens cap")
        assert not page.session.photos
    finally:
        close_window(window)
