"""Shared test setup: headless Qt, deterministic torch, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (CI puts it there)."""
    path = SHARED / "data"
    assert path.is_dir(), f"expected the shared data folder at {path}"
    return path
