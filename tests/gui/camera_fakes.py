"""Camera stand-ins of the GUI tests: the demo patient as a named camera (one that cannot open,
one whose open or reads wait at a gate, one that freezes), a camera giving one frame again and
again, and a camera thread run over a mailbox that counts what it delivers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from app.camera.demo_source import DemoPatientSource
from app.camera.source import CameraError
from app.workers import CameraWorker, FramePacket, LatestFrame, retire_worker, start_worker


class DemoCamera(DemoPatientSource):
    """The demo patient (grade 4, left side, 320x240) as a camera called `name`."""

    def __init__(self, name: str = "camera 0") -> None:
        super().__init__(grade=4, side="left", seed=3, frame_size=(320, 240))
        self.name = name


class AbsentCamera(DemoCamera):
    """A camera that is not there: its open fails."""

    def open(self) -> None:
        raise CameraError(f"{self.name} could not be opened; check that it is connected")


class GatedCamera(DemoCamera):
    """Camera 0, whose open (`open_gate`) or read (`read_gate`) waits until its gate is set."""

    def __init__(self, open_gate: threading.Event, read_gate: threading.Event, wait_s: float = 20.0) -> None:
        super().__init__()
        self._open_gate, self._read_gate, self._wait_s = open_gate, read_gate, wait_s

    def open(self) -> None:
        self._open_gate.wait(self._wait_s)
        super().open()

    def read(self) -> np.ndarray:
        while not self._read_gate.is_set():
            time.sleep(0.02)
        return super().read()


class CameraGates:
    """The two gates of a `GatedCamera`: `opens` lets its open go on, `reads` its reads."""

    def __init__(self) -> None:
        self.opens, self.reads = threading.Event(), threading.Event()

    def camera(self) -> GatedCamera:
        """A source factory: a new camera behind these gates."""
        return GatedCamera(self.opens, self.reads)

    def release(self) -> None:
        self.opens.set()
        self.reads.set()


class FreezingCamera(DemoCamera):
    """Camera 0, whose read blocks while `frozen` is set."""

    def __init__(self, frozen: threading.Event) -> None:
        super().__init__()
        self._frozen = frozen

    def read(self) -> np.ndarray:
        while self._frozen.is_set():
            time.sleep(0.02)
        return super().read()


class StillCamera:
    """A camera that gives the same `frame` at every read, at once, and counts its reads:
    `repeats_frames` says whether the worker should expect it (a still scene of a file) or take
    the repeat for a frozen live feed (an OpenCV camera stuck on its last frame)."""

    def __init__(self, frame: np.ndarray, name: str = "camera 0", repeats_frames: bool = False) -> None:
        self.frame, self.name, self.repeats_frames, self.reads = frame, name, repeats_frames, 0

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        self.reads += 1
        return self.frame

    def close(self) -> None:
        pass


class CountingMailbox(LatestFrame):
    """Counts the packets the camera thread delivers."""

    def __init__(self) -> None:
        super().__init__()
        self.puts = 0

    def put(self, packet: FramePacket) -> None:
        self.puts += 1
        super().put(packet)


@contextmanager
def camera_thread(source: Any, wait_ms: int) -> Iterator[CountingMailbox]:
    """The camera thread reading `source` into a counting mailbox; stopped, and its end waited
    for (at most `wait_ms`), on leaving."""
    mailbox = CountingMailbox()
    worker = CameraWorker(source, mailbox)
    thread = start_worker(worker)
    try:
        yield mailbox
    finally:
        worker.stop()
        assert retire_worker(worker, thread, wait_ms)
