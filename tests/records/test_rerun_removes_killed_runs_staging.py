"""A backup or an export killed on this computer and run again at once: the killed run's hidden
staging folder (a partial database copy, patient photos) is removed by the rerun, as its
process is gone, and does not stay inside the finished backup or beside the export."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.records import Store
from app.records.backup import backup_data_folder
from app.records.export_folder import export_patient
from app.records.recovery import host_tag
from tests.records.records_helpers import tiny_png


def _killed_runs_staging(where: Path, name: str) -> Path:
    """The staging folder a run on this computer, killed a moment ago, left in `where`."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    folder = where / f".{name}.partial-{ended.pid}-deadbeef-{host_tag()}"
    (folder / "photos" / "000001").mkdir(parents=True)
    (folder / "photos" / "000001" / "000001_rest_0123456789ab.png").write_bytes(b"a patient's face")
    (folder / "palsy.db").write_bytes(b"partial copy")
    return folder


def _store(folder: Path) -> Store:
    store = Store.open(folder)
    store.create_patient("MRN-1", name="Ada Lovelace")
    store.save_capture(store.start_assessment("MRN-1").id, "rest", tiny_png(1))
    return store


def test_a_backup_rerun_into_an_empty_stick_removes_the_killed_runs_staging(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    killed = _killed_runs_staging(stick, "stick")
    with _store(tmp_path / "data") as store:
        backup_data_folder(store, stick)
    assert not killed.exists()
    assert sorted(p.name for p in stick.iterdir()) == ["palsy.db", "photos", "reports"]


def test_an_export_rerun_removes_the_killed_runs_staging(tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    killed = _killed_runs_staging(usb, "MRN-1")
    with _store(tmp_path / "data") as store:
        export_patient(store, "MRN-1", usb)
    assert not killed.exists()
    assert sorted(p.name for p in usb.iterdir()) == ["MRN-1"]
