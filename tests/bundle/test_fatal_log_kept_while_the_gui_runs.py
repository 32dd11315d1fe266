"""A running GUI holds fatal.log open for its whole session (faulthandler): a later start (the
nightly `records backup`) finding the file over its limit moved it to fatal.log.1, so the GUI's
crash stacks went there, and after a second such start to a deleted file, leaving no trace of the
crash (app/frozen_main.py `enable_fatal_log`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app import frozen_main

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0

GUI = (
    "import faulthandler, os, sys, time\nfrom pathlib import Path\nfrom app.frozen_main import enable_fatal_log\n"
    "logs = Path(sys.argv[1])\nenable_fatal_log(logs)\n(logs.parent / 'ready').touch()\n"
    "while not (logs.parent / 'go').exists():\n    time.sleep(0.05)\n"
    "faulthandler._sigsegv()\n"
)
CLI = "import sys\nfrom pathlib import Path\nfrom app.frozen_main import enable_fatal_log\nprint(enable_fatal_log(Path(sys.argv[1])))\n"


def _python(code: str, logs: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    return subprocess.Popen([sys.executable, "-c", code, str(logs)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def test_later_starts_leave_the_gui_s_fatal_log_in_place_and_keep_their_own(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    fatal = logs / frozen_main.FATAL_LOG_NAME
    gui = _python(GUI, logs)
    try:
        _wait_for(tmp_path / "ready")
        held = fatal.stat().st_ino
        for _ in range(2):  # two later starts, each finding fatal.log past a megabyte
            with fatal.open("a", encoding="utf-8") as padding:
                padding.write("x" * 1_100_000 + "\n")
            size = fatal.stat().st_size
            cli = _python(CLI, logs)
            out, err = cli.communicate(timeout=WAIT_S)
            assert (cli.returncode, out.strip()) == (0, str(fatal)), err  # the later start has its fatal log
            assert fatal.stat().st_ino == held  # still the file the GUI writes to
            assert fatal.read_text(encoding="utf-8")[size:].startswith("--- ")  # with its own start line
        (tmp_path / "go").touch()
        gui.communicate(timeout=WAIT_S)
    finally:
        gui.kill()
    assert gui.returncode != 0
    assert "Fatal Python error" in fatal.read_text(encoding="utf-8")
    assert sorted(p.name for p in logs.iterdir()) == [frozen_main.FATAL_LOG_NAME]
