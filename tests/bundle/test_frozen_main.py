"""The bundled executable's entry point: dispatch, and no crash when stdout/stderr are None."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import frozen_main
from tests.entry_point_home import entry_point_home

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def palsy_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private data folder (not created); log handlers and the exception hook the entry point
    adds are removed afterwards."""
    with entry_point_home(tmp_path, monkeypatch, create=False) as folder:
        yield folder


def test_missing_streams_are_sent_to_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    log = frozen_main.ensure_streams(tmp_path / "logs")
    try:
        assert log == tmp_path / "logs" / frozen_main.CONSOLE_LOG_NAME
        print("to stdout")
        print("to stderr", file=sys.stderr)
        sys.stdout.flush()
        assert log.read_text(encoding="utf-8").splitlines() == ["to stdout", "to stderr"]
    finally:
        sys.stdout.close()


def test_present_streams_are_left_alone(tmp_path: Path) -> None:
    stdout = sys.stdout
    assert frozen_main.ensure_streams(tmp_path / "logs") is None
    assert sys.stdout is stdout
    assert not (tmp_path / "logs").exists()


def test_unwritable_log_folder_falls_back_to_devnull(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(sys, "stdout", None)
    frozen_main.ensure_streams(blocker / "logs")
    try:
        print("lost, but no crash")
        assert sys.stdout.name == os.devnull
    finally:
        sys.stdout.close()


def test_log_folder_is_under_the_data_folder(palsy_home: Path) -> None:
    assert frozen_main.log_dir() == palsy_home / "logs"
    log = frozen_main.configure_logging()
    logging.getLogger("palsy.test").warning("bundle log line")
    assert log == palsy_home / "logs" / frozen_main.LOG_NAME
    assert "bundle log line" in log.read_text(encoding="utf-8")


def test_commands_pass_through_to_the_cli(palsy_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert frozen_main.main(["-psn_0_12345", "info", "--json"]) == 0
    assert '"configs"' in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        frozen_main.main(["no-such-command"])
    assert exc.value.code == 2


def test_windowed_self_test_failure_is_one_logged_line(tmp_path: Path) -> None:
    """A windowed build (no stdout/stderr) whose self-test fails: exit 1, the reason in the log
    (the data folder exists: the logs go to its logs/)."""
    home, empty = tmp_path / "home", tmp_path / "no-weights"
    home.mkdir()
    empty.mkdir()
    code = (
        "import sys; sys.stdout = None; sys.stderr = None\n"
        "from app.frozen_main import main\n"
        f"sys.exit(main(['--self-test', '--weights-dir', {str(empty)!r}]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PALSY_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    log = (home / "logs" / frozen_main.CONSOLE_LOG_NAME).read_text(encoding="utf-8")
    failures = [line for line in log.splitlines() if line.startswith("PalsyGrader self-test FAILED")]
    assert len(failures) == 1
    assert "'weights'" in failures[0] and "manifest" in failures[0]
    assert "self-test FAILED" in (home / "logs" / frozen_main.LOG_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("home", ["relative", ""])
def test_a_home_folder_that_names_no_folder_does_not_stop_the_program(
        home: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # HOME=relative made the data folder's StorageError escape the log set-up: a traceback for --version
    monkeypatch.delenv("PALSY_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    with pytest.raises(SystemExit) as done:
        frozen_main.main(["--version"])
    assert done.value.code in (0, None) and capsys.readouterr().out.startswith("palsy ")
