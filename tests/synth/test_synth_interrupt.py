"""Ctrl-C stops a multi-process `palsy synth` at once: the patients not yet started are
dropped (they used to be rendered first, then the set thrown away), and the interrupted set
stays visibly incomplete (no labels.csv)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.data.synthetic.dataset import write_patient_dataset
from models.labels import EXPRESSIONS

PATIENTS = 120


def _rendered(out: Path) -> int:
    """Patient folders holding all their masks (a patient's last files)."""
    return sum(len(list(folder.glob("masks/*.png"))) == len(EXPRESSIONS) for folder in out.glob("syn*"))


def test_an_interrupt_in_the_parent_drops_the_queued_patients(tmp_path: Path) -> None:
    out = tmp_path / "set"

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_patient_dataset(out, patients=PATIENTS, seed=3, size=32, workers=2, progress=interrupt)
    # the patients handed to a worker before the interrupt only (all of them, without the fix)
    assert _rendered(out) < PATIENTS // 4
    assert not (out / "labels.csv").exists()


# Run apart: a worker that took the signal stopped the set, or left it waiting for ever.
_SIGNAL_THE_WORKERS = """
import multiprocessing, os, signal, sys
from models.data.synthetic.dataset import write_patient_dataset

def interrupt_the_workers(done, total):
    if done == 1:
        for worker in multiprocessing.active_children():
            os.kill(worker.pid, signal.SIGINT)

write_patient_dataset(sys.argv[1], patients=8, seed=3, size=32, workers=2, progress=interrupt_the_workers)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="process-group signals are POSIX")
def test_the_workers_leave_ctrl_c_to_the_parent(tmp_path: Path) -> None:
    out = tmp_path / "set"
    done = subprocess.run([sys.executable, "-c", _SIGNAL_THE_WORKERS, str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert _rendered(out) == 8 and (out / "labels.csv").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="process-group signals are POSIX")
def test_ctrl_c_stops_palsy_synth_with_two_workers(tmp_path: Path) -> None:
    out = tmp_path / "set"
    command = [sys.executable, "-m", "app", "synth", "--out", str(out), "--patients", str(PATIENTS), "--seed", "3",
               "--size", "32", "--workers", "2"]
    # a session of its own: the signal goes to the whole group, as a terminal's Ctrl-C does
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _rendered(out) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err.strip() == "palsy: interrupted"  # no worker's traceback
    assert _rendered(out) < PATIENTS // 4
    assert not (out / "labels.csv").exists()
