"""Opening a store walks its photos as text and makes a Path only of the files crash recovery acts
on (a Path per file was most of `Store.open`'s time on a large folder: benchmarks/store.py),
and still finds exactly the files it found before: abandoned temporary files anywhere, old
unrecorded photos and reports, never a recorded one (whatever the form of its stored name),
a young one, a live writer's temporary file or the file browsers' clutter."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

import app.records.recovery as recovery
from app.records import Store
from tests.records.records_helpers import tiny_png

HOURS_AGO = time.time() - 2 * 3600
DEAD_PID = 2**22 + 12345  # above Linux's default pid_max: no such process


def _aged(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (HOURS_AGO, HOURS_AGO))
    return path


@pytest.fixture
def crashed(tmp_path: Path) -> dict[str, object]:
    """A data folder of 12 visits with photos (one recorded under a hand-edited name) and what
    crashes and file browsers leave behind."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("W-1")
        recorded = []
        for i in range(12):
            aid = store.start_assessment("W-1").id
            store.save_capture(aid, "rest", tiny_png(i))
            recorded.append(store.layout.resolve(store.get_capture(aid, "rest").file_name))
        edited = store.get_capture(aid, "rest").file_name
    conn = sqlite3.connect(data / "palsy.db")
    with conn:  # the same file, named as an older import may have stored it
        conn.execute("UPDATE captures SET file_name = ? WHERE file_name = ?", ("./" + edited.replace("/", "//", 1), edited))
    conn.close()
    for path in recorded:
        os.utime(path, (HOURS_AGO, HOURS_AGO))
    folder = recorded[0].parent
    return {
        "data": data,
        "recorded": recorded,
        "orphans": [_aged(folder / "open_mouth-crashed.png"), _aged(data / "reports" / "000001" / "r.pdf"),
                    _aged(data / "photos" / "deeper" / "still" / "x.png")],
        "temps": [_aged(folder / f".rest.png.partial-{DEAD_PID}-0a1b2c3d"),
                  _aged(data / f".palsy.db.v3.bak.partial-{DEAD_PID}-0a1b2c3d"),
                  _aged(data / "reports" / f".r.pdf.partial-{DEAD_PID}-0a1b2c3d")],
        "kept": [(folder / "young.png", (folder / "young.png").write_bytes(b"y")),
                 _aged(folder / f".rest.png.partial-{os.getpid()}-0a1b2c3d"),
                 _aged(folder / ".DS_Store"), _aged(folder / "Thumbs.db"), _aged(data / "notes.txt")],
    }


def test_recovery_acts_on_exactly_the_files_it_acted_on_before(crashed: dict) -> None:
    data: Path = crashed["data"]
    with Store.open(data) as store:
        report = store.recovery
        assert sorted(report.removed_temp_files) == sorted(crashed["temps"])
        assert sorted(src for src, _ in report.recovered_orphans) == sorted(crashed["orphans"])
        assert all(dst == data / "recovered" / src.relative_to(data) and dst.exists() for src, dst in report.recovered_orphans)
        assert all(p.exists() for p in crashed["recorded"]) and store.verify_files() == []
    young = crashed["kept"][0][0]
    assert all(p.exists() for p in [young, *crashed["kept"][1:]])


def test_opening_makes_a_path_only_of_the_files_it_acts_on(crashed: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real = recovery.Path

    def counting(*parts: object) -> Path:
        made.append(os.path.join(*map(os.fspath, parts)))
        return real(*parts)

    monkeypatch.setattr(recovery, "Path", counting)
    with Store.open(crashed["data"]) as store:
        assert len(store.recovery.removed_temp_files) + len(store.recovery.recovered_orphans) == 6
    # the files named like temporary ones (a live writer's is judged, then kept) and the unrecorded
    # ones (a young one is judged, then kept): not one per photo, nor one per folder walked
    young, live = crashed["kept"][0][0], crashed["kept"][1]
    assert sorted(made) == sorted(str(p) for p in [*crashed["temps"], live, *crashed["orphans"], young])
