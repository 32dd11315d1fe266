"""Headless capture wizard logic: steps, capture, retake, resume, auto-capture of the peak."""

from __future__ import annotations

import numpy as np
import pytest

from app.pages.capture_logic import (
    AutoCapture,
    CapturedPhoto,
    CaptureSession,
    capture_line,
    expression_intensity,
)
from app.settings import CameraSettings
from models.errors import InputError
from models.labels import EXPRESSIONS


def frame(value: int) -> np.ndarray:
    return np.full((48, 64, 3), value, np.uint8)


def test_capture_saves_at_once_and_moves_to_the_next_missing_step(session: CaptureSession) -> None:
    records = session.sink
    session.capture(frame(10), {"passed": True})
    assert (session.assessment_id, "rest") in records.photos
    assert session.expression == "close_eyes"
    session.go_to(3)
    session.capture(frame(20))
    assert session.expression == "wrinkle_nose"
    assert session.missing == ["close_eyes", "raise_eyebrows", "wrinkle_nose", "puff_cheeks"]
    assert not session.complete


def test_after_the_last_step_capture_returns_to_the_first_missing(session: CaptureSession) -> None:
    session.go_to(5)
    session.capture(frame(1))
    assert session.expression == "rest"


@pytest.mark.parametrize("start", [5, 99])
def test_next_on_the_last_step_stays_there(session: CaptureSession, start: int) -> None:
    # Next (button or shortcut) on the last step must not step past the list (IndexError).
    session.go_to(start)
    session.next()
    assert session.current == len(session.steps) - 1 == 5
    assert session.expression == "puff_cheeks"


def test_retake_removes_the_photo_and_the_next_capture_replaces_it(session: CaptureSession) -> None:
    for i in range(6):
        session.capture(frame(i * 10))
    assert session.complete
    session.retake("raise_eyebrows")
    assert not session.complete and session.expression == "raise_eyebrows"
    # Without a worker the rejected photo is taken off the record at once, not only off the
    # wizard: a resumed draft would otherwise bring it back as taken.
    assert (session.assessment_id, "raise_eyebrows") not in session.sink.photos
    session.capture(frame(99))
    assert session.complete
    assert session.sink.photos[(session.assessment_id, "raise_eyebrows")][0, 0, 0] == 99


def test_a_failed_save_does_not_mark_the_step_taken(session: CaptureSession) -> None:
    class FullDisk:
        def save_capture(self, *args: object) -> None:
            raise InputError("disk full")

    session.sink = FullDisk()
    with pytest.raises(InputError):
        session.capture(frame(5))
    assert "rest" not in session.photos and session.expression == "rest"


def test_restore_goes_to_the_first_missing_step(session: CaptureSession) -> None:
    session.restore({e: CapturedPhoto(e, frame(1), {}) for e in EXPRESSIONS[:2]})
    assert session.expression == "raise_eyebrows"


def test_intensity_grows_with_the_difference_from_rest() -> None:
    rest = frame(100)
    assert expression_intensity(rest, None) == 0.0
    assert expression_intensity(rest, rest) == 0.0
    assert expression_intensity(frame(150), rest) > expression_intensity(frame(120), rest) > 0


def test_auto_capture_keeps_the_peak_frame_of_the_window() -> None:
    auto = AutoCapture(window_s=1.0)
    assert auto.feed(frame(1), False, 0.9, {}, now=0.0) is None  # failing checks are ignored
    assert auto.feed(frame(2), True, 0.2, {}, now=0.1) is None
    assert auto.feed(frame(3), True, 0.8, {"q": 3}, now=0.5) is None
    assert auto.feed(frame(4), True, 0.4, {}, now=0.9) is None
    best, quality, intensity = auto.feed(frame(5), True, 0.1, {}, now=1.2)
    assert best[0, 0, 0] == 3 and quality == {"q": 3} and intensity == 0.8


def test_offer_frame_auto_captures_the_peak(session: CaptureSession) -> None:
    session.capture(frame(100))  # rest
    taken = None
    for t, value in enumerate([110, 140, 180, 150, 120, 105]):
        taken = session.offer_frame(frame(value), True, {}, now=t * 0.4) or taken
    assert taken is not None and taken.rgb[0, 0, 0] == 180
    assert "close_eyes" in session.photos


def test_background_saves_settle_in_order_and_failures_are_taken_back(session: CaptureSession) -> None:
    from concurrent.futures import ThreadPoolExecutor

    saved: list[str] = []

    class FlakySink:
        def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> None:
            if expression == "close_eyes":
                raise InputError("disk full")
            saved.append(expression)

    changes: list[int] = []
    session.sink = FlakySink()
    session.on_change = lambda: changes.append(1)
    with ThreadPoolExecutor(max_workers=1) as pool:
        session.submit = pool.submit
        session.capture(frame(1))  # rest
        session.capture(frame(2))  # close_eyes: will fail
        session.capture(frame(3))  # raise_eyebrows
        assert session.saving("rest") or "rest" in saved  # shown as taken at once
        assert "close_eyes" in session.photos
        failures = session.wait_for_saves(5.0)
    assert saved == ["rest", "raise_eyebrows"]
    assert [(e, str(err)) for e, err in failures] == [("close_eyes", "disk full")]
    assert "close_eyes" not in session.photos and session.expression == "close_eyes"
    assert not session.pending and not session.complete
    n = len(changes)
    assert session.poll_saves() == [] and len(changes) == n  # nothing settled: no refresh


def test_the_capture_line_names_the_patient_and_the_photo_source() -> None:
    # the page said only "Step 1 of 6: Rest": a photo folder left from the last patient went
    # unnoticed
    line = capture_line("Ana Lima (MRN-2)", CameraSettings(source="folder", folder_path="/photos/syn7_00003"))
    assert line.head + line.name + line.detail == "Patient: Ana Lima (MRN-2)" and "/photos/syn7_00003" in line.source
    assert "camera 1" in capture_line("A (B)", CameraSettings(source="camera", index=1)).source
    assert "/v.mp4" in capture_line("A (B)", CameraSettings(source="video", video_path="/v.mp4")).source


def test_an_expression_photo_without_movement_against_rest_is_named(session: CaptureSession) -> None:
    # an expression photo identical (or nearly) to the rest photo was accepted like any other;
    # the check is the one the page runs: `still_photos` over the photos' cached grids
    from app.pages.capture_logic import NO_MOVEMENT, grid_movement

    rng = np.random.default_rng(0)
    rest = rng.integers(60, 200, (120, 160, 3)).astype(np.uint8)
    noisy = np.clip(rest + rng.normal(0, 3, rest.shape), 0, 255).astype(np.uint8)  # camera noise only
    moved = rest.copy()
    moved[40:60, 60:100] = 20  # eyes closed: one region changes, the rest of the face does not

    def grid(rgb: np.ndarray) -> np.ndarray:
        return CapturedPhoto("close_eyes", rgb, {}).grid()

    assert grid_movement(grid(rest), grid(rest)) == 0.0
    assert grid_movement(grid(noisy), grid(rest)) < NO_MOVEMENT < grid_movement(grid(moved), grid(rest))

    session.capture(noisy)  # a "rest" photo alone: nothing to compare with, nothing named
    assert session.still_photos() == []
    session.retake("rest")
    session.capture(rest)
    assert session.still_photos() == []  # without an expression photo yet, and rest itself never
    session.capture(noisy)  # close eyes
    session.capture(moved)  # raise eyebrows
    assert session.still_photos() == ["close_eyes"]
    session.retake("rest")
    session.capture(moved)  # a new rest photo: each is compared with the one on record
    assert session.still_photos() == ["raise_eyebrows"]


def test_the_no_movement_check_builds_each_photos_grid_once(session: CaptureSession, monkeypatch: pytest.MonkeyPatch) -> None:
    # still_photos ran at every refresh and arrow key and rebuilt every photo's thumbnail and
    # block grid (the rest photo once per expression) each time: 174 ms per call at 4K
    from app.pages import capture_logic
    from app.pages.capture_logic import grid_movement

    built: list[int] = []
    original = capture_logic._thumb
    monkeypatch.setattr(capture_logic, "_thumb", lambda rgb: built.append(1) or original(rgb))
    rng = np.random.default_rng(1)
    rest = rng.integers(60, 200, (120, 160, 3)).astype(np.uint8)
    noisy = np.clip(rest + rng.normal(0, 3, rest.shape), 0, 255).astype(np.uint8)
    moved = rest.copy()
    moved[40:60, 60:100] = 20
    photos = [rest, noisy, moved, noisy, moved, rest]
    for photo in photos:
        session.capture(photo)
    assert len(built) == 6  # one thumbnail per photo, made at capture (the intensity uses it too)
    expected = [EXPRESSIONS[i] for i in (1, 3, 5)]  # the noisy copies and the rest photo again
    for _ in range(20):
        assert session.still_photos() == expected
    session.go_to(1)
    assert len(built) == 6
    # the same verdicts as grids made afresh from the full photos, and a retaken rest photo
    # re-judges them
    rest_grid = CapturedPhoto("rest", rest, {}).grid()
    assert [n for n, p in session.photos.items() if n != "rest"
            and grid_movement(CapturedPhoto(n, p.rgb, {}).grid(), rest_grid) < capture_logic.NO_MOVEMENT] == expected
    built.clear()
    session.retake("rest")
    session.capture(moved)
    assert len(built) == 1 and session.still_photos() == [EXPRESSIONS[i] for i in (2, 4)]
    # resumed photos (no grid yet) get theirs at the first check, once
    session.restore({e: CapturedPhoto(e, p.rgb, {}) for e, p in session.photos.items()})
    session.still_photos()
    session.still_photos()
    assert len(built) == 7


def test_why_the_camera_stopped_is_said_once() -> None:
    # the banner read "The camera stopped: The camera stopped: flaky usb cam delivered no image…"
    from app.pages.capture_logic import camera_stop_reason

    assert camera_stop_reason("The camera stopped: cam delivered no image; press Retry") == "cam delivered no image; press Retry"
    assert camera_stop_reason("camera 0 could not be opened") == "camera 0 could not be opened"


def test_a_photo_whose_own_check_fails_is_saved_with_the_live_check(session: CaptureSession, caplog) -> None:
    # an OpenCV error in the saved photo's check made every save of that step fail
    def broken_check(rgb: np.ndarray) -> dict:
        raise RuntimeError("cv2.error: unsupported frame")

    session.checker = broken_check
    session.capture(frame(10), {"passed": True, "live": 1})
    assert (session.assessment_id, "rest") in session.sink.photos
    assert session.sink.qualities[(session.assessment_id, "rest")] == {"passed": True, "live": 1}
    assert "quality check of the rest photo failed" in caplog.text
