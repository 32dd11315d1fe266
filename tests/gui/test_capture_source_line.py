"""The capture page's source line: `capture_line` gives the source as its own part, and
the line follows the source Settings reopen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.camera.opencv_source import OpenCVSource
from app.pages.capture_logic import (
    capture_line,
    settings_source_words,
    source_words,
)
from app.pages.patient_label import PatientLabel
from app.records_gateway import PatientInfo
from app.settings import CameraSettings
from tests.gui.gui_helpers import close_window
from tests.gui.test_small_screens import _window


def test_the_capture_line_gives_the_source_as_its_own_part() -> None:
    line = capture_line(PatientLabel("Ana Lima", " (MRN-2)"), CameraSettings(source="folder", folder_path="/photos/p7"))
    assert (line.head, line.name, line.detail) == ("Patient: ", "Ana Lima", " (MRN-2)")
    assert line.source == "photos from the folder /photos/p7"  # no " - " to split on


def test_an_open_source_is_named_as_its_settings_are() -> None:
    for settings, source in ((CameraSettings(source="demo"), DemoPatientSource(grade=4, side="left", seed=3)),
                             (CameraSettings(source="folder", folder_path="/photos/p7"), PhotoFolderSource("/photos/p7")),
                             (CameraSettings(source="video", video_path="/v/a.mp4"), VideoFileSource("/v/a.mp4")),
                             (CameraSettings(source="camera", index=2), OpenCVSource(2))):
        assert source_words(source) == settings_source_words(settings)


def test_the_source_line_follows_the_source_settings_reopen(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path / "records")
    try:
        window.gateway.save_patient(PatientInfo("MRN-2041", "Jane Doe"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-2041")
        QApplication.processEvents()
        source = window.capture.source_line
        assert source.text() == "The synthetic demo patient (no camera)"
        folder = tmp_path / "photos"
        folder.mkdir()
        window.services.source_factory = lambda: PhotoFolderSource(folder)
        window.apply_settings(replace(window.settings, camera=replace(window.settings.camera, source="folder",
                                                                      folder_path=str(folder))))
        QApplication.processEvents()
        assert source.full_text() == f"Photos from the folder {folder}"  # it named the demo patient still
        assert source.isVisible()
    finally:
        close_window(window)
