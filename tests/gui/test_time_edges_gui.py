"""The GUI's lock file and a clock that was ahead: an empty lock file dated in the future
(written while the clock was ahead, then a power cut) is stale, as an old one is."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.instance_lock import LOCK_NAME, FolderInUse, InstanceLock


def _empty_lock(folder: Path, mtime_offset: float) -> None:
    path = folder / LOCK_NAME
    path.write_bytes(b"")
    when = time.time() + mtime_offset
    os.utime(path, (when, when))


@pytest.mark.parametrize("offset", [2 * 365 * 86400.0, -120.0])
def test_an_empty_lock_dated_in_the_future_or_the_past_is_taken_over(tmp_path: Path, offset: float) -> None:
    _empty_lock(tmp_path, offset)
    lock = InstanceLock(tmp_path)
    try:
        assert lock.acquire()
    finally:
        lock.release()


def test_an_empty_lock_made_just_now_still_blocks(tmp_path: Path) -> None:
    _empty_lock(tmp_path, 10.0)  # a writer making it, or clocks a few seconds apart
    with pytest.raises(FolderInUse):
        InstanceLock(tmp_path).acquire()
