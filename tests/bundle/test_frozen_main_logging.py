"""Where the bundled executable logs (app/frozen_main.py): no data folder is created just to log
(audit D5), log files are 0600 and console.log is bounded (D9, D11), uncaught exceptions reach
palsy.log (D8)."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import frozen_main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """PALSY_HOME naming a folder that does not exist yet; a 022 umask; the log handlers and
    exception hook the entry point adds are removed afterwards."""
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    before = list(logging.getLogger().handlers)
    umask = os.umask(0o022)
    try:
        yield tmp_path / "home"
    finally:
        os.umask(umask)
        for handler in logging.getLogger().handlers:
            if handler not in before:
                logging.getLogger().removeHandler(handler)
                handler.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["--self-test", "--help"], ["gui", "--help"],
                                  ["info", "--json"]])
def test_commands_create_no_data_folder(home: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = frozen_main.main(args)
    except SystemExit as exc:  # argparse's --help and --version
        status = exc.code
    assert status == 0
    assert not home.exists()
    assert capsys.readouterr().out


def test_records_check_on_a_mistyped_folder_says_there_is_none(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert frozen_main.main(["records", "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert "there is no data folder" in err and len(err.splitlines()) == 1, err
    assert not home.exists()


def test_help_creates_no_default_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A fresh PC (no PALSY_HOME): `--help` leaves the platform's application-data folder alone."""
    monkeypatch.delenv("PALSY_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "user" / "AppData"))
    with pytest.raises(SystemExit):
        frozen_main.main(["--help"])
    assert "usage" in capsys.readouterr().out
    assert not (tmp_path / "user").exists()


def test_an_existing_data_folder_gets_the_log(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home.mkdir()
    assert frozen_main.main(["info", "--json"]) == 0
    capsys.readouterr()
    logging.getLogger("palsy.test").warning("logged line")
    log = home / "logs" / frozen_main.LOG_NAME
    assert "logged line" in log.read_text(encoding="utf-8")
    assert _mode(log) == 0o600 and _mode(home / "logs") == 0o700


def _fake_gui(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    import app.cli

    calls: list[list[str]] = []
    monkeypatch.setattr(app.cli, "main", lambda argv: calls.append(list(argv)) or 0)
    return calls


def test_the_gui_start_makes_the_platform_folder_user_only(home: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """No PALSY_HOME: the GUI makes the platform's data folder anyway (first run), so its log
    goes there from the start."""
    monkeypatch.delenv("PALSY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "share"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    calls = _fake_gui(monkeypatch)
    assert frozen_main.main([]) == 0
    assert calls == [["gui"]]
    folder = frozen_main.log_dir().parent
    assert folder.parent == tmp_path / "share" or sys.platform == "darwin"
    assert (folder / "logs" / frozen_main.LOG_NAME).is_file()
    assert _mode(folder) == 0o700 and _mode(folder / "logs") == 0o700
    assert _mode(folder / "logs" / frozen_main.LOG_NAME) == 0o600
    assert frozen_main.start_deferred_log() is None


def test_the_gui_start_defers_the_log_for_a_missing_palsy_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PALSY_HOME naming a missing folder (an unmounted drive): the GUI asks before making it,
    so the entry point makes nothing; once the GUI has made it, the deferred log starts there."""
    calls = _fake_gui(monkeypatch)
    assert frozen_main.main(["gui"]) == 0
    assert calls == [["gui"]] and not home.exists()
    assert not [h for h in logging.getLogger().handlers if isinstance(h, frozen_main.PrivateRotatingFileHandler)]
    home.mkdir(mode=0o700)  # what the GUI does when the user says yes
    log = frozen_main.start_deferred_log()
    assert log == home / "logs" / frozen_main.LOG_NAME and _mode(log) == 0o600
    assert frozen_main.start_deferred_log() is None  # once


def test_other_commands_defer_nothing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert frozen_main.main(["info", "--json"]) == 0
    home.mkdir()
    assert frozen_main.start_deferred_log() is None
    assert not (home / "logs").exists()


def test_log_files_are_created_and_rotated_user_only(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    old = folder / frozen_main.LOG_NAME
    old.write_text("written by an older version\n", encoding="utf-8")
    os.chmod(old, 0o644)
    log = frozen_main.configure_logging(folder)
    assert log == old and _mode(log) == 0o600
    handler = next(h for h in logging.getLogger().handlers
                   if getattr(h, "baseFilename", None) == str(log))
    handler.doRollover()
    assert _mode(log) == 0o600 and _mode(folder / f"{frozen_main.LOG_NAME}.1") == 0o600


def _start_windowed_over_a_full_console_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A windowed start (no stdout, no stderr) whose console.log is past its limit; it prints
    "new line". Returns the log folder and console.log."""
    monkeypatch.setattr(frozen_main, "CONSOLE_LOG_BYTES", 100)
    folder = tmp_path / "logs"
    folder.mkdir()
    console = folder / frozen_main.CONSOLE_LOG_NAME
    console.write_text("old line\n" * 20, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    try:
        assert frozen_main.ensure_streams(folder) == console
        print("new line")
    finally:
        sys.stdout.close()
    return folder, console


def test_console_log_is_user_only_and_bounded(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windowed builds: console.log past its limit at start moves to console.log.1 (one kept)."""
    folder, console = _start_windowed_over_a_full_console_log(tmp_path, monkeypatch)
    assert console.read_text(encoding="utf-8") == "new line\n"
    assert (folder / f"{frozen_main.CONSOLE_LOG_NAME}.1").read_text(encoding="utf-8") == "old line\n" * 20
    assert _mode(console) == 0o600


def test_console_log_held_open_elsewhere_is_appended_to(tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows cannot move console.log while a running window holds it: this run's output went
    to os.devnull (a scheduled windowed `records verify` printed nowhere)."""

    def held_open(src, dst):  # noqa: ANN001, ANN202 - os.replace's arguments
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(frozen_main.os, "replace", held_open)
    _folder, console = _start_windowed_over_a_full_console_log(tmp_path, monkeypatch)
    assert console.read_text(encoding="utf-8") == "old line\n" * 20 + "new line\n"


def test_windowed_run_without_a_data_folder_writes_nowhere(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    try:
        assert frozen_main.main(["info", "--json"]) == 0
        assert sys.stdout.name == os.devnull
    finally:
        sys.stdout.close()
    assert not home.exists()


def test_uncaught_exception_is_logged_and_still_printed(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom app.frozen_main import configure_logging\n"
        "configure_logging(Path(sys.argv[1]))\n"
        "raise RuntimeError('boom 42')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "logs")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "RuntimeError: boom 42" in proc.stderr
    log = (tmp_path / "logs" / frozen_main.LOG_NAME).read_text(encoding="utf-8")
    assert "CRITICAL palsy: uncaught exception" in log
    assert "Traceback" in log and "RuntimeError: boom 42" in log


def test_exception_hook_is_installed_once_and_passes_on(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: seen.append(kind))
    frozen_main.install_excepthook()
    frozen_main.install_excepthook()
    with caplog.at_level(logging.CRITICAL, logger="palsy"):
        sys.excepthook(ValueError, ValueError("bad"), None)
        sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert seen == [ValueError, KeyboardInterrupt]
    assert [r.getMessage() for r in caplog.records] == ["uncaught exception"]

@pytest.mark.parametrize("fault", ["abort", "segfault"])
def test_a_fatal_fault_leaves_every_threads_stack_in_fatal_log(tmp_path: Path, fault: str) -> None:
    """A crash no exception handler sees (PySide6 6.12.0's none_dealloc abort, a segfault in a
    library): palsy.log just stops, so Python's faulthandler writes the stacks to fatal.log (0600)."""
    crash = "os.abort()" if fault == "abort" else "import ctypes; ctypes.string_at(0)"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from app.frozen_main import configure_logging\n"
        "configure_logging(Path(sys.argv[1]))\n"
        "def crashing_here():\n"
        f"    {crash}\n"
        "crashing_here()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONFAULTHANDLER"}
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "logs")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    fatal = tmp_path / "logs" / frozen_main.FATAL_LOG_NAME
    text = fatal.read_text(encoding="utf-8")
    assert "Fatal Python error" in text and "crashing_here" in text
    assert os.name != "posix" or _mode(fatal) == 0o600


def test_fatal_log_leaves_a_faulthandler_someone_enabled_alone(tmp_path: Path) -> None:
    code = (
        "import faulthandler, sys\n"
        "from pathlib import Path\n"
        "from app.frozen_main import enable_fatal_log\n"
        "print(enable_fatal_log(Path(sys.argv[1])))\n"
    )
    proc = subprocess.run([sys.executable, "-X", "faulthandler", "-c", code, str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "None"
    assert not (tmp_path / frozen_main.FATAL_LOG_NAME).exists()
