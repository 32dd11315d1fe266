"""What the window says for a failure that is no PalsyError ("Analysis failed: ...", "Report
failed: ...", the camera stopping): no Python class name or allocator words; running out of
memory and a disk fault say what to do; anything else names the log, which holds the traceback."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from app.workers import (
    CameraWorker,
    FunctionWorker,
    LatestFrame,
    retire_worker,
    start_worker,
    worker_error_text,
)
from tests.gui.gui_helpers import WAIT_MS


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    """A file the root logger writes to, as the bundle's palsy.log."""
    path = tmp_path / "logs" / "palsy.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    try:
        yield path
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def _raised(fn) -> BaseException:  # noqa: ANN001 - a callable that raises
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 - the exception is the test's object
        return exc
    raise AssertionError("nothing was raised")


def test_running_out_of_memory_says_so_and_what_to_do() -> None:
    # it read "RuntimeError: [enforce fail at alloc_cpu.cpp:127] ... DefaultCPUAllocator: can't allocate memory"
    torch_failure = _raised(lambda: torch.empty(10**13, dtype=torch.uint8))
    python_failure = _raised(lambda: bytearray(2**62))
    for exc in (torch_failure, python_failure):
        assert worker_error_text(exc) == "the computer ran out of memory; close other programs and try again"


def test_a_full_disk_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    # it read "OSError: [Errno 28] No space left on device"
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "report.pdf"))
    assert worker_error_text(full) == (f"{os.strerror(errno.ENOSPC)} ({tmp_path / 'report.pdf'}); "
                                       "free space or choose another folder")
    missing = _raised(lambda: open(tmp_path / "gone" / "x.png", "rb"))
    assert worker_error_text(missing) == f"{os.strerror(errno.ENOENT)} ({tmp_path / 'gone' / 'x.png'}); check the path"


def test_anything_else_names_the_log_that_holds_the_traceback(qapp, log_path: Path) -> None:
    def broken(progress: object) -> None:
        raise RuntimeError("index 7 is out of bounds for axis 0")

    worker = FunctionWorker(broken)
    said: list[str] = []
    worker.errored.connect(said.append)
    worker.work()  # on this thread: only the wording is under test
    assert said == [f"something unexpected went wrong; the details are in the log file {log_path}"]
    logged = log_path.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: index 7 is out of bounds" in logged


class BrokenDriver:
    """A camera whose driver raises something no source expects."""

    name = "broken camera"

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        raise ValueError("cv::VideoCapture::read: bad frame index")

    def close(self) -> None:
        pass


def test_a_broken_camera_driver_names_the_log_not_the_exception(qtbot, log_path: Path) -> None:
    failures: list[str] = []
    worker = CameraWorker(BrokenDriver(), LatestFrame())
    worker.failed.connect(failures.append, Qt.ConnectionType.DirectConnection)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: bool(failures), timeout=WAIT_MS)
    assert retire_worker(worker, thread, WAIT_MS)
    assert failures == [f"something unexpected went wrong; the details are in the log file {log_path}"]
    assert "ValueError: cv::VideoCapture::read" in log_path.read_text(encoding="utf-8")


def test_a_log_that_stopped_being_written_is_not_named(log_path: Path) -> None:
    # a full disk stops palsy.log (`PrivateRotatingFileHandler.failure`): the message named it anyway
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log_path)]
    handler.failure = f"{log_path} cannot be written (No space left on device)"
    text = worker_error_text(RuntimeError("index 7 is out of bounds for axis 0"))
    assert str(log_path) not in text and "no log is being kept" in text
