"""Build the configured frame source from CameraSettings."""

from __future__ import annotations

from app.camera.source import CameraError, FrameSource
from app.settings import CameraSettings


def make_source(settings: CameraSettings) -> FrameSource:
    """The source Settings ask for; CameraError with a hint when it is misconfigured."""
    if settings.source == "demo":
        from app.camera.demo_source import DemoPatientSource

        return DemoPatientSource(grade=settings.demo_grade, side=settings.demo_side, seed=settings.demo_seed)
    if settings.source == "camera":
        from app.camera.opencv_source import OpenCVSource

        return OpenCVSource(settings.index, settings.width, settings.height, settings.fps)
    if settings.source == "video":
        if not settings.video_path:
            raise CameraError("no video file chosen; pick one in Settings \u2192 Camera")
        from app.camera.file_sources import VideoFileSource

        return VideoFileSource(settings.video_path)
    if settings.source == "folder":
        if not settings.folder_path:
            raise CameraError("no photo folder chosen; pick one in Settings \u2192 Camera")
        from app.camera.file_sources import PhotoFolderSource

        return PhotoFolderSource(settings.folder_path)
    raise CameraError(f"unknown source kind {settings.source!r}")
