"""SIGTERM to `palsy synth` alone (`kill PID`, as `timeout` or a job scheduler sends it) stops it as
Ctrl-C does: exit 143, `palsy: interrupted`, and its worker processes end with it. They used to
stay, stuck, for good, holding the command's output open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.labels import EXPRESSIONS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to a process is POSIX")


def _rendered(out: Path) -> int:
    return sum(len(list(folder.glob("masks/*.png"))) == len(EXPRESSIONS) for folder in out.glob("syn*"))


def _descendants(pid: int) -> dict[int, str]:
    """Every process below `pid` (its workers and multiprocessing's helper), by /proc: pid -> its start time."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        started[int(entry.name)] = fields[19]
    found: dict[int, str] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = started[child]
        todo.extend(children.get(child, []))
    return found


def _still_running(processes: dict[int, str]) -> list[int]:
    """Those of `processes` still alive (the same process: a reused pid has another start time)."""
    alive = []
    for pid, start in processes.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[19] == start and fields[0] != "Z":
            alive.append(pid)
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")
def test_sigterm_stops_palsy_synth_and_its_workers(tmp_path: Path) -> None:
    out = tmp_path / "set"
    command = [sys.executable, "-m", "app", "synth", "--out", str(out), "--patients", "120", "--seed", "3",
               "--size", "32", "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    workers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 120
        while _rendered(out) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _descendants(process.pid)
        assert len(workers) >= 2, "the workers had not started"
        process.send_signal(signal.SIGTERM)  # the parent only, not its group
        _, err = process.communicate(timeout=30)  # returns only once no worker holds the output open
        deadline = time.monotonic() + 10
        while _still_running(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _still_running(workers) == []
    finally:
        for pid in [process.pid, *_still_running(workers)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        process.wait(timeout=30)
    assert process.returncode == 143, err
    assert err.strip() == "palsy: interrupted"
    assert not (out / "labels.csv").exists()
