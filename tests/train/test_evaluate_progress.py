"""`palsy evaluate` counts the photos it has scored on a terminal's stderr (minutes of silence
looked like a hang), keeps `--json` stdout pure JSON, and prints no progress when stderr is a
log or a pipe."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.commands.evaluate import terminal_progress
from tests.train.conftest import draw_patients

pytestmark = pytest.mark.usefixtures("one_thread")


def _evaluate(task: str, data: Path, weights: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    assert main(["evaluate", task, "--data", str(data), "--weights", str(weights), "--json"]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


@pytest.mark.parametrize("task, verb", [("grading", "graded"), ("parsing", "parsed")])
def test_a_terminal_sees_the_photos_counted(task: str, verb: str, tmp_path: Path, tiny_weights: Path, capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    data = draw_patients(tmp_path / "set", 4, seed=1)  # 24 photos: three batches of 8
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    report, err = _evaluate(task, data, tiny_weights, capsys)
    assert report["n"] == (4 if task == "grading" else 24)
    assert re.search(rf"\r{verb} 8/24 photos, about \d+ s left\r", err)
    assert re.search(rf"\r{verb} 24/24 photos *\n", err)  # the last line ends, so the next starts afresh


@pytest.mark.parametrize("task", ["grading", "parsing"])
def test_a_log_gets_no_progress(task: str, tmp_path: Path, tiny_weights: Path, capsys,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = draw_patients(tmp_path / "set", 4, seed=1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    _, err = _evaluate(task, data, tiny_weights, capsys)
    assert "\r" not in err and "/24" not in err


def test_the_line_says_the_time_left_and_covers_a_longer_one(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    clock = iter([0.0, 120.0, 125.0, 130.0])
    monkeypatch.setattr("app.commands.evaluate.time.monotonic", lambda: next(clock))
    progress = terminal_progress("graded", "photo")
    assert progress is not None
    progress(120, 720)  # 2 min for 120: 10 min for the other 600
    progress(700, 720)
    progress(720, 720)
    err = capsys.readouterr().err
    lines = err.split("\r")[1:]
    assert lines[0] == "graded 120/720 photos, about 10 min left"
    assert lines[1] == "graded 700/720 photos, about 4 s left".ljust(len(lines[0]))
    assert lines[2] == "graded 720/720 photos".ljust(len(lines[0])) + "\n"


def test_an_error_midway_gets_a_line_of_its_own(tmp_path: Path, tiny_weights: Path, capsys,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from models.errors import InputError
    from models.train import evaluation

    def fails_midway(*args, progress, **kwargs):
        progress(8, 24)
        raise InputError("the disk went away")

    data = draw_patients(tmp_path / "set", 4, seed=1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(evaluation, "evaluate_grading", fails_midway)  # imported by the command when it runs
    assert main(["evaluate", "grading", "--data", str(data), "--weights", str(tiny_weights)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"\rgraded 8/24 photos, about \d+ s left *\npalsy: error: the disk went away", err), err
