"""The GUI and a CLI run write one palsy.log, each through its own handle (app/frozen_main.py):
after one rolls it over the other follows the path to the new file instead of writing on into
palsy.log.1, and two rollovers at once neither rotate the fresh file out early nor stop
rotation for a minute. Two handler instances stand for the two processes."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import frozen_main

CAP = 1000


@pytest.fixture()
def gui_and_cli(tmp_path: Path) -> Iterator[tuple[frozen_main.PrivateRotatingFileHandler, ...]]:
    handlers = tuple(frozen_main.PrivateRotatingFileHandler(tmp_path / frozen_main.LOG_NAME, maxBytes=CAP,
                                                            backupCount=3, encoding="utf-8") for _ in range(2))
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(message)s"))
    yield handlers
    for handler in handlers:
        handler.close()


def _write(handler: logging.Handler, text: str) -> None:
    handler.handle(logging.makeLogRecord({"msg": text, "levelno": logging.INFO, "levelname": "INFO"}))


def _fill(handler: logging.Handler, who: str, count: int = 12) -> None:
    for index in range(count):
        _write(handler, f"{who} {index:02d} " + "x" * 90)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_after_the_cli_rolls_the_log_over_the_gui_writes_to_palsy_log(tmp_path: Path, gui_and_cli) -> None:
    gui, cli = gui_and_cli
    _write(gui, "gui before")
    _fill(cli, "cli")  # past the cap: the CLI rolls the log over
    assert "gui before" in _read(tmp_path / "palsy.log.1")
    _write(gui, "gui after the rollover")
    current = _read(tmp_path / "palsy.log")
    assert "gui after the rollover" in current and "cli 11" in current  # the CLI's new file was not rotated out
    assert "gui after the rollover" not in _read(tmp_path / "palsy.log.1")
    assert not (tmp_path / "palsy.log.2").exists()


def test_two_rollovers_at_once_rotate_once(tmp_path: Path, gui_and_cli) -> None:
    """The GUI decided to roll over just as the CLI did it: the fresh file stays palsy.log."""
    gui, cli = gui_and_cli
    _fill(cli, "cli")
    _write(cli, "cli newest")
    gui.doRollover()
    assert "cli newest" in _read(tmp_path / "palsy.log")
    assert not (tmp_path / "palsy.log.2").exists()
    assert gui._retry_at == 0.0  # no minute without rollovers
    assert not (tmp_path / f"palsy.log{frozen_main.ROLLOVER_LOCK_SUFFIX}").exists()


def test_a_rollover_under_way_elsewhere_is_waited_for_not_paused(tmp_path: Path, gui_and_cli) -> None:
    gui, _ = gui_and_cli
    lock = tmp_path / f"palsy.log{frozen_main.ROLLOVER_LOCK_SUFFIX}"
    lock.write_text("")  # another process is rolling the log over this moment
    _fill(gui, "gui")
    assert not (tmp_path / "palsy.log.1").exists() and "gui 11" in _read(tmp_path / "palsy.log")
    assert gui._retry_at == 0.0
    lock.unlink()  # it has finished
    _write(gui, "gui next")
    assert "gui 11" in _read(tmp_path / "palsy.log.1") and "gui next" in _read(tmp_path / "palsy.log")


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path: Path, gui_and_cli) -> None:
    gui, _ = gui_and_cli
    lock = tmp_path / f"palsy.log{frozen_main.ROLLOVER_LOCK_SUFFIX}"
    lock.write_text("")
    old = time.time() - frozen_main.ROLLOVER_LOCK_STALE_S - 5
    os.utime(lock, (old, old))
    _fill(gui, "gui", 14)
    assert "gui 00" in _read(tmp_path / "palsy.log.1") and not lock.exists()


def test_a_drive_whose_file_ids_never_match_still_rotates_and_does_not_reopen_per_record(
        tmp_path: Path, gui_and_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # some Windows network drives give an open file another id than its path: the handler
    # reopened the file at every record, and the log grew past its cap, never rolled over
    gui, _cli = gui_and_cli
    real_fstat = os.fstat

    def other_id(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[1] += 1  # st_ino
        return os.stat_result(info)

    monkeypatch.setattr(frozen_main.os, "fstat", other_id)
    opened = []
    real_open = gui._open
    monkeypatch.setattr(gui, "_open", lambda: opened.append(1) or real_open())
    _fill(gui, "gui", count=40)  # about four caps' worth
    assert len(opened) <= 6  # one reopen to learn the ids mean nothing, then one per rollover
    assert (tmp_path / "palsy.log.1").exists() and (tmp_path / "palsy.log").stat().st_size <= CAP + 200


def test_a_failing_file_id_query_keeps_the_log(tmp_path: Path, gui_and_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    gui, _cli = gui_and_cli

    def refused(fd: int) -> os.stat_result:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(frozen_main.os, "fstat", refused)
    _write(gui, "still written")
    monkeypatch.undo()  # pytest's own output capture asks os.fstat too
    assert gui.failure is None and "still written" in _read(tmp_path / "palsy.log")
