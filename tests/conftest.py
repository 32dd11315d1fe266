"""Shared test setup: headless Qt, deterministic torch, the shared data folder."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the user's own settings file is never read or written by a test: it may name a real data
# folder, which the `palsy records` commands follow (as the window does) when --data is not given
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="palsy-tests-config-")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _torch_threads_restored() -> object:
    """The app sets torch's thread count process-wide (a core kept for the GUI, `--threads`):
    put it back after each test, so later tests do not run single-threaded by accident."""
    import sys

    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    yield
    torch = sys.modules.get("torch")
    if torch is not None and before is not None and torch.get_num_threads() != before:
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (CI puts it there)."""
    path = SHARED / "data"
    assert path.is_dir(), f"expected the shared data folder at {path}"
    return path


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files `models.resources.sha256_of` hashes from now on (weights_info,
    is_demo_weights and Settings all hash through it)."""
    import models.resources as resources

    seen: list[str] = []
    real = resources.sha256_of

    def counting(path: str | os.PathLike) -> str:
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(resources, "sha256_of", counting)
    return seen


@pytest.fixture
def in_time_zone() -> Iterator[Callable[[str], None]]:
    """Sets the process's local time zone for the test (`in_time_zone("Pacific/Auckland")`: TZ
    and time.tzset); the runner's own zone comes back after it."""
    before = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    try:
        yield set_zone
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
