"""A log that cannot be kept is said, once, in one line (app/frozen_main.py): a full log disk
gave a 15-line "--- Logging error ---" dump with the record's arguments (patient IDs) for every
record, and an unwritable log folder gave no word at all, while messages pointed to "the log"."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest

from app import frozen_main


class FullDisk:
    """The log file's stream on a disk that has just filled up."""

    def __init__(self, stream) -> None:  # noqa: ANN001 - a text stream
        self._stream = stream

    def __getattr__(self, name: str):  # noqa: ANN204 - the stream's own attributes
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture()
def no_earlier_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frozen_main, "_no_log_reason", None)


def test_a_full_log_disk_is_said_once_in_one_line(tmp_path: Path, quiet_home: None,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    log = frozen_main.configure_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, frozen_main.PrivateRotatingFileHandler))
    handler.stream = FullDisk(handler.stream)
    capsys.readouterr()
    for _ in range(5):
        logging.getLogger("palsy.records").info("patient %s exported%s", "MRN-4711", "")
    err = capsys.readouterr().err
    assert err.splitlines() == [f"palsy: no log is being kept: {log} cannot be written "
                                "(No space left on device)"], err
    assert frozen_main.kept_log() is None
    assert "No space left on device" in frozen_main.no_log_reason()


def test_an_unwritable_log_folder_is_said_and_known(tmp_path: Path, quiet_home: None, no_earlier_failure: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "logs").write_text("")  # stands for a read-only logs/ (the tests may run as root)
    assert frozen_main.main(["info", "--json"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"palsy: no log is being kept: {home / 'logs'} cannot be written ("), err
    assert frozen_main.kept_log() is None
    assert str(home / "logs") in frozen_main.no_log_reason()


def test_a_log_written_again_after_a_failure_is_kept_again(tmp_path: Path, quiet_home: None,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    # the disk freed after it filled up: Help > About and the error messages said "no log" for good
    log = frozen_main.configure_logging(tmp_path / "logs")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, frozen_main.PrivateRotatingFileHandler))
    disk = handler.stream
    handler.stream = FullDisk(disk)
    logging.getLogger("palsy.records").info("lost while the disk was full")
    assert frozen_main.kept_log() is None
    handler.stream = disk
    logging.getLogger("palsy.records").info("written once space was freed")
    assert frozen_main.kept_log() == log
    assert capsys.readouterr().err.splitlines()[-1] == f"palsy: the log is being kept again: {log}"
    text = log.read_text(encoding="utf-8")
    assert "written once space was freed" in text and "lost while" not in text
    assert "log writing resumed; the records since it failed are lost" in text
