"""An export takes its final name by a rename out of its hidden staging folder, and that rename
is flushed (the destination folder fsynced) before the app says "exported": a stick pulled or a
power cut right after must not leave the export under its `.partial-` name, which the next
export removes as abandoned."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.records import Store, export_folder
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from tests.records.test_records_backup import filled

# Windows flushes no folder (`fsync_dir`); macOS flushes files with F_FULLFSYNC, not os.fsync.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="records os.fsync as Linux calls it")


def _identity(path_or_fd: Path | int) -> tuple[int, int]:
    """(device, inode) of an open file descriptor or a path."""
    st = os.fstat(path_or_fd) if isinstance(path_or_fd, int) else os.stat(path_or_fd)
    return st.st_dev, st.st_ino


def test_the_destination_folder_is_flushed_after_the_final_rename(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "stick"
    events: list[tuple[str, tuple[int, int] | None]] = []
    real_fsync, real_replace = os.fsync, export_folder.replace_file

    def fsync(fd: int) -> None:
        events.append(("fsync", _identity(fd)))
        real_fsync(fd)

    def replace_file(source: Path, target: Path) -> None:
        real_replace(source, target)
        events.append(("renamed", None))

    with Store.open(tmp_path / "data") as store:
        filled(store)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(export_folder, "replace_file", replace_file)
        final = export_patient(store, "MRN-1", dest)
    monkeypatch.undo()

    assert final.parent == dest.resolve() and (final / MANIFEST).is_file()
    renamed = events.index(("renamed", None))
    assert ("fsync", _identity(dest)) in events[renamed:]
