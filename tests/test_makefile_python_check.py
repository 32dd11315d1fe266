"""The Makefile's setup with a Python that is too old says so before creating anything, and a
.venv left without its stamp (a failed try with another Python) is made afresh: a plain
`python -m venv` over it kept the old interpreter, and every later `make run` failed the same way.

Runs the real Makefile in a scratch folder with a stand-in `python` that logs what it is asked
to do (nothing is installed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# `-c CODE` runs CODE in the real Python made to report VERSION; anything else is logged. `-m venv`
# writes a stand-in .venv/bin/python that logs too.
STAND_IN = """#!/bin/sh
if [ "$1" = "-c" ]; then
    exec {python} -c "import sys; sys.version_info = ({major}, {minor}, 18, 'final', 0); sys.version = '{major}.{minor}.18 (stand-in)'
$2"
fi
echo "$0 $*" >> "{log}"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p .venv/bin && cp "$0" .venv/bin/python
fi
"""


def make_setup(tmp_path: Path, major: int, minor: int, stamp: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
    work = tmp_path / "checkout"
    work.mkdir()
    shutil.copy(ROOT / "Makefile", work)
    shutil.copy(ROOT / "pyproject.toml", work)
    log = tmp_path / "calls.log"
    python = tmp_path / "python"
    python.write_text(STAND_IN.format(python=sys.executable, major=major, minor=minor, log=log))
    python.chmod(0o755)
    (work / ".venv").mkdir()  # left by an earlier try
    if stamp:
        (work / ".venv" / ".installed").touch()
        os.utime(work / ".venv" / ".installed", (1e9, 1e9))  # older than pyproject.toml: the recipe runs again
    done = subprocess.run(["make", "setup", f"PY={python}"], cwd=work, capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return done, [call.split(" ", 1)[1] for call in calls]


def test_a_python_too_old_is_named_before_anything_is_created(tmp_path: Path) -> None:
    done, calls = make_setup(tmp_path, 3, 9)
    assert done.returncode != 0
    assert "Python 3.10+ is needed" in done.stderr and "Python 3.9.18" in done.stderr
    assert "make setup PY=python3.11" in done.stderr
    assert calls == []  # no venv, no pip


def test_a_venv_without_its_stamp_is_made_afresh(tmp_path: Path) -> None:
    done, calls = make_setup(tmp_path, 3, 11)
    assert done.returncode == 0, done.stderr
    assert calls[0] == "-m venv --clear .venv"
    assert calls[-1] == '-m pip install -q -e .[dev]'
    assert (tmp_path / "checkout" / ".venv" / ".installed").exists()


def test_a_stamped_venv_is_kept_when_only_the_project_changed(tmp_path: Path) -> None:
    done, calls = make_setup(tmp_path, 3, 11, stamp=True)
    assert done.returncode == 0, done.stderr
    assert calls[0] == "-m venv .venv"  # torch and the rest are not downloaded again


def make_run(tmp_path: Path, **env: str) -> str:
    """`make run` in a scratch checkout whose stamped .venv runs this Python on this checkout's
    code and whose `palsy` says what it was asked; what that `palsy` was asked."""
    work = tmp_path / "run"
    (work / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", work)
    shutil.copy(ROOT / "pyproject.toml", work)
    bin_dir = work / ".venv" / "bin"
    (bin_dir / "python").write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec {sys.executable} "$@"\n')
    (bin_dir / "palsy").write_text('#!/bin/sh\necho "palsy $*"\n')
    for script in ("python", "palsy"):
        (bin_dir / script).chmod(0o755)
    (work / ".venv" / ".installed").touch()  # newer than pyproject.toml: nothing is installed
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(["make", "-s", "run"], cwd=work, capture_output=True, text=True, timeout=60,
                          env={**clean, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display rule is Linux's")
@pytest.mark.parametrize("platform", ["offscreen", "minimal"])
def test_make_run_in_a_headless_shell_runs_the_demo(tmp_path: Path, platform: str) -> None:
    # a test shell's QT_QPA_PLATFORM draws nowhere: `palsy gui` there never showed nor ended
    out = make_run(tmp_path, QT_QPA_PLATFORM=platform)
    assert "palsy demo --out palsy-demo-output" in out and "palsy gui" not in out
    assert f"QT_QPA_PLATFORM={platform} draws no window" in out and "No display found" not in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display rule is Linux's")
def test_make_run_without_a_display_runs_the_demo(tmp_path: Path) -> None:
    assert "palsy demo --out palsy-demo-output" in make_run(tmp_path)
