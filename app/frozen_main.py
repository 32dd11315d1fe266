"""Entry point of the bundled `PalsyGrader` executable (build.spec, DESIGN §10).

- `PalsyGrader`                 opens the GUI;
- `PalsyGrader --self-test`     headless check of the installation (app/selftest.py);
- `PalsyGrader COMMAND ...`     any `palsy` subcommand (assess, demo, info, ...);
- `PalsyGrader --version`.

Windowed builds (Windows, macOS) start with sys.stdout/sys.stderr set to None: anything that
prints would crash, so both are pointed at the log file before anything else runs. No Qt
import happens here; only the GUI command loads it.

Logs go to `<data folder>/logs` only when the data folder already exists, or for the GUI
start in the platform's folder (which the GUI makes anyway on a first run): `--help`,
`--version`, the self-test and `records check` on a mistyped PALSY_HOME create nothing, and
log to stderr only. A GUI start whose PALSY_HOME is missing defers the file log: the GUI asks
before making that folder, then calls `start_deferred_log()`. Log files are created 0600; an
uncaught exception is logged with its traceback, and a fatal fault (a crash no handler sees)
leaves every thread's stack in `fatal.log` beside the log.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TextIO

from models.errors import PalsyError

LOG_NAME = "palsy.log"
CONSOLE_LOG_NAME = "console.log"  # what a windowed build would have printed
FATAL_LOG_NAME = "fatal.log"  # Python's own report of a crash no handler sees (faulthandler)
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
CONSOLE_LOG_BYTES = LOG_BYTES  # console.log over this at start is moved to console.log.1
ROLLOVER_RETRY_S = 60.0  # after a rollover another process blocked, keep writing this long
LOG_DIR_MODE = 0o700
LOG_FILE_MODE = 0o600  # the logs name patient IDs
SELF_TEST_FLAG = "--self-test"
GUI_COMMAND = "gui"
INFO_FLAGS = ("-h", "--help", "--version")  # answered by argparse, never create anything

_deferred_log: Path | None = None  # set by main() for a GUI start whose PALSY_HOME is missing
_fatal_stream: TextIO | None = None  # kept open for faulthandler while the process lives


def log_dir() -> Path:
    """`<data folder>/logs`: PALSY_HOME, else the platform's application-data folder."""
    from app.records.paths import default_data_dir

    return default_data_dir() / "logs"


def is_gui_start(args: Sequence[str]) -> bool:
    """True for the GUI start (no arguments, or `gui`), which opens, and may make, its data folder."""
    if any(arg in INFO_FLAGS for arg in args):
        return False
    return not args or args[0] == GUI_COMMAND


def _home_named() -> bool:
    from app.records.paths import ENV_VAR

    return bool(os.environ.get(ENV_VAR, "").strip())


def file_log_dir(args: Sequence[str]) -> Path | None:
    """Where this run logs: `<data folder>/logs` when the data folder exists, or for the GUI
    start in the platform's folder (made anyway on a first run); None (stderr only) otherwise,
    so a mistyped PALSY_HOME (an unmounted drive) or a `--help` on a fresh PC creates nothing."""
    try:
        folder = log_dir()
        if folder.parent.is_dir() or (is_gui_start(args) and not _home_named()):
            return folder
    except (ImportError, OSError, RuntimeError, PalsyError):  # no home folder to name the data folder by
        pass
    return None


def start_deferred_log() -> Path | None:
    """Start the file log a GUI start deferred because PALSY_HOME named a missing folder; the
    GUI calls it once it has made that folder at the user's request. None when nothing was
    deferred (every other run, and `palsy gui` from source) or the log cannot be written."""
    global _deferred_log
    folder, _deferred_log = _deferred_log, None
    if folder is None or not folder.parent.is_dir():
        return None
    return configure_logging(folder)


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, LOG_FILE_MODE)


def _make_private(path: Path) -> None:
    """Tighten a log file to 0600 (one created by an older version, or under an odd umask)."""
    if os.name != "posix":
        return
    try:
        if path.stat().st_mode & 0o777 != LOG_FILE_MODE:
            os.chmod(path, LOG_FILE_MODE)
    except OSError:
        pass


def _make_log_folder(folder: Path) -> None:
    """`folder` (the logs) and the data folder above it, user-only when this call creates them."""
    folder.parent.mkdir(mode=LOG_DIR_MODE, parents=True, exist_ok=True)
    folder.mkdir(mode=LOG_DIR_MODE, exist_ok=True)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files (the first and each one after a rollover) are 0600,
    and whose rollover may fail without losing a record.

    On Windows a file another process holds open cannot be renamed: while the GUI has
    palsy.log open, a CLI run (`records backup`) that finds it full gets PermissionError at
    the rename. The standard handler then drops every record with a "--- Logging error ---"
    traceback on stderr. Here the rollover is skipped instead: the record goes to the current
    file (which grows past maxBytes for a while) and the rollover is tried again after
    ROLLOVER_RETRY_S.
    """

    _retry_at = 0.0  # time.monotonic() before which no rollover is tried

    def _open(self):  # -> the text stream logging writes to
        stream = open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                      opener=_private_opener)
        _make_private(Path(self.baseFilename))
        return stream

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        if time.monotonic() < self._retry_at:
            return False
        return bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        try:
            self._rotate_files()
        except OSError:  # another process has the file open (Windows): write on, try later
            self._retry_at = time.monotonic() + ROLLOVER_RETRY_S
        if not self.delay:
            self.stream = self._open()

    def _rotate_files(self) -> None:
        """palsy.log -> .1, .1 -> .2, ...; the current file is moved aside first, since that is
        the step an open handle elsewhere blocks: when it fails, no older file has moved."""
        if self.backupCount <= 0:
            return
        base = self.baseFilename
        parked = base + ".rollover"
        if os.path.exists(parked):  # a rollover killed between its renames: its records go first
            self._shift_backups()
            os.replace(parked, f"{base}.1")
        os.replace(base, parked)
        try:
            self._shift_backups()
            os.replace(parked, f"{base}.1")
        except OSError:  # an older file is held open: put the current one back, unrotated
            if not os.path.exists(base):
                os.replace(parked, base)
            raise

    def _shift_backups(self) -> None:
        """.1 -> .2 ... (the oldest, .backupCount, is replaced)."""
        base = self.baseFilename
        for index in range(self.backupCount - 1, 0, -1):
            older = f"{base}.{index}"
            if os.path.exists(older):
                os.replace(older, f"{base}.{index + 1}")


def _open_log_stream(folder: Path | None) -> TextIO:
    """An append-mode text stream on the console log (0600; moved to console.log.1 first when it
    has grown past CONSOLE_LOG_BYTES), or os.devnull when there is no usable log folder."""
    if folder is not None:
        path = folder / CONSOLE_LOG_NAME
        try:
            _make_log_folder(folder)
            if path.is_file() and path.stat().st_size > CONSOLE_LOG_BYTES:
                os.replace(path, path.with_name(CONSOLE_LOG_NAME + ".1"))
            stream = open(path, "a", encoding="utf-8", buffering=1, opener=_private_opener)
            _make_private(path)
            return stream
        except OSError:
            pass
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


def ensure_streams(folder: Path | None, want_console: bool = False) -> Path | None:
    """Give sys.stdout/sys.stderr a target when the process has none (windowed builds):
    `folder/console.log`, or os.devnull when `folder` is None (no log folder this run).

    Returns the file used for a missing stream, or None when both streams exist.
    """
    if want_console and (sys.stdout is None or sys.stderr is None):
        _attach_windows_console()
    if sys.stdout is not None and sys.stderr is not None:
        return None
    stream = _open_log_stream(folder)
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream
    return Path(stream.name)


def configure_logging(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """A rotating log file (0600) in `folder` (default: log_dir(), created if missing) and the
    uncaught-exception hook; no patient names are ever logged. None if it cannot be written."""
    try:
        folder = folder if folder is not None else log_dir()
        _make_log_folder(folder)
        handler = PrivateRotatingFileHandler(
            folder / LOG_NAME, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except (ImportError, OSError, RuntimeError, PalsyError):  # no home folder (paths.home_folder)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    install_excepthook()
    enable_fatal_log(folder)
    return folder / LOG_NAME


def enable_fatal_log(folder: Path) -> Path | None:
    """Have Python write every thread's stack to `folder/fatal.log` (0600) when the process
    dies of a fault no exception handler sees (a crash inside Qt or torch, an abort such as
    PySide6 6.12.0's "none_dealloc", app/qt_binding_check.py): palsy.log just stops then, and
    a windowed build has no console. Once per process, and not where something enabled
    faulthandler already (PYTHONFAULTHANDLER, `python -X faulthandler`, pytest): its choice
    stands. None when not enabled here, or the file cannot be written."""
    global _fatal_stream
    if _fatal_stream is not None:
        return Path(_fatal_stream.name)
    if faulthandler.is_enabled():
        return None
    try:
        stream = open(folder / FATAL_LOG_NAME, "a", encoding="utf-8", opener=_private_opener)  # noqa: SIM115 - open for life
    except OSError:
        return None
    try:
        faulthandler.enable(file=stream, all_threads=True)
    except (OSError, RuntimeError, ValueError):
        stream.close()
        return None
    _make_private(folder / FATAL_LOG_NAME)
    _fatal_stream = stream
    return folder / FATAL_LOG_NAME


def install_excepthook() -> None:
    """Log an uncaught exception with its traceback, then hand it to the previous hook (which
    prints it as before). Installed once; Ctrl-C is only passed on."""
    previous = sys.excepthook
    if getattr(previous, "palsy_logs_it", False):
        return

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            try:
                logging.getLogger("palsy").critical("uncaught exception", exc_info=(kind, exc, tb))
            except Exception:  # the traceback must still reach the previous hook
                pass
        previous(kind, exc, tb)

    hook.palsy_logs_it = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def _clean_argv(argv: Sequence[str]) -> list[str]:
    # Finder on older macOS passes a process serial number argument.
    return [arg for arg in argv if not arg.startswith("-psn_")]


def _run_self_test(args: list[str]) -> int:
    """The self-test; even a broken installation (a module missing from the bundle) gives one line."""
    try:
        from app.selftest import main as self_test_main
    except Exception as exc:  # any import failure is the answer the self-test exists to give
        print(f"PalsyGrader self-test FAILED at step 'imports': {_import_failure(exc)}", file=sys.stderr)
        return 1
    return self_test_main(args)


def _import_failure(exc: Exception) -> str:
    """What broke the imports, as IT needs it: the missing module ("No module named 'torch'") or
    file, without Python's class name or errno; anything else (a bug) keeps its class name."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    if isinstance(exc, (ImportError, OSError)):  # a loader's OSError (ctypes) has only its text
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the executable's arguments; returns the exit status."""
    args = _clean_argv(sys.argv[1:] if argv is None else argv)
    self_test = bool(args) and args[0] == SELF_TEST_FLAG
    folder = file_log_dir(args)
    global _deferred_log
    _deferred_log = log_dir() if folder is None and is_gui_start(args) and _home_named() else None
    ensure_streams(folder, want_console=self_test or bool(args))
    if getattr(sys, "frozen", False):
        import multiprocessing

        multiprocessing.freeze_support()
    if folder is not None:
        configure_logging(folder)
    if self_test:
        return _run_self_test(args[1:])
    from app.cli import main as cli_main

    return cli_main(args or ["gui"])
