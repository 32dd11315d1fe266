"""A reading command (`records patients`, `drafts`, `verify`, `export`) on a version-1 or 2 data
folder reads an upgraded copy of the whole database in the system temporary folder. Killed
while it reads (kill -9, a scheduled task's time limit), it left that copy, names and dates of
birth included, there for good: the next reading command removes it once its process is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records.reading import COPY_PREFIX, remove_left_copies
from app.records.recovery import host_tag
from tests.records.test_records_migrations import _build_v1

ROOT = Path(__file__).resolve().parents[2]

KILLED_AFTER_THE_COPY = """
import os, signal, sys
import app.records.reading as reading
made = reading._upgraded_copy
def killed(*args, **kwargs):
    made(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
reading._upgraded_copy = killed
from app.cli import main
sys.exit(main(["records", "--data", sys.argv[1], "patients"]))
"""


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary folder, for this test and the commands it starts."""
    root = tmp_path / "system-temp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


@pytest.mark.skipif(os.name != "posix", reason="kill -9")
def test_the_copy_a_killed_command_left_is_removed_by_the_next_one(tmp_path: Path, temp_root: Path, capsys) -> None:
    folder = tmp_path / "v1"
    _build_v1(folder)
    env = {**os.environ, "TMPDIR": str(temp_root), "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_THE_COPY, str(folder)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    [left] = list(temp_root.iterdir())
    assert (left / "palsy.db").is_file()  # the whole database, as the audit found it

    assert main(["records", "--data", str(folder), "patients", "--json"]) == 0
    assert [p["patient_id"] for p in json.loads(capsys.readouterr().out)] == ["OLD-1", "OLD-2"]
    assert not list(temp_root.iterdir())


def test_only_copies_whose_command_may_still_run_are_kept(temp_root: Path) -> None:
    dead, host = _dead_pid(), host_tag()
    names = {
        "dead here": f"{COPY_PREFIX}{dead}-{host}-abcd1234",
        "running here": f"{COPY_PREFIX}{os.getpid()}-{host}-abcd1234",
        "another computer's, young": f"{COPY_PREFIX}{dead}-00000000-abcd1234",
        "an earlier release's, young": f"{COPY_PREFIX}y7v63nvk",
        "an earlier release's, two hours old": f"{COPY_PREFIX}q1w2e3r4",
    }
    for name in names.values():
        (temp_root / name).mkdir()
    hours_ago = time.time() - 7200
    os.utime(temp_root / names["an earlier release's, two hours old"], (hours_ago, hours_ago))
    remove_left_copies(temp_root)
    kept = {what for what, name in names.items() if (temp_root / name).exists()}
    assert kept == {"running here", "another computer's, young", "an earlier release's, young"}
