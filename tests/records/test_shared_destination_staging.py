"""Exports and backups into a folder that several stations share: a staging folder whose PID
is not running here may be another computer's export or backup in progress, so only one that
nothing was added to for an hour is removed as a killed run's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.records import Store
from app.records.backup import backup_data_folder
from app.records.recovery import STAGING_MIN_AGE_S, left_in_a_shared_folder
from app.records.transfer import export_patient
from tests.records.records_helpers import tiny_png


def _not_running_here() -> int:
    """A PID no process here has: what another station's PID looks like on this one."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def _staging(shared: Path, name: str, *, idle_s: float = 0.0, photos_idle_s: float | None = None) -> Path:
    """A staging folder of another station's run with one photo copied, nothing added to it for
    `idle_s` seconds (to its photos/ for `photos_idle_s`, by default the same)."""
    folder = shared / f".{name}.partial-{_not_running_here()}-0123abcd"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "000001_rest_0123456789ab.png").write_bytes(b"a patient's face")
    for path, idle in ((folder / "photos", idle_s if photos_idle_s is None else photos_idle_s), (folder, idle_s)):
        then = time.time() - idle
        os.utime(path, (then, then))
    return folder


def _patient(store: Store) -> None:
    store.create_patient("MRN-1", name="Ada Lovelace")
    store.save_capture(store.start_assessment("MRN-1").id, "rest", tiny_png(1))


def test_an_export_keeps_another_stations_unfinished_export(tmp_path: Path) -> None:
    shared = tmp_path / "nas_transfer"
    running = _staging(shared, "BIG-1")  # station A copies now
    long_running = _staging(shared, "BIG-2", idle_s=3 * 3600, photos_idle_s=5)  # started hours ago, still copying
    killed = _staging(shared, "BIG-3", idle_s=2 * 3600)  # nothing added for two hours
    with Store.open(tmp_path / "data") as store:
        _patient(store)
        export_patient(store, "MRN-1", shared)
    assert running.is_dir() and long_running.is_dir()
    assert (running / "photos" / "000001_rest_0123456789ab.png").is_file()
    assert not killed.exists()


def test_a_backup_keeps_another_stations_unfinished_backup(tmp_path: Path) -> None:
    nas = tmp_path / "nas"
    running = _staging(nas, "stationA-2026-12-06")
    with Store.open(tmp_path / "data") as store:
        _patient(store)
        backup_data_folder(store, nas / "stationB-2026-12-06")
    assert (running / "photos" / "000001_rest_0123456789ab.png").is_file()
    assert sorted(p.name for p in nas.iterdir()) == sorted([running.name, "stationB-2026-12-06"])


def test_the_shared_folder_rule() -> None:
    gone = _not_running_here()
    young, old = STAGING_MIN_AGE_S / 2, STAGING_MIN_AGE_S * 2
    assert not left_in_a_shared_folder(gone, young)  # another computer's run, maybe
    assert left_in_a_shared_folder(gone, old)
    assert left_in_a_shared_folder(gone, -old)  # dated ahead: a clock that was ahead
    assert not left_in_a_shared_folder(os.getpid(), old)  # this very run
    assert left_in_a_shared_folder(os.getpid(), 2 * 86400)  # a PID reused since
