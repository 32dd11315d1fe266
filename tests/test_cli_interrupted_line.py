"""`palsy: interrupted` starts a line of its own after a `\\r` progress count on a terminal, and
the CLI's SIGTERM handling is the command's only: `palsy gui` keeps SIGTERM for its own
shutdown, and the default action is back once the command ends."""

from __future__ import annotations

import io
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from app.cli import main, sigterm_as_interrupt


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_interrupted_follows_a_progress_count_on_a_new_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def one_patient_then_ctrl_c(out: Any, patients: int, *args: Any) -> None:
        progress = args[3]
        progress(1, patients)
        raise KeyboardInterrupt

    monkeypatch.setattr("models.data.synthetic.dataset.write_patient_dataset", one_patient_then_ctrl_c)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["synth", "--out", str(tmp_path / "s"), "--patients", "2", "--seed", "1", "--workers", "1"])
    assert code == 130
    assert terminal.getvalue() == "\rrendered 1/2 patients\npalsy: interrupted\n"


def test_interrupted_is_one_line_in_a_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def ctrl_c(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("models.data.synthetic.dataset.write_patient_dataset", ctrl_c)
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    assert main(["synth", "--out", str(tmp_path / "s"), "--patients", "2", "--seed", "1", "--workers", "1"]) == 130
    assert log.getvalue() == "palsy: interrupted\n"


@pytest.mark.skipif(signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, reason="the test runner set its own")
def test_sigterm_is_taken_for_a_command_but_not_for_the_gui() -> None:
    with sigterm_as_interrupt("synth"):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    with sigterm_as_interrupt("gui"):
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
