"""palsy.log's rollover when another process holds the file open (Windows: the GUI has it
open, a CLI run finds it full and cannot rename it): the record is kept in the current file,
nothing is printed, and the rollover happens later (app/frozen_main.py)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import frozen_main


@pytest.fixture()
def logger(tmp_path: Path) -> Iterator[tuple[logging.Logger, frozen_main.PrivateRotatingFileHandler]]:
    handler = frozen_main.PrivateRotatingFileHandler(tmp_path / frozen_main.LOG_NAME, maxBytes=1000,
                                                     backupCount=3, encoding="utf-8")
    log = logging.getLogger("palsy.test_log_rotation")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        yield log, handler
    finally:
        log.removeHandler(handler)
        handler.close()


def _held_open_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.rename/os.replace of palsy.log fail as on Windows while another process has it open."""
    for name in ("rename", "replace"):
        real = getattr(os, name)

        def refuse(src, dst, *args, _real=real, **kwargs):
            if os.fspath(src).endswith(frozen_main.LOG_NAME):
                raise PermissionError(13, "The process cannot access the file because it is being used "
                                          "by another process", os.fspath(src))
            return _real(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, name, refuse)


def test_a_blocked_rollover_keeps_the_record_and_prints_nothing(tmp_path, logger, monkeypatch, capsys) -> None:
    log, _ = logger
    path = tmp_path / frozen_main.LOG_NAME
    (tmp_path / "palsy.log.1").write_text("older\n")
    path.write_text("x" * 1500 + "\n")  # already past maxBytes: the next record rolls over
    _held_open_elsewhere(monkeypatch)
    log.info("backup of /data started")
    log.info("backup of /data finished: 3 patients")
    text = path.read_text()
    assert "backup of /data started" in text and "backup of /data finished: 3 patients" in text
    assert capsys.readouterr().err == ""
    # nothing half-rotated: the older file stayed where it was, no second one appeared
    assert (tmp_path / "palsy.log.1").read_text() == "older\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["palsy.log", "palsy.log.1"]


def test_the_rollover_is_tried_again_later(tmp_path, logger, monkeypatch, capsys) -> None:
    log, handler = logger
    path = tmp_path / frozen_main.LOG_NAME
    path.write_text("x" * 1500 + "\n")
    with monkeypatch.context() as patch:
        _held_open_elsewhere(patch)
        log.info("while the GUI holds it")
    handler._retry_at = 0.0  # ROLLOVER_RETRY_S has passed, and the other process has let go
    log.info("after the GUI closed")
    assert "while the GUI holds it" in (tmp_path / "palsy.log.1").read_text()
    assert "after the GUI closed" in path.read_text()
    assert capsys.readouterr().err == ""


def test_an_unblocked_rollover_shifts_the_older_files(tmp_path, logger) -> None:
    log, _ = logger
    path = tmp_path / frozen_main.LOG_NAME
    for index in (1, 2, 3):
        (tmp_path / f"palsy.log.{index}").write_text(f"file {index}\n")
    path.write_text("x" * 1500 + "\n")
    log.info("a new file")
    assert path.read_text().endswith("a new file\n")
    assert (tmp_path / "palsy.log.1").read_text().startswith("x")
    assert (tmp_path / "palsy.log.2").read_text() == "file 1\n"
    assert (tmp_path / "palsy.log.3").read_text() == "file 2\n"
    assert not (tmp_path / "palsy.log.4").exists() and not (tmp_path / "palsy.log.rollover").exists()


def test_records_a_killed_rollover_left_aside_are_kept(tmp_path, logger) -> None:
    """Review: a kill between the rollover's renames left palsy.log.rollover, and the next
    rollover replaced it: those records were lost."""
    log, _ = logger
    path = tmp_path / frozen_main.LOG_NAME
    (tmp_path / "palsy.log.1").write_text("file 1\n")
    (tmp_path / "palsy.log.rollover").write_text("left by a killed rollover\n")
    path.write_text("x" * 1500 + "\n")
    log.info("a new file")
    assert path.read_text().endswith("a new file\n")
    assert (tmp_path / "palsy.log.1").read_text().startswith("x")
    assert (tmp_path / "palsy.log.2").read_text() == "left by a killed rollover\n"
    assert (tmp_path / "palsy.log.3").read_text() == "file 1\n"
    assert not (tmp_path / "palsy.log.rollover").exists()
