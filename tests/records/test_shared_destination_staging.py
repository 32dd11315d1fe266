"""Exports and backups into a folder that several stations share: a staging folder of another
computer (its name's host tag is not this one's), whose PID is not running here, may be that
computer's export or backup in progress, so only one that nothing was added to for an hour is
removed as a killed run's. So is one an earlier release made, which names no computer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.records import Store
from app.records.backup import backup_data_folder
from app.records.export_folder import export_patient
from app.records.recovery import (
    STAGING_MIN_AGE_S,
    STAGING_NAME,
    host_tag,
    left_in_a_shared_folder,
    staging_left_behind,
)
from tests.records.records_helpers import tiny_png


def _not_running_here() -> int:
    """A PID no process here has: what another station's PID looks like on this one."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    return ended.pid


def _another_station() -> str:
    """A host tag that is not this computer's."""
    return "00000000" if host_tag() != "00000000" else "11111111"


def _staging(shared: Path, name: str, *, idle_s: float = 0.0, photos_idle_s: float | None = None,
             host: str | None = "another") -> Path:
    """A staging folder of another station's run with one photo copied, nothing added to it for
    `idle_s` seconds (to its photos/ for `photos_idle_s`, by default the same). `host`: None for
    one an earlier release named no computer in."""
    tag = "" if host is None else f"-{_another_station()}"
    folder = shared / f".{name}.partial-{_not_running_here()}-0123abcd{tag}"
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


def test_an_unmarked_staging_folder_waits_the_hour(tmp_path: Path) -> None:
    # Left by an earlier release, which named no computer: it may be another station's.
    shared = tmp_path / "nas_transfer"
    young = _staging(shared, "OLD-1", host=None)
    old = _staging(shared, "OLD-2", idle_s=2 * 3600, host=None)
    with Store.open(tmp_path / "data") as store:
        _patient(store)
        export_patient(store, "MRN-1", shared)
    assert young.is_dir() and not old.exists()


def test_the_staging_rule_by_host() -> None:
    gone, young = _not_running_here(), STAGING_MIN_AGE_S / 2

    def left(host: str, pid: int) -> bool:
        name = STAGING_NAME.fullmatch(f".x.partial-{pid}-0123abcd{host}")
        assert name is not None
        return staging_left_behind(name, young)

    assert left(f"-{host_tag()}", gone)  # this computer's killed run
    assert not left(f"-{host_tag()}", os.getpid())  # this computer's live run
    assert not left(f"-{_another_station()}", gone)
    assert not left("", gone)
