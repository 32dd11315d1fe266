"""A first open that fails before it created anything says nothing about removing a new store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.records import Store
from app.records.errors import StorageError


def test_failed_open_that_created_nothing_does_not_warn_about_removing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Like an unwritable home folder: the data folder cannot be created at all (its parent is a
    # file, so this holds for root too), so no folder and no database was made.
    blocker = tmp_path / "home"
    blocker.write_text("not a folder")
    caplog.set_level(logging.INFO)
    with pytest.raises(StorageError):
        Store.open(blocker / "Palsy Grader")
    assert "could not remove" not in caplog.text
    assert "removed the unused new database" not in caplog.text
    assert blocker.read_text() == "not a folder"
