"""A live quality check that fails on every frame (5 times a second) logs its first failure
with the traceback, the same failure again only once a minute with a count, and one line when it
works again: a line a check replaced the whole 4 MB log history in about two hours. The same
failure is the same exception type raised at the same line, whatever its text (a frame number),
so a changing text or two failures taking turns do not flood the log either."""

from __future__ import annotations

import logging
import time

import numpy as np
import pytest

from app.workers import CameraWorker, LatestFrame, RepeatedFailureLog, retire_worker, start_worker

WAIT_MS = 10000
FAILURES = 60


class BlankSource:
    name = "blank"

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        time.sleep(0.002)
        return np.zeros((8, 8, 3), np.uint8)

    def close(self) -> None:
        pass


def _worker_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.workers"]


def test_a_check_failing_on_every_frame_logs_its_first_failure_and_its_recovery_only(qtbot, caplog) -> None:
    calls = []

    def check(frame: np.ndarray) -> str:
        calls.append(1)
        if len(calls) <= FAILURES:
            raise RuntimeError("face detector returned garbage")
        return "ok"

    caplog.set_level(logging.INFO)
    mailbox = LatestFrame()
    worker = CameraWorker(BlankSource(), mailbox, analyse=check, analyse_every_s=0.0)
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: getattr(mailbox.take(), "quality", None) == "ok", timeout=WAIT_MS)
    worker.stop()
    assert retire_worker(worker, thread, WAIT_MS)
    first, recovered = _worker_lines(caplog)
    assert first.levelno == logging.WARNING and first.exc_info is not None  # where it failed
    assert "RuntimeError: face detector returned garbage" in first.getMessage()
    assert recovered.levelno == logging.INFO and "works again" in recovered.getMessage()
    assert f"failed {FAILURES - 1} more times" in recovered.getMessage()


def test_a_repeated_failure_is_counted_once_a_minute_and_a_new_one_is_logged_at_once(caplog) -> None:
    now = [0.0]
    failures = RepeatedFailureLog("live quality check", every_s=60.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    for _ in range(241):  # a minute of failures at 4 a second
        now[0] += 0.25
        failures.failed(RuntimeError("no face"))
    failures.failed(ValueError("odd frame"))
    said = [(r.getMessage(), r.exc_info is not None) for r in _worker_lines(caplog)]
    assert said == [
        ("live quality check failed: RuntimeError: no face", True),
        ("live quality check failed 240 more times: RuntimeError: no face", False),
        ("live quality check failed: ValueError: odd frame", True),
    ]


def _detect_face(index: int) -> None:
    raise ValueError(f"frame {index} has shape (720, 1280, 4), expected 3 channels")


def _read_eyes(index: int) -> None:
    raise RuntimeError(f"eye detector: no landmarks in frame {index}")


def _ten_minutes_of(failing, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:  # noqa: ANN001 - index -> raises
    now = [0.0]
    failures = RepeatedFailureLog("live quality check", every_s=60.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    for index in range(3000):  # 5 a second
        now[0] = index * 0.2
        try:
            failing(index)
        except Exception as exc:  # noqa: BLE001 - what the quality thread catches
            failures.failed(exc)
    return _worker_lines(caplog)


def test_a_failure_whose_text_changes_is_logged_with_its_traceback_once(caplog) -> None:
    lines = _ten_minutes_of(_detect_face, caplog)
    assert [r.exc_info is not None for r in lines] == [True] + [False] * 9  # then a count a minute
    assert "failed 300 more times: ValueError: frame 300 has shape" in lines[1].getMessage()


def test_two_failures_taking_turns_are_each_logged_with_their_traceback_once(caplog) -> None:
    lines = _ten_minutes_of(lambda index: (_detect_face, _read_eyes)[index % 2](index), caplog)
    tracebacks = [r.getMessage() for r in lines if r.exc_info is not None]
    assert len(tracebacks) == 2 and "ValueError" in tracebacks[0] and "RuntimeError" in tracebacks[1]
    assert len(lines) <= 2 + 2 * 10  # and a count of each once a minute


def test_a_check_failing_on_every_other_frame_does_not_log_each_failure_and_recovery(caplog) -> None:
    now = [0.0]
    failures = RepeatedFailureLog("live quality check", every_s=60.0, clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    for index in range(3000):  # ten minutes at 5 a second, every other frame failing
        now[0] = index * 0.2
        try:
            if index % 2:
                _detect_face(index)
        except ValueError as exc:
            failures.failed(exc)
        else:
            failures.succeeded()
    lines = _worker_lines(caplog)
    assert [r.exc_info is not None for r in lines].count(True) <= 10  # a traceback a minute at most
    assert len(lines) <= 3 * 10  # a few lines a minute, not 1,500 failures and recoveries
    now[0] += 60.0  # a minute of the check working: the next failure is news again
    failures.succeeded()
    try:
        _detect_face(3000)
    except ValueError as exc:
        failures.failed(exc)
    assert _worker_lines(caplog)[-1].exc_info is not None
