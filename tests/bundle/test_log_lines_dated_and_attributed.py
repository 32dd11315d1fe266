"""Every line of palsy.log can be placed in time and attributed (app/frozen_main.py): an ISO time
with the UTC offset and the process id on each line, a first line naming the version, commit,
runtimes and platform, a dated header in fatal.log, and exceptions of plain threads logged."""

from __future__ import annotations

import logging
import os
import platform
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import app
from app import frozen_main

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) \[(\d+)\] (\w+) ([\w.]+): (.*)$")


@pytest.fixture()
def india_time(in_time_zone: Callable[[str], None]) -> None:
    """A local time zone 5 h 30 min ahead of UTC, whatever the machine's."""
    in_time_zone("IST-5:30")


def test_each_line_has_its_utc_offset_and_process_id(tmp_path: Path, quiet_home: None, india_time: None) -> None:
    log = frozen_main.configure_logging(tmp_path / "logs")
    logging.getLogger("palsy.test").warning("backup failed")
    lines = log.read_text(encoding="utf-8").splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m[1][-6:] for m in parsed} == {"+05:30"}
    assert {int(m[2]) for m in parsed} == {os.getpid()}
    assert parsed[-1].group(3, 4, 5) == ("WARNING", "palsy.test", "backup failed")


def test_the_log_starts_with_version_commit_runtimes_and_platform(tmp_path: Path, quiet_home: None) -> None:
    log = frozen_main.configure_logging(tmp_path / "logs")
    banner = LINE.match(log.read_text(encoding="utf-8").splitlines()[0])[5]
    assert banner.startswith(f"palsy {app.__version__} (commit ")
    for part in (f"pid {os.getpid()}", f"Python {platform.python_version()}", "PySide6 ", "torch ", platform.platform()):
        assert part in banner, banner
    assert "unknown" not in banner.split("; ")[1], banner  # the versions are found without importing torch


def _crash_after_configuring(logs: Path) -> None:
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom app import frozen_main\n"
        "frozen_main.configure_logging(Path(sys.argv[1]))\n"
        "os.abort()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    proc = subprocess.run([sys.executable, "-c", code, str(logs)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0


def test_fatal_log_dates_each_start(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / frozen_main.FATAL_LOG_NAME).write_text("an old crash\n", encoding="utf-8")
    _crash_after_configuring(logs)
    old, header, *stack = (logs / frozen_main.FATAL_LOG_NAME).read_text(encoding="utf-8").splitlines()
    assert old == "an old crash"
    assert re.match(r"^--- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d palsy \S+ \(commit \S+\) started \(pid \d+\); "
                    r"Python ", header), header
    assert any("Fatal Python error" in line for line in stack)


def test_a_crash_in_a_large_fatal_log_follows_its_own_start_line(tmp_path: Path) -> None:
    # never moved aside (a running GUI holds it open); start lines stopped past 1 MB, and a new
    # crash then read as the last dated process's
    logs = tmp_path / "logs"
    logs.mkdir()
    old = "--- 2026-01-01T00:00:00.000+00:00 palsy 0.1.0 (commit old) started (pid 1)\n" + "x" * 1_100_000 + "\n"
    (logs / frozen_main.FATAL_LOG_NAME).write_text(old, encoding="utf-8")
    _crash_after_configuring(logs)
    text = (logs / frozen_main.FATAL_LOG_NAME).read_text(encoding="utf-8")
    assert text.startswith(old)
    new = text[len(old):]
    assert new.startswith("--- ") and "started (pid" in new.splitlines()[0] and "Fatal Python error" in new
    assert sorted(p.name for p in logs.iterdir() if p.name.startswith("fatal")) == [frozen_main.FATAL_LOG_NAME]


def _run_thread(work) -> None:  # noqa: ANN001 - any callable
    thread = threading.Thread(target=work, name="a-plain-thread")
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_an_exception_in_a_plain_thread_is_logged_and_passed_on(monkeypatch: pytest.MonkeyPatch,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_type))
    frozen_main.install_excepthook()
    frozen_main.install_excepthook()  # once
    with caplog.at_level(logging.CRITICAL, logger="palsy"):
        _run_thread(lambda: 1 / 0)
        _run_thread(lambda: sys.exit(3))  # threading ignores SystemExit: so does the log
    assert seen == [ZeroDivisionError, SystemExit]
    logged = [r for r in caplog.records if r.name == "palsy"]
    assert [r.getMessage() for r in logged] == ["uncaught exception in thread a-plain-thread"]
    assert logged[0].exc_info[0] is ZeroDivisionError


def test_the_windows_platform_line_runs_no_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    # platform.platform() runs `cmd /c ver` on Windows (Python 3.11): a console flashed at every start
    import subprocess
    from types import SimpleNamespace

    def no_shell(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a shell was started")

    monkeypatch.setattr(subprocess, "check_output", no_shell)
    monkeypatch.setattr(frozen_main.sys, "platform", "win32")
    monkeypatch.setattr(frozen_main.sys, "getwindowsversion",
                        lambda: SimpleNamespace(major=10, minor=0, build=22631), raising=False)
    monkeypatch.setenv("PROCESSOR_ARCHITECTURE", "AMD64")
    assert frozen_main.runtime_versions().endswith("; Windows 11 10.0.22631 AMD64")  # 11 says 10.0
    monkeypatch.setattr(frozen_main.sys, "getwindowsversion",
                        lambda: SimpleNamespace(major=10, minor=0, build=19045), raising=False)
    assert frozen_main.runtime_versions().endswith("; Windows 10.0.19045 AMD64")
