"""A private data folder for tests that run the bundle's entry point (`app.frozen_main`), with
the log handlers and the exception hook it adds taken off again afterwards."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def entry_point_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, create: bool) -> Iterator[Path]:
    """PALSY_HOME set to tmp_path/home (made when `create`: the entry point then logs to its
    logs/); the root logger's added handlers closed and removed after."""
    home = tmp_path / "home"
    monkeypatch.setenv("PALSY_HOME", str(home))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    if create:
        home.mkdir()
    before = list(logging.getLogger().handlers)
    try:
        yield home
    finally:
        for handler in logging.getLogger().handlers:
            if handler not in before:
                logging.getLogger().removeHandler(handler)
                handler.close()
