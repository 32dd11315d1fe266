"""A source changed in Settings in the middle of a draft (a1 D2): each photo stores where it came
from ("source" in its quality record, kept when its own check replaces the live one); the window
says that the photos so far come from the old source, naming both; each photo from another
source than the latest photo's is flagged on its step; and switching to the synthetic demo
patient while the draft has photos of the patient asks first (No keeps the source); a photo that
names no source (taken before sources were kept) is the source's before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.pages.capture_logic import (
    SOURCE_KEY,
    SOURCE_WORDS,
    CapturedPhoto,
    CaptureSession,
    demo_switch_question,
    other_source_note,
    source_change_text,
)
from tests.gui.capture_helpers import start
from tests.gui.gui_helpers import WAIT_MS


def _frame(value: int) -> np.ndarray:
    rng = np.random.default_rng(value)
    return rng.integers(0, 255, (48, 64, 3), np.uint8)


def test_each_photo_stores_its_source_through_its_own_check(session: CaptureSession) -> None:
    session.checker = lambda rgb: {"passed": True, "checks": {}}  # the photo's own check replaces the live one
    session.source = "camera 0"
    session.capture(_frame(1), {"passed": True})
    session.source = "camera 1"
    session.capture(_frame(2), {"passed": True})
    stored = session.sink.qualities
    assert stored[(session.assessment_id, "rest")][SOURCE_KEY] == "camera 0"
    assert stored[(session.assessment_id, "close_eyes")][SOURCE_KEY] == "camera 1"
    assert stored[(session.assessment_id, "close_eyes")]["passed"] is True


def test_a_photo_from_another_source_than_the_latest_is_flagged(session: CaptureSession) -> None:
    session.source = "camera 0"
    session.capture(_frame(1))
    session.capture(_frame(2))
    assert session.other_source_photos() == {}
    session.source = "camera 1"
    session.capture(_frame(3))
    note = other_source_note("camera 0", "camera 1")
    assert session.other_source_photos() == {"rest": note, "close_eyes": note}
    assert session.flagged_photos()["rest"] == note
    assert "raise_eyebrows" not in session.flagged_photos()


def test_the_latest_photo_is_the_last_taken_in_a_resumed_draft_too(session: CaptureSession) -> None:
    # a resumed draft lists its photos in step order: the last in that order is not the last taken
    session.source = "camera 1"
    session.capture(_frame(1))
    session.capture(_frame(2))
    session.source = "camera 0"  # the right camera, and Rest retaken with it as the page asked
    session.go_to(0)
    session.retake()
    session.capture(_frame(3))
    session.photos = {name: session.photos[name] for name in ("rest", "close_eyes")}  # as `restore` gives them
    assert session.other_source_photos() == {"close_eyes": other_source_note("camera 1", "camera 0")}


def test_the_words_name_both_sources(session: CaptureSession) -> None:
    session.source = "camera 0"
    session.capture(_frame(1))
    session.capture(_frame(2))
    photos = list(session.photos.values())
    assert source_change_text(photos, "camera 0", "camera 1") == (
        "The 2 photos taken so far come from camera 0; the next ones from camera 1: "
        "retake them if the patient or the camera's position changed")
    assert source_change_text(photos, "camera 1", "camera 0") == ""  # back to the photos' own source
    assert source_change_text([], "camera 0", "camera 1") == ""
    assert "2 photos of the patient, from camera 0" in demo_switch_question(photos, "camera 0")


def test_photos_that_name_no_source_are_the_sources_before() -> None:
    # a draft taken before photos kept their source, resumed: with the demo patient already the
    # source its photos are the demo patient's, and picking the demo again asked
    # "This visit has 2 photos of the patient…"
    photos = [CapturedPhoto("rest", _frame(1), {}), CapturedPhoto("close_eyes", _frame(2), {"passed": True})]
    assert demo_switch_question(photos, SOURCE_WORDS["demo"]) == ""
    assert "2 photos of the patient, from camera 0" in demo_switch_question(photos, "camera 0")


class NamedCamera:
    """A camera of the given name (the demo patient's pictures under it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._demo = DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240))
        self.repeats_frames = True

    def open(self) -> None:
        self._demo.open()

    def read(self) -> np.ndarray:
        return self._demo.read()

    def set_expression(self, expression: str) -> None:
        self._demo.set_expression(expression)

    def close(self) -> None:
        self._demo.close()


def _window(open_window, **services):
    holder = []

    def factory():
        camera = holder[0].settings.camera
        if camera.source == "demo":
            return DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240))
        return NamedCamera(f"camera {camera.index}")

    window = open_window(source_factory=factory, **services)
    holder.append(window)
    window.apply_settings(replace(window.settings, camera=replace(window.settings.camera, source="camera", index=0)))
    return window


def _take(qtbot, page, count: int) -> None:
    for _ in range(count):
        qtbot.waitUntil(lambda: page._last_packet is not None and page.capture_button.isEnabled(), timeout=WAIT_MS)
        page._space_pause.clock = lambda: 10.0**9
        assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)


def test_switching_the_camera_mid_draft_is_said_and_flagged(qtbot, open_window) -> None:
    window = _window(open_window)
    start(window)
    page = window.capture
    _take(qtbot, page, 2)
    window.apply_settings(replace(window.settings, camera=replace(window.settings.camera, index=1)))
    message = window.statusBar().currentMessage()
    assert ("The 2 photos taken so far come from camera 0; the next ones from camera 1: "
            "retake them if the patient or the camera's position changed") in message
    _take(qtbot, page, 1)
    stored = window.gateway.capture_qualities(page.session.assessment_id)
    assert {e: q[SOURCE_KEY] for e, q in stored.items()} == {
        "rest": "camera 0", "close_eyes": "camera 0", "raise_eyebrows": "camera 1"}
    flagged = page.session.flagged_photos()
    assert flagged["rest"] == flagged["close_eyes"] == other_source_note("camera 0", "camera 1")
    assert "from camera 0" in page.steps.item(0).text()  # said on the step itself


def test_the_demo_patient_is_asked_for_first_and_no_keeps_the_camera(qtbot, open_window) -> None:
    asked = []
    window = _window(open_window, ask=lambda parent, title, text: asked.append((title, text)) and False)
    start(window)
    page = window.capture
    _take(qtbot, page, 2)
    asked.clear()
    window.apply_settings(replace(window.settings, camera=replace(window.settings.camera, source="demo")))
    [(title, text)] = asked
    assert title == "Switch to the synthetic demo patient?" and "2 photos of the patient, from camera 0" in text
    assert window.settings.camera.source == "camera"  # No: the camera is kept
    assert page.session.source == "camera 0"
    assert "the demo patient was not chosen" in window.statusBar().currentMessage()


def test_yes_switches_to_the_demo_patient(qtbot, open_window) -> None:
    window = _window(open_window)  # make_window's questions are answered Yes
    start(window)
    page = window.capture
    _take(qtbot, page, 1)
    window.asked.clear()
    window.apply_settings(replace(window.settings, camera=replace(window.settings.camera, source="demo")))
    assert window.asked == ["Switch to the synthetic demo patient?"]
    assert window.settings.camera.source == "demo"
    assert page.session.source == "the synthetic demo patient (no camera)"
    assert "comes from camera 0; the next ones from the synthetic demo patient" in window.statusBar().currentMessage()
