"""The wizard's logic without Qt: an expression photo no different from another expression's
photo is flagged (a camera repeating its last frame, or Space pressed twice, stored one
expression as two steps); Space just after a capture or a step change takes nothing; the live
checks include "Resolution" once the model's input size is known; and the words for a camera
that has not opened, gives no picture, or is still saving the last photo."""

from __future__ import annotations

import numpy as np

from app.pages.capture_logic import (
    NO_MOVEMENT_NOTE,
    SPACE_PAUSE_S,
    CaptureSession,
    SpacePause,
    frozen_text,
    no_frame_text,
    same_as_note,
    still_saving_text,
)
from app.pages.quality_logic import LiveChecks
from app.records_gateway import PatientInfo
from tests.doubles import MemoryRecords
from tests.gui.test_quality_logic import _demo_frame


def _session() -> CaptureSession:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    return CaptureSession(records.start_assessment("P1"), records)


def _face(seed: int) -> np.ndarray:
    """A picture of its own for each seed (broad patches, not pixel noise, which the block grid
    averages away): far more than NO_MOVEMENT apart from any other."""
    import cv2

    patches = np.random.default_rng(seed).integers(0, 256, (6, 8, 3)).astype(np.uint8)
    return cv2.resize(patches, (160, 120), interpolation=cv2.INTER_LINEAR)


def test_an_expression_photo_the_same_as_another_expressions_is_flagged() -> None:
    session = _session()
    session.capture(_face(0))  # rest
    close_eyes = _face(1)
    session.capture(close_eyes)
    noisy = np.clip(close_eyes.astype(np.int16) + np.random.default_rng(9).integers(-2, 3, close_eyes.shape), 0, 255)
    session.capture(noisy.astype(np.uint8))  # raise eyebrows: the close-eyes frame again, with sensor noise
    session.capture(close_eyes)  # open mouth: the very same frame (a camera stuck on it)
    session.capture(_face(4))  # wrinkle nose: an expression of its own
    assert session.still_photos() == []  # each moved against rest: the rest-only check saw nothing
    assert session.repeated_photos() == {"raise_eyebrows": "close_eyes", "open_mouth": "close_eyes"}
    flagged = session.flagged_photos()
    assert flagged == {"raise_eyebrows": same_as_note("close_eyes"), "open_mouth": same_as_note("close_eyes")}
    assert flagged["raise_eyebrows"] == "same as Close eyes \u2013 retake?"
    session.retake("raise_eyebrows")
    session.capture(_face(2))
    assert session.flagged_photos() == {"open_mouth": same_as_note("close_eyes")}


def test_no_movement_against_rest_is_said_before_the_same_as_another() -> None:
    session = _session()
    rest = _face(0)
    session.capture(rest)
    session.capture(rest)  # close eyes: the rest photo again
    session.capture(rest)  # raise eyebrows: the same again
    assert session.flagged_photos() == {"close_eyes": NO_MOVEMENT_NOTE, "raise_eyebrows": NO_MOVEMENT_NOTE}


def test_space_is_paused_just_after_a_capture_or_a_step_change() -> None:
    now = [100.0]
    pause = SpacePause(clock=lambda: now[0])
    assert not pause.too_soon()  # nothing taken yet
    pause.mark()
    now[0] += SPACE_PAUSE_S / 2
    assert pause.too_soon()
    now[0] += SPACE_PAUSE_S
    assert not pause.too_soon()


def test_the_live_checks_include_resolution_with_the_models_input_size() -> None:
    frame = _demo_frame("rest")  # the face is 136 px across
    checks = LiveChecks()
    assert "face_resolution" not in {b.name for b in checks(frame).badges}  # no model loaded yet
    checks.input_size = 512  # needs 256 px
    live = checks(frame)
    badge = next(b for b in live.badges if b.name == "face_resolution")
    assert badge.label == "Resolution" and not badge.passed and "only 136 px across" in badge.detail
    assert not live.passed
    assert checks.record(frame)["checks"]["face_resolution"]["passed"] is False  # stored with the photo too


def test_the_words_for_a_camera_that_has_not_opened_or_gives_no_picture() -> None:
    assert frozen_text("camera 0", 5.2, opened=False) == (
        "Camera 0 has not opened after 5 s: it may be in use by another program (close video calls or the Camera "
        "app), or unplug it and plug it back in; press Retry")
    first = frozen_text("camera 0", 6, first=True)
    assert first.startswith("Camera 0 opened but gives no picture after 6 s: close any other program that may use it")
    assert "press Retry" in first
    assert frozen_text("camera 0", 3) == "No new picture from camera 0 for 3 s: check its cable, then press Retry"
    assert "cable" not in frozen_text("video a.mp4", 6, opened=False)


def test_the_words_when_space_finds_no_picture() -> None:
    down = no_frame_text(running=False, opened=False, box_shown=True, step_error=False)
    assert down == "Nothing taken: the camera is not delivering pictures (see above); press F5 to reconnect"
    frozen = no_frame_text(running=True, opened=True, box_shown=True, step_error=False)
    assert frozen == down
    opening = no_frame_text(running=True, opened=False, box_shown=False, step_error=False)
    assert opening.startswith("Nothing taken: the camera is still opening")
    assert "see above" in no_frame_text(running=True, opened=True, box_shown=True, step_error=True)


def test_analyse_waits_for_the_photos_still_being_saved_in_words() -> None:
    assert still_saving_text(["puff_cheeks"]) == "The Puff cheeks photo is still being saved: Analyse is possible in a moment"
    assert still_saving_text(["open_mouth", "puff_cheeks"], starts=True) == (
        "The Open mouth and Puff cheeks photos are still being saved: the analysis starts once they are saved")
