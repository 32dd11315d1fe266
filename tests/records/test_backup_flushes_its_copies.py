"""`palsy records backup` flushes what it copied to the disk before the copy takes its final
name: a power cut or a USB stick pulled right after "backed up" must not leave a backup whose
database names empty or truncated photos. Then the rename itself is flushed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from app.records import Store, backup
from app.records.backup import backup_data_folder
from tests.records.test_records_backup import filled

# Windows flushes no folder (`fsync_dir`); macOS flushes files with F_FULLFSYNC, not os.fsync.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="records os.fsync as Linux calls it")


def _identity(path_or_fd: Path | int) -> tuple[int, int]:
    """(device, inode): the same file or folder before and after a rename."""
    st = os.fstat(path_or_fd) if isinstance(path_or_fd, int) else os.stat(path_or_fd)
    return st.st_dev, st.st_ino


def record_flushes(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[tuple[str, tuple[int, int] | None]]:
    """From now on, each os.fsync as ("fsync", the file's identity) and each of `module`'s
    `replace_file` renames as ("renamed", None), in the order they happen."""
    events: list[tuple[str, tuple[int, int] | None]] = []
    real_fsync, real_replace = os.fsync, module.replace_file

    def fsync(fd: int) -> None:
        events.append(("fsync", _identity(fd)))
        real_fsync(fd)

    def replace_file(source: Path, target: Path) -> None:
        real_replace(source, target)
        events.append(("renamed", None))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(module, "replace_file", replace_file)
    return events


def test_every_copied_file_and_folder_is_flushed_before_the_backup_takes_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    with Store.open(data) as store:
        filled(store)
        events = record_flushes(monkeypatch, backup)
        backup_data_folder(store, out)
    monkeypatch.undo()

    renamed = events.index(("renamed", None))
    before = {key for _, key in events[:renamed]}
    copied = [p for p in out.rglob("*") if p.is_file()]
    assert {p.relative_to(out).parts[0] for p in copied} == {"palsy.db", "photos", "reports"}
    visits = {p.parent for p in copied if p.parent not in (out, out / "photos", out / "reports")}
    assert visits  # each assessment's folder of photos / reports
    for path in [*copied, *visits, out, out / "photos", out / "reports"]:
        assert _identity(path) in before, path.relative_to(tmp_path)
    assert ("fsync", _identity(tmp_path)) in events[renamed:]  # the new name itself
