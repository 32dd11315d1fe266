"""An export takes its final name by a rename out of its hidden staging folder, and that rename
is flushed (the destination folder fsynced) before the app says "exported": a stick pulled or a
power cut right after must not leave the export under its `.partial-` name, which the next
export removes as abandoned."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.records import Store, export_folder
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from tests.records.test_backup_flushes_its_copies import _identity, record_flushes
from tests.records.test_records_backup import filled

# Windows flushes no folder (`fsync_dir`); macOS flushes files with F_FULLFSYNC, not os.fsync.
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="records os.fsync as Linux calls it")


def test_the_destination_folder_is_flushed_after_the_final_rename(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "stick"
    with Store.open(tmp_path / "data") as store:
        filled(store)
        events = record_flushes(monkeypatch, export_folder)
        final = export_patient(store, "MRN-1", dest)
    monkeypatch.undo()

    assert final.parent == dest.resolve() and (final / MANIFEST).is_file()
    renamed = events.index(("renamed", None))
    assert ("fsync", _identity(dest)) in events[renamed:]
