"""Helpers of the capture-page tests: begin an assessment, hear what the page says, feed it
frames by hand, hold the last photo's save, and a folder of the demo patient's photos."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from app.camera.demo_source import DemoPatientSource
from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from app.workers import FramePacket
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS


def start(window: Any, patient_id: str = "MRN-1", name: str = "Test Person") -> Any:
    """A new patient, and an assessment begun for them: the window is on the capture page.
    The window, for `page = start(window).capture`."""
    window.gateway.save_patient(PatientInfo(patient_id, name), is_new=True)
    window.patients.refresh()
    window.start_assessment(patient_id)
    return window


def said(page: Any) -> list[str]:
    """What the capture page says (its `notify`) from now on, in order."""
    words: list[str] = []
    page.notify.connect(words.append)
    return words


def capture_ready(qtbot: Any, page: Any) -> None:
    """Waits until Capture is offered on a live frame."""
    qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)


def rest_taken_then_shown_again(qtbot: Any, page: Any) -> None:
    """Rest's photo taken from the first live frame, and its step shown again."""
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()  # rest
    page.session.go_to(0)


def seconds_until(qtbot: Any, stop: threading.Event, shown: Callable[[], bool]) -> float:
    """`stop` set (the camera gives no new picture from now on), then waited for until `shown`:
    the seconds that took."""
    stop.set()
    since = time.monotonic()
    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return time.monotonic() - since


def fed_by_hand(qtbot: Any, page: Any) -> None:
    """Once the page shows a live frame, its display timer and camera stopped: the test feeds
    it frames with `pull`."""
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    page.timer.stop()
    page.camera.stop()


def pull(page: Any, frame: np.ndarray, expression: str, index: int = 1) -> None:
    """`frame`, delivered as the camera thread does for `expression`, and taken by the page."""
    page.camera.mailbox.put(FramePacket(frame=frame, index=index, timestamp=time.monotonic(), expression=expression))
    page._pull_frame()


def take_all_with_the_last_save_held(qtbot: Any, window: Any, monkeypatch: Any, gate: threading.Event,
                                     fail: bool = False) -> None:
    """The six photos, the last one's save held until `gate` is set (then failing when `fail`)."""
    save = window.gateway.save_capture

    def held(assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN202
        if expression == EXPRESSIONS[-1]:
            gate.wait(WAIT_MS / 1000)
            if fail:
                raise StorageError("cannot write puff_cheeks.png: the disk is full")
        return save(assessment_id, expression, rgb, quality)

    monkeypatch.setattr(window.gateway, "save_capture", held)
    page = window.capture
    for _ in EXPRESSIONS:
        capture_ready(qtbot, page)
        assert page.capture_now()
    qtbot.waitUntil(lambda: page.session.unsaved == [EXPRESSIONS[-1]], timeout=WAIT_MS)


def photo_folder(folder: Path, expressions: tuple[str, ...]) -> None:
    """`folder`, made, with the demo patient's photo of each of `expressions`."""
    folder.mkdir()
    source = DemoPatientSource(grade=3, side="right", seed=3, frame_size=(320, 240), clock=lambda: 1000.0)
    source.open()
    for expression in expressions:
        source.set_expression(expression)
        Image.fromarray(source.read()).save(folder / f"{expression}.png")
    source.close()
