"""A bundle whose self-test cannot even be imported says what is missing (a module, a file) in
its FAILED line, without Python's class name or an errno; a bug keeps its class name."""

from __future__ import annotations

import builtins
import errno
from typing import Any

import pytest

from app import frozen_main

STEP = "PalsyGrader self-test FAILED at step 'imports': "


def _failed_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failure: Exception) -> str:
    real_import = builtins.__import__

    def broken(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "app.selftest":
            raise failure
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", broken)
    assert frozen_main._run_self_test([]) == 1
    monkeypatch.undo()
    [line] = capsys.readouterr().err.splitlines()
    return line


def test_a_missing_module_is_named_as_python_says_it(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    line = _failed_line(monkeypatch, capsys, ModuleNotFoundError("No module named 'torch'", name="torch"))
    assert line == STEP + "No module named 'torch'"


def test_a_missing_file_is_named_without_an_errno(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    library = "/opt/PalsyGrader/_internal/torch/lib/libtorch_cpu.so"
    line = _failed_line(monkeypatch, capsys, OSError(errno.ENOENT, "No such file or directory", library))
    assert line == STEP + f"No such file or directory ({library})"


def test_any_other_failure_keeps_its_class_name(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    line = _failed_line(monkeypatch, capsys, ValueError("bad marshal data"))
    assert line == STEP + "ValueError: bad marshal data"
