"""A photo source's wording lives in one table (review: `source_words` and
`settings_source_words` each spelled the same four wordings), and a `CaptureLine` is read by
its named parts only (it was iterable for older tests)."""

from __future__ import annotations

import pytest

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource, VideoFileSource
from app.camera.opencv_source import OpenCVSource
from app.pages import capture_logic
from app.pages.capture_logic import capture_line, settings_source_words, source_words
from app.settings import CameraSettings


def test_a_wording_changed_in_the_table_changes_both_names(monkeypatch) -> None:
    for kind, template in (("folder", "pictures in {}"), ("video", "film {}"), ("camera", "webcam #{}"),
                           ("demo", "a made-up patient")):
        monkeypatch.setitem(capture_logic.SOURCE_WORDS, kind, template)
    for settings, source, words in (
            (CameraSettings(source="demo"), DemoPatientSource(grade=4, side="left", seed=3), "a made-up patient"),
            (CameraSettings(source="folder", folder_path="/p/7"), PhotoFolderSource("/p/7"), "pictures in /p/7"),
            (CameraSettings(source="video", video_path="/v/a.mp4"), VideoFileSource("/v/a.mp4"), "film /v/a.mp4"),
            (CameraSettings(source="camera", index=2), OpenCVSource(2), "webcam #2")):
        assert settings_source_words(settings) == source_words(source) == words


def test_a_capture_line_is_read_by_its_named_parts() -> None:
    line = capture_line("A (B)", CameraSettings(source="camera", index=1))
    assert line.source == "camera 1"
    with pytest.raises(TypeError):
        iter(line)
