"""The bundle tests. test_bundle.py builds the PyInstaller bundle (minutes of CPU), so it is
collected only when PALSY_BUILD_BUNDLE=1 (docs/bundle.md); the rest are fast and always run."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

collect_ignore = [] if os.environ.get("PALSY_BUILD_BUNDLE") == "1" else ["test_bundle.py"]


@pytest.fixture()
def quiet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A data home of the test's own; the excepthook and the log handlers a self-test run
    installs are taken off again."""
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    before = list(logging.getLogger().handlers)
    yield
    for handler in logging.getLogger().handlers:
        if handler not in before:
            logging.getLogger().removeHandler(handler)
            handler.close()
