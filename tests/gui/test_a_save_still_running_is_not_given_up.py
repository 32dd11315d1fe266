"""A photo save still running when the wait for it ends is not given up for lost: it stays
pending, is logged by its assessment's number, and its failure is reported once it ends. The
wait is for every save together, not for each in turn. The intensity a photo records is the
one `expression_intensity` computes (its tests cover what the wizard runs)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.pages import capture_logic
from app.pages.capture_logic import CaptureSession, expression_intensity
from app.records.errors import StorageError


class SlowSink:
    """A store that takes `seconds` for each save, then fails it when `full`."""

    def __init__(self, seconds: float, full: bool) -> None:
        self.seconds, self.full = seconds, full

    def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> None:
        time.sleep(self.seconds)
        if self.full:
            raise StorageError(f"cannot write {expression}.png: the disk is full")

    def withdraw_capture(self, assessment_id: int, expression: str) -> None:
        """Nothing stored to take off."""


def frame(value: int) -> np.ndarray:
    return np.full((48, 64, 3), value, np.uint8)


def test_a_save_still_running_after_the_wait_stays_pending_and_its_failure_is_reported(caplog) -> None:
    session = CaptureSession(assessment_id=7, sink=SlowSink(0.6, full=True))
    with ThreadPoolExecutor(max_workers=1) as pool, caplog.at_level(logging.WARNING):
        session.submit = pool.submit
        session.capture(frame(10))
        assert session.wait_for_saves(0.05) == []
        assert session.busy and session.saving("rest")  # not dropped: still awaited
        assert "1 photo save(s) of assessment 7 still running" in caplog.text
        failures = session.wait_for_saves(5.0)
    assert [(e, str(error)) for e, error in failures] == [("rest", "cannot write rest.png: the disk is full")]
    assert "rest" not in session.photos and not session.busy


def test_the_wait_is_for_every_save_together() -> None:
    session = CaptureSession(assessment_id=7, sink=SlowSink(0.4, full=False))
    with ThreadPoolExecutor(max_workers=1) as pool:
        session.submit = pool.submit
        for value in (10, 60, 110):
            session.capture(frame(value))
        began = time.monotonic()
        session.wait_for_saves(0.3)
        waited = time.monotonic() - began
        session.wait_for_saves(5.0)
    assert waited < 0.6, waited  # 0.3 s for each save in turn was 0.9 s


@pytest.mark.parametrize("auto", [False, True])
def test_a_photo_records_the_intensity_expression_intensity_computes(monkeypatch, auto: bool) -> None:
    asked: list[tuple[object, object]] = []

    def spy(image, reference):  # noqa: ANN001, ANN202
        asked.append((image, reference))
        return 0.25

    session = CaptureSession(assessment_id=7, sink=SlowSink(0.0, full=False))
    session.capture(frame(10))  # rest
    monkeypatch.setattr(capture_logic, "expression_intensity", spy)
    if auto:
        session.auto.window_s = 0.0
        photo = session.offer_frame(frame(90), True, {}, now=1.0)
    else:
        photo = session.capture(frame(90))
    assert photo.intensity == 0.25 and asked and asked[-1][1] is session.photos["rest"]


def test_expression_intensity_reads_a_photo_as_its_pixels() -> None:
    rest = CaptureSession(assessment_id=7, sink=SlowSink(0.0, full=False)).capture(frame(10))
    assert expression_intensity(frame(90), rest) == pytest.approx(expression_intensity(frame(90), frame(10)))
    assert expression_intensity(rest, None) == 0.0
