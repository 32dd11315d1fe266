"""Helpers for GUI tests: build a window over a real store, drive the capture wizard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.camera.demo_source import DemoPatientSource
from app.gateway_store import open_gateway
from app.main_window import MainWindow, Services
from app.settings import ModelSettings, Settings

WAIT_MS = 20000


def make_window(qtbot: Any, folder: Path, weights: Path, source_factory: Any = None, **services: Any) -> MainWindow:
    """A shown main window over a fresh store in `folder`, the demo camera and `weights`."""
    settings = Settings(model=ModelSettings(weights_path=str(weights), device="cpu"))
    gateway = open_gateway(folder)
    factory = source_factory or (lambda: DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240)))
    asked: list[str] = []
    # a real message box would wait for a click: questions are answered Yes and kept in window.asked
    services.setdefault("ask", lambda parent, title, text: asked.append(title) or True)
    # "Resume the unfinished assessment, or start a new one?": Start new (kept in window.asked too)
    services.setdefault("choose", lambda parent, title, text, choices: asked.append(title) or choices[-1])
    window = MainWindow(Services(settings=settings, gateway=gateway, source_factory=factory, **services))
    window.asked = asked
    window.show()
    qtbot.waitUntil(lambda: window.model_handle is not None or bool(window.model_error), timeout=WAIT_MS)
    assert window.model_handle is not None, window.model_error
    return window


def close_window(window: MainWindow) -> None:
    """Close the window, stop its threads and release the store."""
    window.close()
    window.gateway.close()
    window.deleteLater()


def user_close(window: MainWindow) -> bool:
    """Close the window as its close button does: a spontaneous close event, from the window
    system (the offscreen platform sends none). True when the window accepted it."""
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QApplication

    class WindowSystemClose(QCloseEvent):
        def spontaneous(self) -> bool:  # noqa: D102 - as the window system's close event
            return True

    event = WindowSystemClose()
    QApplication.sendEvent(window, event)
    if event.isAccepted():
        window.hide()  # what QWidget.close does after an accepted close event
    return event.isAccepted()


def capture_all(qtbot: Any, window: MainWindow) -> None:
    """Take the six photos with the capture button, waiting for live frames each time."""
    page = window.capture
    for _ in range(6):
        expression = page.session.expression
        qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.capture_now(), f"capture of {expression} failed"
    qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)  # written by the saver thread
    assert page.session.complete


def analysed_assessment(qtbot: Any, window: MainWindow, patient_id: str = "MRN-1", name: str = "Ada Lovelace") -> int:
    """A new patient, six photos and an analysis, through the window, up to its results page;
    the assessment's number."""
    from app.records_gateway import PatientInfo

    window.gateway.save_patient(PatientInfo(patient_id, name), is_new=True)
    window.patients.refresh()
    window.start_assessment(patient_id)
    capture_all(qtbot, window)
    window.start_analysis()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results and window.result is not None, timeout=WAIT_MS)
    return window.assessment_id


def draft_with_photos(folder: Path, patient_id: str, name: str) -> int:
    """A new patient's unfinished assessment with three of its six photos, written through the
    app's gateway and closed again (as a crash or another window leaves it); its number."""
    import numpy as np

    from app.records_gateway import PatientInfo

    gateway = open_gateway(folder)
    try:
        gateway.save_patient(PatientInfo(patient_id, name), is_new=True)
        draft = gateway.start_assessment(patient_id)
        for expression in ("rest", "close_eyes", "raise_eyebrows"):
            gateway.save_capture(draft, expression, np.full((32, 32, 3), len(expression), np.uint8), {})
        return draft
    finally:
        gateway.close()
