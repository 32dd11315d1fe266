"""A PySide6 that frees Python's None (6.12.0 on Python 3.10/3.11: the app aborted after about
20 patients of a soak run, "Fatal Python error: none_dealloc") is found by measuring it, and
the GUI refuses to start on it (one message box naming the fix) rather than crash mid-capture;
the self-test fails on it. The fault is imitated with ctypes: each call drops one reference to
None, and the test gives them back."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

import app.gui_main as gui_main
import app.qt_binding_check as check
from app.selftest import SelfTestError, check_gui

PY311 = (3, 11, 7)
FAULT = "PySide6 6.12.0 has a fault on Python 3.11.7"


@pytest.fixture
def frees_none():
    """A call that frees one reference to None it never took, as the faulty binding does; the
    references are given back after the test."""
    freed = [0]

    def call() -> None:
        ctypes.pythonapi.Py_DecRef(ctypes.py_object(None))
        freed[0] += 1

    yield call
    for _ in range(freed[0]):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))


def test_a_call_that_frees_none_is_measured(frees_none) -> None:
    drop = check.none_drop_per_call(frees_none)
    assert drop == (0.0 if sys.version_info >= (3, 12) else 1.0)  # None is immortal from 3.12
    assert check.none_drop_per_call(lambda: None) == 0.0


def test_a_binding_that_frees_none_is_a_fault_naming_the_fix(frees_none, monkeypatch) -> None:
    if sys.version_info < (3, 12):
        message = check.binding_fault(PY311, frees_none)
    else:  # None is immortal there: the measurement is imitated instead
        monkeypatch.setattr(check, "none_drop_per_call", lambda call: 1.0)
        message = check.binding_fault(PY311, lambda: None)
    assert message is not None and "Python 3.11.7" in message and "crash" in message
    assert 'pip install "PySide6-Essentials<6.12"' in message and "Python 3.12 or newer" in message


def test_a_sound_binding_and_python_3_12_are_no_fault(frees_none) -> None:
    assert check.binding_fault(PY311, lambda: None) is None
    assert check.binding_fault((3, 12, 1), frees_none) is None  # not even measured there


def test_the_installed_binding_is_sound() -> None:
    """The PySide6 the project installs (pyproject.toml keeps it below 6.12 before Python 3.12)."""
    assert check.binding_fault() is None


def test_the_gui_refuses_to_start_on_a_faulty_binding(qtbot, monkeypatch, capsys) -> None:
    boxes = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: boxes.append((title, text))))
    monkeypatch.setattr(check, "binding_fault", lambda: FAULT)

    def no_window(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("no window is built on a faulty binding")

    monkeypatch.setattr(gui_main, "build_window", no_window)
    assert gui_main.main([]) == gui_main.START_FAILED
    [(title, text)] = boxes
    assert title == "Palsy Grader cannot start" and text.startswith(FAULT)
    assert capsys.readouterr().err.startswith(f"palsy: error: {FAULT}")


def test_the_self_test_fails_on_a_faulty_binding(qtbot, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(check, "binding_fault", lambda: FAULT)
    with pytest.raises(SelfTestError, match="PySide6 6.12.0 has a fault"):
        check_gui(tmp_path / "data")
    assert not (tmp_path / "data").exists()  # refused before any store was made
