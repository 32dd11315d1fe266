"""`benchmarks/gui.py --data DIR --launch-only`: the launch timed on an existing data folder
(a clinic's size) prints JSON naming the folder; a folder without a database is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.records import Store

REPO = Path(__file__).resolve().parents[2]


def _bench(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(REPO / "benchmarks" / "gui.py"), *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def test_launch_on_an_existing_data_folder(tmp_path: Path) -> None:
    with Store.open(tmp_path / "clinic") as store:
        store.create_patient("MRN-1", name="Ada Lovelace")
    proc = _bench("--data", str(tmp_path / "clinic"), "--launch-only", "--runs", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["data"] == str((tmp_path / "clinic").resolve()) and len(report["launch_runs_s"]) == 1
    assert 0 < report["launch_to_window_s"] and "gui_max_stall_ms" not in report
    assert report["targets"] == {"launch_to_window_s": 3.0}
    with Store.open(tmp_path / "clinic") as store:  # the folder was opened, not replaced
        assert [p.patient_id for p in store.search_patients("")] == ["MRN-1"]
    assert not (tmp_path / "clinic" / "palsy-gui.lock").exists()  # the window closed and let go


def test_a_folder_without_a_database_is_refused(tmp_path: Path) -> None:
    proc = _bench("--data", str(tmp_path), "--launch-only")
    assert proc.returncode == 2 and "no palsy.db there" in proc.stderr
