"""A real camera opens through the platform's preferred OpenCV backend first (DirectShow, then
Media Foundation on Windows; AVFoundation on macOS; OpenCV's own choice on Linux), falls back to
OpenCV's own choice, and a camera that opens nowhere says where the system's camera permission
is (portability audit, 2026-12-06). cv2.VideoCapture is faked; the platform is passed in."""

from __future__ import annotations

import sys

import cv2
import pytest

from app.camera import opencv_source
from app.camera.opencv_source import OpenCVSource, preferred_backends
from app.camera.source import CameraError
from tests.gui.test_sources import FakeCapture


def _fake(monkeypatch, opening: set) -> list:
    """cv2.VideoCapture that opens only for the backends in `opening` (() for OpenCV's own)."""
    made: list = []

    def video_capture(index, *api):
        capture = FakeCapture(opens=api in opening, frames=1)
        made.append((index, api, capture))
        return capture

    monkeypatch.setattr(cv2, "VideoCapture", video_capture)
    return made


@pytest.mark.parametrize(("platform", "first"), [("win32", (cv2.CAP_DSHOW,)), ("darwin", (cv2.CAP_AVFOUNDATION,)),
                                                 ("linux", ())])
def test_the_platforms_backend_is_tried_first(monkeypatch, platform, first) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    made = _fake(monkeypatch, {first})
    source = OpenCVSource(index=2, width=640, height=480, fps=15)
    source.open()
    assert [(index, api) for index, api, _ in made] == [(2, first)]
    assert sorted(made[0][2].props.values()) == [15, 480, 640]
    source.close()


def test_windows_falls_back_to_media_foundation_then_opencvs_choice(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    made = _fake(monkeypatch, {()})
    OpenCVSource(index=1).open()
    assert [api for _, api, _ in made] == [(cv2.CAP_DSHOW,), (cv2.CAP_MSMF,), ()]
    assert [c.released for _, _, c in made] == [True, True, False]  # the failed tries let go


@pytest.mark.parametrize(("platform", "hint"), [("darwin", "Privacy & Security > Camera"),
                                                ("win32", "let desktop apps access the camera"), ("linux", None)])
def test_a_camera_that_opens_nowhere_says_where_permission_is(monkeypatch, platform, hint) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    made = _fake(monkeypatch, set())
    with pytest.raises(CameraError, match="camera 0 could not be opened; check that it is connected") as caught:
        OpenCVSource().open()
    assert all(c.released for _, _, c in made)
    if hint is None:
        assert "Privacy" not in str(caught.value)
    else:
        assert hint in str(caught.value)


def test_backends_by_platform() -> None:
    assert preferred_backends("win32") == ["CAP_DSHOW", "CAP_MSMF"]
    assert preferred_backends("darwin") == ["CAP_AVFOUNDATION"]
    assert preferred_backends("linux") == [] and opencv_source.preferred_backends() == preferred_backends(sys.platform)
