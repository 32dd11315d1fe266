"""A camera driver's OSError (ENODEV after an unplug) is worded as the camera's fault, not as a
folder's ("... or choose another folder"); a source over files keeps the file wording."""

from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from app.camera.file_sources import PhotoFolderSource
from app.workers import CameraWorker, LatestFrame, camera_fault_text, retire_worker, start_worker

WAIT_MS = 10000


class UnpluggedCamera:
    """A camera whose device node vanished: its read raises what the system says."""

    name = "camera 0"

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        raise OSError(errno.ENODEV, "No such device")

    def close(self) -> None:
        pass


def test_an_unplugged_cameras_os_error_names_the_camera_and_its_cable(qtbot) -> None:
    failures: list[str] = []
    worker = CameraWorker(UnpluggedCamera(), LatestFrame())
    worker.failed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert retire_worker(worker, thread, WAIT_MS)
    assert failures == [f"camera 0 stopped working (OS error {errno.ENODEV}: No such device); "
                        "check its cable, then press Retry"]


def test_a_photo_folders_os_error_keeps_the_file_wording(tmp_path: Path) -> None:
    refused = PermissionError(errno.EACCES, "Permission denied", str(tmp_path))
    text = camera_fault_text(PhotoFolderSource(tmp_path), refused)
    assert "check the permissions or choose another folder" in text and "cable" not in text


def test_memory_running_out_is_said_as_such() -> None:
    text = camera_fault_text(UnpluggedCamera(), OSError(errno.ENOMEM, "Cannot allocate memory"))
    assert text == "the computer ran out of memory; close other programs and try again"
