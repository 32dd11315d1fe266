"""The live Exposure badge's tooltip for a blank (black or white) picture uses the words of its
source, as the refusal to take it does: the file's for a photo folder or a video, the lens cap's
or the privacy shutter's for a camera (it named a lens cap for a black photo in a folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.pages.capture import CapturePage
from app.pages.capture_logic import CaptureSession
from app.pages.quality_logic import LiveChecks, blank_picture
from app.records_gateway import PatientInfo
from models.pipeline.quality import BLANK_FILE_TEXTS, BLANK_TEXTS
from tests.doubles import MemoryRecords
from tests.gui.gui_helpers import WAIT_MS

BLACK = np.zeros((240, 320, 3), np.uint8)
WHITE = np.full((240, 320, 3), 255, np.uint8)


class BlackCamera:
    """Camera 0 with its privacy shutter closed: black frames, each with a little sensor noise."""

    def __init__(self) -> None:
        self.name = "camera 0"
        self._rng = np.random.default_rng(0)

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        return self._rng.integers(0, 3, BLACK.shape, np.uint8)

    def close(self) -> None:
        pass


def _folder(tmp_path: Path) -> PhotoFolderSource:
    """A photo folder whose Rest photo is black (a failed export)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(BLACK).save(folder / "rest.png")
    return PhotoFolderSource(folder)


def _video(tmp_path: Path) -> VideoFileSource:
    """A video of white frames (an overexposed clip)."""
    import cv2

    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for _ in range(3):
        writer.write(WHITE)
    writer.release()
    return VideoFileSource(path)


@pytest.mark.parametrize("camera, frame, texts", [(True, BLACK, BLANK_TEXTS), (False, BLACK, BLANK_FILE_TEXTS),
                                                  (True, WHITE, BLANK_TEXTS), (False, WHITE, BLANK_FILE_TEXTS)])
def test_the_live_checks_word_a_blank_picture_for_its_source(camera: bool, frame: np.ndarray, texts: dict) -> None:
    exposure = {b.name: b for b in LiveChecks(camera=camera)(frame).badges}["exposure"]
    kind = "black" if frame is BLACK else "white"
    assert not exposure.passed and exposure.detail == texts[kind] == blank_picture(frame, camera=camera)


def test_a_picture_with_something_in_it_keeps_the_checks_words() -> None:
    frame = np.random.default_rng(2).integers(0, 255, BLACK.shape, np.uint8)
    assert LiveChecks(camera=False)(frame) == LiveChecks()(frame)


@pytest.mark.parametrize("make, words", [(lambda tmp: _folder(tmp), BLANK_FILE_TEXTS["black"]),
                                         (lambda tmp: _video(tmp), BLANK_FILE_TEXTS["white"]),
                                         (lambda tmp: BlackCamera(), BLANK_TEXTS["black"])],
                         ids=["photo folder", "video", "camera"])
def test_the_exposure_badge_tooltip_uses_the_sources_words(qtbot, tmp_path: Path, make, words: str) -> None:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)
    page = CapturePage()
    qtbot.addWidget(page)
    source = make(tmp_path)
    badge = page.badges.labels["exposure"]
    try:
        page.begin(session, lambda: source)
        qtbot.waitUntil(lambda: page._quality is not None, timeout=WAIT_MS)
        assert badge.toolTip() == words
        said: list[str] = []
        page.notify.connect(said.append)
        assert not page.capture_now()
        assert said == [f"Nothing taken: {words}"]  # the badge and the refusal say the same
    finally:
        page.stop_camera(wait=True)
        page.shutdown_saver()
