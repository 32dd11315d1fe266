"""Entry point of the bundled `PalsyGrader` executable (build.spec, DESIGN §10).

- `PalsyGrader`                 opens the GUI;
- `PalsyGrader --self-test`     headless check of the installation (app/selftest.py);
- `PalsyGrader COMMAND ...`     any `palsy` subcommand (assess, demo, info, ...);
- `PalsyGrader --version`.

Windowed builds (Windows, macOS) start with sys.stdout/sys.stderr set to None: anything that
prints would crash, so both are pointed at the log file before anything else runs. No Qt
import happens here; only the GUI command loads it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

LOG_NAME = "palsy.log"
CONSOLE_LOG_NAME = "console.log"  # what a windowed build would have printed
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
SELF_TEST_FLAG = "--self-test"


def log_dir() -> Path:
    """`<data folder>/logs`: PALSY_HOME, else the platform's application-data folder."""
    from app.records.paths import default_data_dir

    return default_data_dir() / "logs"


def _open_log_stream(folder: Path) -> TextIO:
    """An append-mode text stream on the console log, or os.devnull when the folder is unusable."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return open(folder / CONSOLE_LOG_NAME, "a", encoding="utf-8", buffering=1)
    except OSError:
        return open(os.devnull, "w", encoding="utf-8")


def _attach_windows_console() -> None:
    """Windows: a windowed exe started from a console writes to that console (for --self-test)."""
    if sys.platform != "win32":
        return
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            sys.stdout = open("CONOUT$", "w", encoding="utf-8", buffering=1)
            sys.stderr = open("CONOUT$", "w", encoding="utf-8", buffering=1)
    except (AttributeError, OSError):
        pass


def ensure_streams(folder: Path | None = None, want_console: bool = False) -> Path | None:
    """Give sys.stdout/sys.stderr a target when the process has none (windowed builds).

    Returns the log file used for a missing stream, or None when both streams exist.
    """
    if want_console and (sys.stdout is None or sys.stderr is None):
        _attach_windows_console()
    if sys.stdout is not None and sys.stderr is not None:
        return None
    folder = folder if folder is not None else _safe_log_dir()
    stream = _open_log_stream(folder)
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream
    return folder / CONSOLE_LOG_NAME


def _safe_log_dir() -> Path:
    """log_dir(), or the temporary folder when even the data folder cannot be named."""
    try:
        return log_dir()
    except (ImportError, OSError, RuntimeError):
        import tempfile

        return Path(tempfile.gettempdir()) / "PalsyGrader-logs"


def configure_logging(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """A rotating log file in the logs folder (no patient names are ever logged); None if unwritable."""
    folder = folder if folder is not None else _safe_log_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_NAME, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return folder / LOG_NAME


def _clean_argv(argv: Sequence[str]) -> list[str]:
    # Finder on older macOS passes a process serial number argument.
    return [arg for arg in argv if not arg.startswith("-psn_")]


def _run_self_test(args: list[str]) -> int:
    """The self-test; even a broken installation (a module missing from the bundle) gives one line."""
    try:
        from app.selftest import main as self_test_main
    except Exception as exc:  # any import failure is the answer the self-test exists to give
        print(f"PalsyGrader self-test FAILED at step 'imports': {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return self_test_main(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the executable's arguments; returns the exit status."""
    args = _clean_argv(sys.argv[1:] if argv is None else argv)
    self_test = bool(args) and args[0] == SELF_TEST_FLAG
    ensure_streams(want_console=self_test or bool(args))
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    configure_logging()
    if self_test:
        return _run_self_test(args[1:])
    from app.cli import main as cli_main

    return cli_main(args or ["gui"])
