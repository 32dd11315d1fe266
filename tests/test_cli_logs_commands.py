"""Where the bundle keeps a log, every command leaves its start, its end and, when it fails, the
one error line there (app/cli.py): a scheduled run (a nightly `records backup` onto a full disk)
has no console, and IT reads palsy.log. Arguments are never logged: they hold IDs and paths."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli, frozen_main
from tests.entry_point_home import entry_point_home


def _cli_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "palsy.cli"]


def test_a_refused_command_logs_its_error_line_without_traceback(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "MRN-4711 folder"
    with caplog.at_level(logging.INFO, logger="palsy.cli"):
        assert cli.main(["records", "--data", str(missing), "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("palsy: error: ") and len(err.splitlines()) == 1
    lines = _cli_lines(caplog)
    assert lines == [("INFO", "records check started"),
                     ("ERROR", f"records check failed: {err.removeprefix('palsy: error: ')}"),
                     ("INFO", "records check ended with exit status 2")]
    assert not any(r.exc_info for r in caplog.records if r.name == "palsy.cli")


def test_a_command_that_succeeds_logs_its_start_and_end(caplog: pytest.LogCaptureFixture,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with caplog.at_level(logging.INFO, logger="palsy.cli"):
        assert cli.main(["info", "--json"]) == 0
    assert _cli_lines(caplog) == [("INFO", "info started"), ("INFO", "info ended with exit status 0")]


def test_an_unforeseen_os_error_is_logged_with_its_traceback(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    import app.commands.info

    def full_disk(args: object) -> int:
        raise OSError(errno.EIO, "Input/output error", "/mnt/usb/nightly")

    monkeypatch.setattr(app.commands.info, "run", full_disk)
    with caplog.at_level(logging.INFO, logger="palsy.cli"):
        assert cli.main(["info"]) == 2
    failed = [r for r in caplog.records if r.name == "palsy.cli" and r.levelno == logging.ERROR]
    assert len(failed) == 1 and failed[0].getMessage().startswith("info failed: Input/output error (/mnt/usb/nightly)")
    assert failed[0].exc_info and failed[0].exc_info[0] is OSError
    assert capsys.readouterr().err.count("\n") == 1


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An existing data folder (so the entry point logs to its logs/); the handlers and hooks
    the entry point adds are taken off again."""
    with entry_point_home(tmp_path, monkeypatch, create=True) as folder:
        yield folder


def test_the_bundles_failed_command_is_in_palsy_log(home: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert frozen_main.main(["records", "--data", str(tmp_path / "unplugged"), "check"]) == 2
    text = (home / "logs" / frozen_main.LOG_NAME).read_text(encoding="utf-8")
    assert "INFO palsy.cli: records check started" in text
    assert "ERROR palsy.cli: records check failed: " in text and "Traceback" not in text
    assert "INFO palsy.cli: records check ended with exit status 2" in text
    assert "unplugged" not in text.split("failed: ")[0]  # the arguments are not in the start line
