"""A 4K photo's step thumbnail is made from a small copy of it, and auto-capture measures each
live 4K frame on the camera thread's small display copy: the whole 3840 x 2160 frame converted
and scaled on the GUI thread held the window about 45 ms at each photo taken (and at each frame
with auto-capture on, 35 ms)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

import app.pages.capture as capture_page
import app.pages.capture_logic as capture_logic
from app.pages.capture import THUMB, CapturePage
from app.pages.capture_logic import CapturedPhoto, CaptureSession, face_grid, shrink
from app.pages.quality_logic import Badge, LiveQuality
from app.records_gateway import PatientInfo
from app.widgets.qimage import rgb_to_pixmap
from app.workers import FramePacket, display_copy
from tests.doubles import MemoryRecords

FOUR_K = (2160, 3840, 3)


def _two_halves(shape: tuple[int, int, int] = FOUR_K) -> np.ndarray:
    """A photo red on its left half, blue on its right."""
    rgb = np.zeros(shape, np.uint8)
    rgb[:, : shape[1] // 2] = (220, 30, 30)
    rgb[:, shape[1] // 2 :] = (30, 30, 220)
    return rgb


def _page(qtbot) -> tuple[CapturePage, CaptureSession]:
    """The capture page showing a new assessment, without a camera (nothing opened)."""
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)
    page = CapturePage()
    qtbot.addWidget(page)
    page.begin(session, lambda: None, read_only=True)
    return page, session


def test_a_4k_photo_thumbnail_never_converts_the_full_frame(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, ...]] = []

    def recording(rgb, *args, **kwargs):  # noqa: ANN001, ANN202
        seen.append(rgb.shape)
        return rgb_to_pixmap(rgb, *args, **kwargs)

    monkeypatch.setattr(capture_page, "rgb_to_pixmap", recording)
    page, session = _page(qtbot)
    try:
        session.restore({"rest": CapturedPhoto("rest", _two_halves(), {})})
        page.refresh()  # once more: the photo is not scaled again
        assert seen and all(max(shape[:2]) <= THUMB * 2 for shape in seen), seen
        assert len(seen) == 1
        # the icon still shows the photo, at the thumbnail's size and the photo's aspect
        icon = page.steps.item(0).icon()
        assert icon.availableSizes() == [QSize(THUMB, THUMB * 2160 // 3840)]
        image = icon.pixmap(icon.availableSizes()[0]).toImage()
        middle = image.height() // 2
        assert QColor(image.pixel(5, middle)).getRgb()[:3] == (220, 30, 30)
        assert QColor(image.pixel(image.width() - 5, middle)).getRgb()[:3] == (30, 30, 220)
    finally:
        page.shutdown_saver()


@pytest.mark.parametrize("shape", [FOUR_K, (3840, 2160, 3), (1080, 1920, 3), (480, 640, 3), (2000, 2000, 3), (48, 64, 3)])
@pytest.mark.parametrize("dpr", [1.0, 1.25, 2.0])
def test_the_small_copy_gives_the_thumbnail_of_the_whole_photo(shape: tuple[int, int, int], dpr: float) -> None:
    rgb = _two_halves(shape)
    side = round(THUMB * dpr)
    whole = rgb_to_pixmap(rgb, THUMB, dpr)
    small = rgb_to_pixmap(shrink(rgb, side), THUMB, dpr)
    assert small.size() == whole.size() and small.devicePixelRatio() == whole.devicePixelRatio() == dpr
    copy = shrink(rgb, side)
    assert max(copy.shape[:2]) <= side or copy is rgb  # a photo that fits already is taken as it is


def test_a_photo_keeps_its_small_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    photo = CapturedPhoto("rest", _two_halves(), {})
    first = photo.small(176)
    assert first.shape == (99, 176, 3)
    assert first[50, 10].tolist() == [220, 30, 30] and first[50, 170].tolist() == [30, 30, 220]
    monkeypatch.setattr(capture_logic, "shrink", lambda *_: pytest.fail("scaled again"))
    assert photo.small(176) is first


def test_auto_capture_measures_a_live_4k_frame_on_its_small_copy(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[tuple[int, ...]] = []
    thumb = capture_logic._thumb

    def recording(rgb):  # noqa: ANN001, ANN202
        measured.append(rgb.shape)
        return thumb(rgb)

    page, session = _page(qtbot)
    try:
        rest = CapturedPhoto("rest", _two_halves(), {})
        rest.grid()  # its thumbnail, made once (at capture, or at the first comparison for a resumed photo)
        session.restore({"rest": rest})  # the live frames are compared with it
        page.auto_box.setChecked(True)
        monkeypatch.setattr(capture_logic, "_thumb", recording)
        frame = np.random.default_rng(1).integers(0, 255, FOUR_K, np.uint8)
        passing = LiveQuality((Badge("one_face", "One face", True),), (1500, 700, 800, 800))
        for index in range(1, 4):
            page.camera.mailbox.put(FramePacket(frame, index, time.monotonic(), passing, session.expression,
                                                display=display_copy(frame)))
            page._pull_frame()
        assert page.display_frames == 3
        assert len(measured) == 3 and all(shape[1] <= 1280 for shape in measured), measured
        assert session.auto._best is not None and session.auto._best[1] is frame  # the window keeps the full frame
    finally:
        page.shutdown_saver()


def _direct_thumb(rgb: np.ndarray) -> np.ndarray:
    """The grey thumbnail made as before: the whole central square made grey, then scaled."""
    import cv2

    h, w = rgb.shape[:2]
    side = min(h, w)
    crop = rgb[(h - side) // 2 : (h - side) // 2 + side, (w - side) // 2 : (w - side) // 2 + side]
    grey = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def test_a_4k_photo_is_made_grey_after_it_is_scaled_down(monkeypatch: pytest.MonkeyPatch) -> None:
    import cv2

    frame = np.random.default_rng(3).integers(0, 255, FOUR_K, np.uint8)
    frame[600:1500, 1400:2400] //= 3  # a dark square with sharp edges in the face area
    greyed: list[tuple[int, ...]] = []
    convert = cv2.cvtColor

    def recording(image, code, *args):  # noqa: ANN001, ANN202
        greyed.append(image.shape)
        return convert(image, code, *args)

    monkeypatch.setattr(cv2, "cvtColor", recording)
    photo = CapturedPhoto("rest", frame, {})
    thumb = photo.thumb()
    monkeypatch.setattr(cv2, "cvtColor", convert)
    assert greyed and all(max(shape[:2]) <= 64 * 16 for shape in greyed), greyed
    # the same measure, to the rounding of the halvings: each thumbnail pixel within 2 grey levels of
    # the whole square's, each block of the grid the "no movement" check compares within one
    direct = _direct_thumb(frame)
    assert thumb.shape == (64, 64) and np.abs(thumb - direct).max() <= 2.5 / 255
    assert np.abs(photo.grid() - face_grid(direct)).max() <= 1 / 255
