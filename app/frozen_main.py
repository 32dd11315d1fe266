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
uncaught exception (on any thread) is logged with its traceback, and a fatal fault (a crash no
handler sees) leaves every thread's stack in `fatal.log` beside the log. Every line carries its
time with the UTC offset and the process id, and each process starts its log with the version,
commit and platform. A log that cannot be written is said once, in one line on stderr, and so
is its writing resuming.
"""

from __future__ import annotations

import datetime
import faulthandler
import importlib.metadata
import logging
import logging.handlers
import os
import platform
import sys
import threading
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
ROLLOVER_LOCK_SUFFIX = ".lock"  # palsy.log.lock: the process rolling the log over holds it
ROLLOVER_LOCK_STALE_S = 30.0  # a lock this old was left by a process killed mid-rollover
WINDOWS_11_BUILD = 22000  # Windows 11 still reports itself as version 10.0; its builds start here
LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"
LOG_DIR_MODE = 0o700
LOG_FILE_MODE = 0o600  # the logs name patient IDs
SELF_TEST_FLAG = "--self-test"
GUI_COMMAND = "gui"
INFO_FLAGS = ("-h", "--help", "--version")  # answered by argparse, never create anything

_deferred_log: Path | None = None  # set by main() for a GUI start whose PALSY_HOME is missing
_fatal_stream: TextIO | None = None  # kept open for faulthandler while the process lives
_no_log_reason: str | None = None  # why configure_logging could not start the log, if it failed


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
    whose rollover may fail without losing a record, which shares its file with other
    processes, and which says in one line when it cannot write.

    On Windows a file another process holds open cannot be renamed: while the GUI has
    palsy.log open, a CLI run (`records backup`) that finds it full gets PermissionError at
    the rename. The standard handler then drops every record with a "--- Logging error ---"
    traceback on stderr. Here the rollover is skipped instead: the record goes to the current
    file (which grows past maxBytes for a while) and the rollover is tried again after
    ROLLOVER_RETRY_S.

    The GUI and a CLI run write one palsy.log: after one of them rolls it over, the other's
    handle points at palsy.log.1, so each record first checks that the path still names the
    open file and reopens it if not (as logging.handlers.WatchedFileHandler does), and a
    rollover is done by one process at a time (palsy.log.lock), so two at once neither rotate
    a fresh file out early nor take a vanished file for one held open.
    """

    _retry_at = 0.0  # time.monotonic() before which no rollover is tried
    _write_failed = False  # the record being emitted could not be written (set by handleError)
    _ids_usable = True  # whether file ids tell the open file from the path's (`_follow_path`)
    failure: str | None = None  # why records are not being written, until one is again

    def _open(self):  # -> the text stream logging writes to
        stream = open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                      opener=_private_opener)
        _make_private(Path(self.baseFilename))
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        self._write_failed = False
        try:
            self._follow_path()
        except Exception:  # as logging's own emit: a log fault must not stop the program
            self.handleError(record)
            return
        super().emit(record)
        if self.failure is not None and not self._write_failed:
            self._resumed()

    def _resumed(self) -> None:
        """A record was written after writing had failed (the disk freed, the folder back): the
        log is kept again, so kept_log() names it again (Help > About, "the details are in the
        log"), and the log and stderr say which records are missing."""
        failure, self.failure = self.failure, None
        _say(f"palsy: the log is being kept again: {self.baseFilename}")
        super().emit(logging.makeLogRecord({
            "name": "palsy", "levelno": logging.WARNING, "levelname": "WARNING",
            "msg": f"log writing resumed; the records since it failed are lost: {failure}",
        }))

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A record that cannot be written (a full disk, a folder gone read-only): one line on
        stderr, once, saying the log is not being kept and why; logging's own report is 15
        lines per record with the record's arguments (patient IDs), on a full disk for every
        record. Any other fault (a message that cannot be formatted) is logging's to report."""
        self._write_failed = True
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        if self.failure is None:
            self.failure = f"{self.baseFilename} cannot be written ({_os_reason(error)})"
            _say(f"palsy: no log is being kept: {self.failure}")

    def _follow_path(self) -> bool:
        """Reopen the file when the path no longer names the open one (another process rolled it
        over, or it was deleted); True when reopened.

        Where file ids cannot be trusted (a drive whose open file and path report different
        ids, as CPython documents for some Windows network drives, or where asking fails) the
        file is not followed: reopening at every record grew one file for ever, never rolled
        over, and a failing fstat dropped records as "no log is being kept"."""
        if self.stream is None or not self._ids_usable:
            return False
        try:
            named = _file_id(self.baseFilename)
            if named == _file_id(self.stream.fileno()):
                return False
        except OSError:
            self._ids_usable = False
            return False
        stream, self.stream = self.stream, None  # type: ignore[assignment]
        stream.close()
        self.stream = self._open()
        if named is None or _file_id(self.baseFilename) != _file_id(self.stream.fileno()):
            self._ids_usable = named is None  # just opened, yet another id: ids mean nothing here
        return True

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging's name
        if time.monotonic() < self._retry_at:
            return False
        return bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        lock = self.baseFilename + ROLLOVER_LOCK_SUFFIX
        if not _take_lock(lock):  # another process is rolling it over right now: write on
            return
        try:
            if not self._follow_path():  # reopened: another process has just rolled it over
                self._roll_over()
        finally:
            _drop_lock(lock)

    def _roll_over(self) -> None:
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        try:
            self._rotate_files()
        except FileNotFoundError:  # palsy.log is gone (deleted): the next open starts a new one
            pass
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


def _file_id(file: str | int) -> tuple[int, int] | None:
    """(device, inode) of a path or an open descriptor; None for a path that does not exist."""
    try:
        info = os.stat(file) if isinstance(file, str) else os.fstat(file)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def _take_lock(lock: str) -> bool:
    """Create `lock` (O_EXCL: one process at a time); False while another process holds it. A
    lock older than ROLLOVER_LOCK_STALE_S, left by a process killed mid-rollover, is removed for
    the next try. Where no lock file can be made at all, the rollover goes on unserialised."""
    try:
        os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, LOG_FILE_MODE))
    except FileExistsError:
        try:
            if time.time() - os.stat(lock).st_mtime > ROLLOVER_LOCK_STALE_S:
                os.remove(lock)
        except OSError:  # its holder has just removed it
            pass
        return False
    except OSError:
        return True
    return True


def _drop_lock(lock: str) -> None:
    try:
        os.remove(lock)
    except OSError:  # not made (see _take_lock), or already taken over as stale
        pass


def _os_reason(error: OSError) -> str:
    """'No space left on device', not Python's '[Errno 28] ...'."""
    return error.strerror or str(error)


def _say(line: str) -> None:
    """One line on stderr, where there is one that takes it (a windowed build's console.log may
    lie on the same full disk as the log)."""
    try:
        if sys.stderr is not None:
            print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _open_log_stream(folder: Path | None) -> TextIO:
    """An append-mode text stream on the console log (0600; moved to console.log.1 first when it
    has grown past CONSOLE_LOG_BYTES), or os.devnull when there is no usable log folder."""
    if folder is not None:
        path = folder / CONSOLE_LOG_NAME
        try:
            _make_log_folder(folder)
            _set_aside_when_over(path, CONSOLE_LOG_BYTES)
            stream = open(path, "a", encoding="utf-8", buffering=1, opener=_private_opener)
            _make_private(path)
            return stream
        except OSError:
            pass
    return open(os.devnull, "w", encoding="utf-8")


def _set_aside_when_over(path: Path, limit: int) -> None:
    """Move `path` to `path.1` (replacing the previous one) once it has grown past `limit`
    bytes: a file appended to by every run stays bounded. Where the move fails (Windows, while
    a running window holds the file open) the file is appended to as it is: the failure used to
    send this run's whole output to os.devnull (a scheduled `records verify` printed nowhere)."""
    try:
        if path.is_file() and path.stat().st_size > limit:
            os.replace(path, path.with_name(path.name + ".1"))
    except OSError:
        pass


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


class IsoTimeFormatter(logging.Formatter):
    """Times as ISO 8601 local time with the UTC offset (2026-12-06T19:23:29.473+01:00), so a
    support engineer in another time zone, or a log spanning a change to summer time, can
    place every line."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return _iso_time(record.created)


def _iso_time(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc).astimezone()
    return moment.isoformat(timespec="milliseconds")


def _package_version(module: str, *distributions: str) -> str:
    """A package's version without importing it (torch takes seconds to load, and this module
    imports no Qt): the loaded module's, else its installed metadata's, else 'unknown'."""
    version = getattr(sys.modules.get(module), "__version__", None)
    if version:
        return str(version)
    for name in distributions or (module,):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def runtime_versions() -> str:
    """'Python 3.11.7, PySide6 6.11.3 (Qt 6.11.3), torch 2.14.1; Linux-6.1-x86_64-with-glibc2.36':
    what support asks for first (Qt's own version only once Qt is loaded)."""
    qt_core = sys.modules.get("PySide6.QtCore")
    qt = f" (Qt {qt_core.qVersion()})" if qt_core is not None else ""
    pyside = _package_version("PySide6", "PySide6_Essentials", "PySide6")
    return (f"Python {platform.python_version()}, PySide6 {pyside}{qt}, torch {_package_version('torch')}; "
            f"{_platform_text()}")


def _platform_text() -> str:
    """The OS and its version. On Windows from sys.getwindowsversion(): platform.platform()
    runs `cmd /c ver` there (Python 3.11), which flashes a console window over a windowed
    start, at every scheduled `records backup`."""
    if sys.platform == "win32":
        version = sys.getwindowsversion()
        name = "Windows 11" if (version.major, version.minor) == (10, 0) and version.build >= WINDOWS_11_BUILD else "Windows"
        return f"{name} {version.major}.{version.minor}.{version.build} {os.environ.get('PROCESSOR_ARCHITECTURE', '')}".rstrip()
    return platform.platform()


def start_banner() -> str:
    """The first line a process writes to its log: version, commit, pid and platform."""
    from app import version_text

    return f"palsy {version_text()} started (pid {os.getpid()}); {runtime_versions()}"


def configure_logging(folder: Path | None = None, level: int = logging.INFO) -> Path | None:
    """A rotating log file (0600) in `folder` (default: log_dir(), created if missing), started
    with start_banner(), and the uncaught-exception hooks; None if it cannot be written, which
    is said in one line on stderr (kept_log() and no_log_reason() tell callers).

    What the log holds, so IT knows before sending it to support: no patient names, birth
    dates, notes or clinicians' names, but patient IDs (MRNs), and the full paths of the files
    and folders involved, which hold a patient's name where the clinic names folders by patient.
    """
    global _no_log_reason
    try:
        folder = folder if folder is not None else log_dir()
        _make_log_folder(folder)
        handler = PrivateRotatingFileHandler(
            folder / LOG_NAME, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except (ImportError, OSError, RuntimeError, PalsyError) as exc:  # no home folder (paths.home_folder)
        reason = _os_reason(exc) if isinstance(exc, OSError) else str(exc)
        _no_log_reason = f"{folder or 'the log folder'} cannot be written ({reason})"
        _say(f"palsy: no log is being kept: {_no_log_reason}")
        return None
    handler.setFormatter(IsoTimeFormatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    install_excepthook()
    enable_fatal_log(folder)
    logging.getLogger("palsy").info("%s", start_banner())
    return folder / LOG_NAME


def _log_files() -> list[PrivateRotatingFileHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, PrivateRotatingFileHandler)]


def kept_log() -> Path | None:
    """The palsy.log this process writes, or None when no log is being kept: not configured (a
    `palsy` run from source, no data folder yet), its folder cannot be written, or writing it
    fails (a full disk) until a record is written again. Messages that would send the user to
    "the log" ask this first."""
    for handler in _log_files():
        if handler.failure is None:
            return Path(handler.baseFilename)
    return None


def no_log_reason() -> str:
    """Why kept_log() is None, in words: which file or folder cannot be written and why."""
    failures = [handler.failure for handler in _log_files() if handler.failure]
    if failures:
        return failures[0]
    return _no_log_reason or "this run keeps no log file (only the PalsyGrader executable does, once its data folder exists)"


def enable_fatal_log(folder: Path) -> Path | None:
    """Have Python write every thread's stack to `folder/fatal.log` (0600) when the process
    dies of a fault no exception handler sees (a crash inside Qt or torch, an abort such as
    PySide6 6.12.0's "none_dealloc", app/qt_binding_check.py): palsy.log just stops then, and
    a windowed build has no console. Each process first writes a dated line with its version
    and pid, so a crash's stacks can be dated and matched to a version. Once per process, and
    not where something enabled faulthandler already (PYTHONFAULTHANDLER, `python -X
    faulthandler`, pytest): its choice stands. None when not enabled here, or the file cannot
    be written.

    fatal.log is never moved aside: every process running (the GUI for its whole session)
    holds it open, and a later start that renamed it sent the GUI's stacks to fatal.log.1, or,
    renamed twice, to a deleted file (on Windows the rename failed and that start kept no fatal
    log). Every start writes its dated line (about 175 bytes: some 6,000 starts a megabyte), so
    a crash's stacks always follow the line of the process that crashed: with the start lines
    stopped past a size, a new crash read as an old process's. Delete the file while no Palsy
    Grader runs to start a new one."""
    global _fatal_stream
    if _fatal_stream is not None:
        return Path(_fatal_stream.name)
    if faulthandler.is_enabled():
        return None
    path = folder / FATAL_LOG_NAME
    try:
        stream = open(path, "a", encoding="utf-8", opener=_private_opener)  # noqa: SIM115 - open for life
    except OSError:
        return None
    try:
        _date_start(stream)
        faulthandler.enable(file=stream, all_threads=True)
    except (OSError, RuntimeError, ValueError):
        stream.close()
        return None
    _make_private(path)
    _fatal_stream = stream
    return path


def _date_start(stream: TextIO) -> None:
    """The dated start line in fatal.log: the line a crash's stacks below it belong to."""
    stream.write(f"--- {_iso_time(time.time())} {start_banner()}\n")
    stream.flush()


def install_excepthook() -> None:
    """Log an uncaught exception with its traceback, on the main thread (and Qt's slots) or on
    any other thread, then hand it to the previous hook (which prints it as before). Installed
    once; Ctrl-C and a thread's SystemExit are only passed on."""
    _hook_main_thread()
    _hook_other_threads()


def _hook_main_thread() -> None:
    previous = sys.excepthook
    if getattr(previous, "palsy_logs_it", False):
        return

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(kind, KeyboardInterrupt):
            _log_uncaught("uncaught exception", (kind, exc, tb))
        previous(kind, exc, tb)

    hook.palsy_logs_it = True  # type: ignore[attr-defined]
    sys.excepthook = hook


def _hook_other_threads() -> None:
    """threading.excepthook: a plain thread's exception never reaches sys.excepthook."""
    previous = threading.excepthook
    if getattr(previous, "palsy_logs_it", False):
        return

    def hook(args: threading.ExceptHookArgs) -> None:
        if not issubclass(args.exc_type, SystemExit):  # threading ignores it too
            name = args.thread.name if args.thread is not None else "unknown"
            _log_uncaught(f"uncaught exception in thread {name}",
                          (args.exc_type, args.exc_value, args.exc_traceback))
        previous(args)

    hook.palsy_logs_it = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def _log_uncaught(message: str, exc_info: tuple) -> None:
    try:
        logging.getLogger("palsy").critical("%s", message, exc_info=exc_info)
    except Exception:  # the traceback must still reach the previous hook
        pass


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
