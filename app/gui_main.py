"""Start the GUI: QApplication, settings, records store, main window (torch loads later)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from models.clutter import is_clutter
from models.errors import PalsyError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

START_FAILED = 2  # the exit status when the window does not open (as the CLI's one-line errors)

log = logging.getLogger(__name__)


class StartError(PalsyError):
    """The window could not be built; `folder` is the data folder it was opening (None when
    not known yet). The cause is chained (`__cause__`)."""

    def __init__(self, message: str, folder: Path | None = None) -> None:
        super().__init__(message)
        self.folder = folder


class StartDeclined(StartError):
    """The user chose to quit rather than have a new, empty data folder made."""


class FolderLocked(StartError):
    """Another Palsy Grader has this data folder open (`app.instance_lock`): a second window
    would offer its capture in progress as an unfinished assessment, and could discard it."""


def missing_store_reason(folder: Path, explicit: bool) -> str | None:
    """Why opening `folder` would make a new, empty store the user did not ask for, or None.

    None when the folder holds a database, or on the first run in the platform's default folder
    (not `explicit`: neither Settings nor PALSY_HOME named it) while it holds nothing (a `logs`
    folder at most). A folder named in Settings or PALSY_HOME that is missing or empty is often
    a network or removable drive that is not connected: it is never made silently. A folder
    whose database was lost beside its photos is no question: the store's refusal
    (`lost_database_error`, a StorageError) is raised, as opening it would.
    """
    from app.records.lost_database import CHOSEN_IN_THE_GUI, lost_database_error
    from app.records.paths import DB_NAME, DataLayout

    lost = lost_database_error(DataLayout.locate(folder), chosen=CHOSEN_IN_THE_GUI)
    if lost is not None:
        raise lost
    if (folder / DB_NAME).exists():
        return None
    if not folder.exists():
        return f"The data folder {folder} does not exist." if explicit else None
    if not folder.is_dir():
        return None  # opening it names the problem
    try:
        # logging may have made logs/ first; a file browser's .DS_Store or desktop.ini is no record
        names = {p.name for p in folder.iterdir() if not is_clutter(p.name)} - {"logs"}
    except OSError:
        return None  # opening it names the problem
    if not names:
        return f"The data folder {folder} is empty: it holds no Palsy Grader records." if explicit else None
    return f"The data folder {folder} holds files but no Palsy Grader database ({DB_NAME})."


@dataclass(frozen=True)
class FolderQuestion:
    """What the start asks before a new, empty data folder is made at `folder`: `reason` says
    what is wrong, `named_by` what named the folder ("settings", "PALSY_HOME", "default",
    "unread": the default as the settings file could not be read, or "chosen" at this start),
    `settings_file` where it can be corrected. `can_create` is False
    where the drive or folder above it is not there: making it re-made an unplugged drive's
    mount point on the local disk, as the Settings dialog refuses to."""

    folder: Path
    reason: str
    named_by: str
    settings_file: str
    can_create: bool


def folder_question(folder: Path, named_by: str, settings_file: str, unknown: str = "") -> FolderQuestion | None:
    """The question to ask before opening `folder`, or None. `unknown` says why the data folder
    chosen in Settings is not known (the file could not be read): the default folder is then
    treated like a chosen one ("unread"), as the records are likely elsewhere. Where the file
    names a data folder this version refuses ("refused": not a full path, mangled by hand) the
    question is asked even when the default folder holds a database: opening that one silently
    showed another set of records (an older release had opened the named folder)."""
    from app.records.paths import DB_NAME

    explicit = named_by in ("settings", "PALSY_HOME", "unread", "refused")
    reason = missing_store_reason(folder, explicit)
    if reason is None and named_by == "refused" and (folder / DB_NAME).exists():
        reason = f"The default data folder {folder} holds a Palsy Grader database, perhaps not this station's records."
    if reason is None:
        return None
    # the default folder's parents are made on a first run; only a named folder's drive is checked
    can_create = named_by in ("default", "unread", "refused") or folder.exists() or folder.parent.is_dir()
    if not can_create:
        reason += f" The drive or folder above it, {folder.parent}, is not there either (is a drive not connected?)."
    return FolderQuestion(folder, f"{unknown} {reason}".strip(), named_by, settings_file, can_create)


def question_text(question: FolderQuestion) -> str:
    """The start question's text: its reason, the advice, and what each button does."""
    from app.records.paths import DB_NAME

    held = (question.folder / DB_NAME).exists()
    # "Yes: use", not "open": the Open button is the one that chooses another folder
    yes = f"Yes: use the data folder {question.folder} as it is." if held else \
        f"Yes: create a new, empty data folder at {question.folder}."
    choices = [yes] if question.can_create else []
    choices += ["Open: choose another data folder (it is saved in Settings).", "No: quit."]
    advice = "" if question.named_by == "refused" else (
        "If the records are on a network or removable drive, choose No, connect the drive and start Palsy Grader "
        "again.\n\n")
    return f"{question.reason}\n\n{advice}" + "\n".join(choices)


def _picker_start(question: FolderQuestion) -> str:
    """Where the start's folder picker opens: the folder the question names records in (a
    relative data folder's, from the launch folder), else the one above the folder asked about."""
    from app.settings_store import RECORDS_FROM_LAUNCH

    if RECORDS_FROM_LAUNCH in question.reason:
        return str(Path.cwd())
    parent = question.folder.parent
    return str(parent) if parent.is_dir() else ""


def where_to_correct(named_by: str, settings_file: str) -> str:
    """How to correct what named the data folder. Settings cannot be opened while the window
    does not start, and PALSY_HOME is not read while Settings names a folder: the advice names
    the settings file and its line instead."""
    line = f"the line data_folder= under [clinic] in the settings file {settings_file}"
    if named_by in ("settings", "refused"):
        return f"have {line} corrected"
    if named_by == "PALSY_HOME":
        return "correct PALSY_HOME"
    if named_by == "unread":
        return (f"have the settings file {settings_file} made readable or corrected (its line data_folder= "
                "under [clinic] names the data folder)")
    if named_by == "default":
        return "set PALSY_HOME to the data folder"
    return "choose another data folder"


def declined_message(question: FolderQuestion) -> str:
    """The line the start leaves when the user quits rather than have a new folder made."""
    ways = ["connect the drive", "choose another folder (Open) at the next start"]
    if question.named_by in ("settings", "refused", "PALSY_HOME", "unread", "default"):
        ways.append(where_to_correct(question.named_by, question.settings_file))
    return (f"{question.reason} Not started, and no new database was made there: {', '.join(ways[:-1])}, "
            f"or {ways[-1]}; then start again.")


def chosen_folder_problem(path: str) -> str | None:
    """Why a folder chosen at the start cannot be the data folder (the Settings dialog's rule,
    `check_data_folder`), or None."""
    from app.settings import SettingsError, check_data_folder

    try:
        check_data_folder(path)
    except SettingsError as error:
        return str(error)
    return None


def ask_new_data_folder(question: FolderQuestion) -> Path | None:
    """Ask which data folder to open: `question.folder` made new (Yes, where it can be), another
    one chosen (Open, checked as Settings checks it), or None to quit (No)."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from app.widgets.file_dialog_history import without_folder_history
    from app.widgets.plain_text import plain_tooltip

    button = QMessageBox.StandardButton
    buttons = (button.Yes if question.can_create else button.NoButton) | button.Open | button.No
    while True:
        answer = QMessageBox.question(  # a folder named '<b>…' is shown as named, not as HTML
            None, "Palsy Grader: data folder not found", plain_tooltip(question_text(question)), buttons, button.No)
        if answer == button.Yes and question.can_create:
            return question.folder
        if answer != button.Open:
            return None
        chosen = without_folder_history(lambda: QFileDialog.getExistingDirectory(
            None, "Palsy Grader: choose the data folder", _picker_start(question)))
        problem = chosen_folder_problem(chosen) if chosen else "no folder was chosen"
        if problem is None:
            return Path(chosen)
        QMessageBox.warning(None, "Palsy Grader: data folder", plain_tooltip(f"{problem[:1].upper()}{problem[1:]}."))


def build_window(
    settings_path: str | None = None,
    data: str | None = None,
    confirm_new_folder: Callable[[FolderQuestion], Path | None] = ask_new_data_folder,
):  # noqa: ANN201 - Qt types imported lazily
    """The configured main window (not shown).

    The data folder is `data` when given (tests, benchmarks: made without asking), else the
    one in Settings, else PALSY_HOME, else the platform's folder; `confirm_new_folder` is asked
    before a new, empty one is made where Settings or PALSY_HOME named one, or where the
    settings file could not tell (StartDeclined if it answers None; another folder it answers
    is opened and saved in Settings). Another Palsy Grader holding the folder's lock is
    FolderLocked (naming its process and host). Any failure to open the store or build the
    window is a StartError naming the folder.
    """
    from app.data_folder_choice import settings_choice
    from app.instance_lock import FolderInUse
    from app.settings_store import load_settings, open_qsettings, settings_notice

    qsettings = open_qsettings(settings_path)
    settings, problems = load_settings(qsettings)
    problem = settings_notice(qsettings, problems)
    if problem:
        log.warning("%s", problem)
    folder: Path | None = None
    named_by = "given"
    made = False
    try:
        if data:
            folder = Path(data)
        else:
            choice = settings_choice(qsettings, settings)
            folder, named_by = choice.folder, choice.named_by  # named in a failure of the question itself
            folder, named_by, made = _settle_folder(folder, named_by, choice.settings_file, choice.unknown,
                                                    confirm_new_folder)
            if named_by == "chosen":
                settings = replace(settings, clinic=replace(settings.clinic, data_folder=str(folder)))
        window = _open_window(settings, qsettings, folder)
        if made:
            from app.frozen_main import start_deferred_log

            start_deferred_log()  # the bundle put off its file log until this folder existed
            log.info("new data folder made at the user's request: %s", folder)
    except StartError:
        raise
    except FolderInUse as exc:
        raise FolderLocked(str(exc), folder) from exc
    except PermissionError as exc:  # another account's private (0700) data folder
        raise StartError(unreadable_folder_message(folder, exc, named_by, qsettings.fileName()), folder) from exc
    except Exception as exc:
        from app.workers import worker_error_text

        # names the log, which holds the traceback (report_start_failure), where one is kept
        message = str(exc) if isinstance(exc, PalsyError) and str(exc) else worker_error_text(exc)
        raise StartError(message, folder) from exc
    log.info("data folder in use: %s", folder)
    upgrade = window.gateway.store.upgrade
    if upgrade:  # once, above the pages: the only other trace was a line in palsy.log
        window.set_notice("upgrade", upgrade.summary())
    if named_by == "chosen":
        problem = " ".join(filter(None, [problem, _remember_chosen(window, settings)]))
    if named_by == "settings":
        problem = " ".join(filter(None, [problem, palsy_home_not_used(folder)]))
    if problem:
        window.set_notice("settings", problem)
        window.notify(problem, 0)
    return window


def _settle_folder(folder: Path, named_by: str, settings_file: str, unknown: str,
                   confirm: Callable[[FolderQuestion], Path | None]) -> tuple[Path, str, bool]:
    """The folder to open, what named it, and whether it is to be made at the user's request:
    asked until the answer is a folder that needs no question (StartDeclined on quit)."""
    while True:
        question = folder_question(folder, named_by, settings_file, unknown)
        if question is None:
            return folder, named_by, False
        answer = confirm(question)
        if answer is None:
            raise StartDeclined(declined_message(question), folder)
        if answer == folder:
            return folder, named_by, True
        folder, named_by, unknown = answer, "chosen", ""


def palsy_home_not_used(folder: Path) -> str:
    """The notice line when PALSY_HOME names another folder than the one Settings chose and
    the window opened ("" when not): Settings comes first, and a station set up with
    PALSY_HOME otherwise ran on an old folder without a word."""
    from app.records.paths import ENV_VAR

    named = os.environ.get(ENV_VAR, "").strip()
    if not named or _same_folder(Path(named).expanduser(), folder):
        return ""
    if not Path(named).expanduser().is_absolute():  # refused wherever it would be used (records.paths)
        return (f"The data folder chosen in Settings, {folder}, is used; {ENV_VAR} is {named!r}, not a full path, "
                "which Palsy Grader refuses.")
    return (f"The data folder chosen in Settings, {folder}, is used; {ENV_VAR} names another one, {named}, "
            "which is used only while Settings names none.")


def _same_folder(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name one folder (through a link too; as written when either
    cannot be looked up)."""
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def _remember_chosen(window, settings) -> str:  # noqa: ANN001 - Qt types imported lazily
    """Save the data folder chosen at the start in Settings; the notice line when that fails
    (the folder is then used for this session only)."""
    from app.settings import SettingsError

    try:
        window.services.save_settings(settings)
    except SettingsError as error:
        return f"The data folder chosen at the start is used for this session only: {error}."
    return ""


def unreadable_folder_message(folder: Path | None, exc: PermissionError, named_by: str, settings_file: str) -> str:
    """The start-up message for a data folder this OS account may not read: the folder is
    private (0o700) to the account that made it, so a second account meets it on a shared
    PALSY_HOME or a copied folder."""
    where = folder if folder is not None else Path(exc.filename or "")
    return (f"The data folder {where} cannot be read by this user account: it belongs to another account, or "
            "its permissions do not allow this account in (a data folder is private to the account that made "
            "it). Start Palsy Grader from that account, have IT fix the folder's owner and permissions, or "
            f"{where_to_correct(named_by, settings_file)}.")


def _open_window(settings, qsettings, folder: Path):  # noqa: ANN001, ANN202 - Qt types imported lazily
    """The window over the store in `folder`, holding the folder's instance lock (released when
    the gateway closes). The lock is taken before the store opens; where the folder does not
    exist yet, just after the store has made it."""
    from app.gateway_store import open_gateway
    from app.instance_lock import InstanceLock
    from app.main_window import MainWindow, Services
    from app.settings_store import save_settings

    lock = InstanceLock(folder)
    existed = folder.is_dir()
    if existed:
        lock.acquire()  # FolderInUse: another window has it; nothing opened
    try:
        gateway = open_gateway(folder, lock=lock)
    except BaseException:
        lock.release()
        raise
    try:
        if not existed:
            lock.acquire()
        services = Services(settings=settings, gateway=gateway, save_settings=lambda s: save_settings(qsettings, s))
        return MainWindow(services)
    except BaseException:
        gateway.close()  # and the lock
        raise


def log_file() -> Path | None:
    """The file the root logger writes to (app/frozen_main.py configures it), or None; also
    None while writing it fails (a full disk: `PrivateRotatingFileHandler.failure`), so no
    message sends the user to a log that does not hold the details."""
    for handler in logging.getLogger().handlers:
        name = getattr(handler, "baseFilename", None)
        if name and name != os.devnull and not getattr(handler, "failure", None):
            return Path(name)
    return None


def report_start_failure(exc: StartError) -> None:
    """A start-up failure: logged with its traceback, one line on stderr, and a message box
    (a windowed build has no console, so the box is all a therapist sees)."""
    from PySide6.QtWidgets import QMessageBox

    from app.widgets.plain_text import plain_tooltip

    folder = str(exc.folder) if exc.folder is not None else "not known yet"
    locked = isinstance(exc, FolderLocked)  # not a fault: no traceback
    if log.hasHandlers():  # else logging's last resort would print the traceback on stderr
        log.error("the window could not open: %s (data folder: %s)", exc, folder,
                  exc_info=None if locked else exc.__cause__ or exc)
    if sys.stderr is not None:
        print(f"palsy: error: {exc}", file=sys.stderr)
    details = [f"Data folder: {folder}"]
    logged = log_file()
    if logged is not None:
        details.append(f"Log: {logged}")
    title = "Palsy Grader is already open" if locked else "Palsy Grader cannot start"
    QMessageBox.critical(None, title, plain_tooltip(f"{exc}\n\n" + "\n".join(details)))


def app_icon_path() -> Path:
    """The window and taskbar icon (scripts/make_icon.py draws it), found like every resource:
    under sys._MEIPASS in the bundle, beside the packages in a checkout."""
    from models.resources import resources_dir

    return resources_dir() / "icons" / "app.png"


def apply_app_icon(app: QApplication) -> bool:
    """Give every window of `app` the application icon; False (no icon, not an error) when the
    file is missing or unreadable."""
    from PySide6.QtGui import QIcon

    path = app_icon_path()
    icon = QIcon(str(path)) if path.is_file() else QIcon()
    if icon.isNull():
        return False
    app.setWindowIcon(icon)
    return True


def configure_runtime() -> None:
    """Hand the GIL over more often (1 ms instead of 5 ms) so the GUI thread is not kept
    waiting while the camera, quality and analysis threads run Python code."""
    sys.setswitchinterval(0.001)


def main(argv: list[str] | None = None, settings_path: str | None = None) -> int:
    """Run the application until its window closes; START_FAILED (2) when it cannot open (said
    in a message box, on stderr and in the log: among the reasons, another Palsy Grader open on
    the data folder) or the user would not have a new data folder made."""
    from PySide6.QtWidgets import QApplication

    from app.qt_binding_check import binding_fault

    configure_runtime()
    app = QApplication.instance() or QApplication(sys.argv[:1] + list(argv or []))
    app.setApplicationName("Palsy Grader")
    apply_app_icon(app)
    fault = binding_fault()
    if fault is not None:  # it would abort mid-capture; say why now, once
        report_start_failure(StartError(fault))
        return START_FAILED
    try:
        window = build_window(settings_path)
    except StartDeclined as exc:  # the user has just answered; no second box
        log.info("not started: %s", exc)  # the user has just chosen this; stderr gets the line below
        if sys.stderr is not None:
            print(f"palsy: {exc}", file=sys.stderr)
        return START_FAILED
    except StartError as exc:
        report_start_failure(exc)
        return START_FAILED
    window.show()
    return run_window(app, window)


def run_window(app: QApplication, window) -> int:  # noqa: ANN001 - Qt types imported lazily
    """Run the event loop until the window closes, then close the store; garbage is collected
    on this thread only meanwhile (app.gui_thread_gc). A SIGTERM closes the
    window as a logout does (143). Where a worker thread outlived the shutdown wait (a model
    load or a report still running), the process leaves with os._exit once the logs are
    flushed: destroying a running QThread aborts (exit 134, "QThread: Destroyed while thread
    is still running")."""
    from app.gui_thread_gc import GuiThreadCollector
    from app.main_window import stragglers_running

    terminated = watch_sigterm(app, window)
    collector = GuiThreadCollector(app)  # Qt objects in cycles are destroyed on this thread only
    try:
        code = int(app.exec())
        stop_watching_sigterm()  # no event loop runs any more to take a queued close: a SIGTERM ends at once
        window.gateway.close()
        if terminated():
            code = SIGTERM_EXIT
        running = stragglers_running()
        if running:  # the collector stays off: a straggler thread must not collect either
            log.warning("leaving with %d worker thread(s) still running (not waited for further)", running)
            leave_now(code)
        return code
    finally:
        collector.stop()


SIGTERM_EXIT = 143  # 128 + SIGTERM, as the CLI's training runs
SIGTERM_GRACE_MS = 80000  # after a SIGTERM the window has closed by then (a report's 60 s, the workers' 10 s)


def leave_now(code: int, exit_now: Callable[[int], object] = os._exit) -> None:
    """End the process at once (no interpreter teardown that would destroy running QThreads),
    the logs and standard streams flushed first."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    exit_now(code)


def stop_watching_sigterm() -> None:
    """SIGTERM back to its default (the process ends), where `watch_sigterm` installed it."""
    import signal

    if sys.platform != "win32" and hasattr(signal, "SIGTERM"):
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except ValueError:  # not the main thread: nothing was installed
            pass


def leave_at_once(window, leave: Callable[[int], object] | None = None) -> None:  # noqa: ANN001
    """A second SIGTERM: leave now, as a kill would (SQLite's journal keeps the records whole),
    noting a report still being written so that the next start says it was not saved."""
    log.warning("second SIGTERM: leaving at once")
    export_id = getattr(window, "_export_id", None)
    if export_id is not None:
        window.remember_unsaved_report(export_id)
    (leave or leave_now)(SIGTERM_EXIT)


def watch_sigterm(app: QApplication, window) -> Callable[[], bool]:  # noqa: ANN001 - Qt types imported lazily
    """On POSIX, a SIGTERM closes `window` as a logout does (no questions; a report being
    written is kept first). Python runs the handler on the main thread only between bytecodes,
    so a QTimer gives it the chance while Qt's loop runs, and the close itself is queued to the
    loop. Windows delivers no SIGTERM to GUI apps: nothing is installed there. Returns "was it
    terminated?"."""
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    received: list[int] = []
    if sys.platform == "win32" or not hasattr(signal, "SIGTERM"):
        return lambda: False

    def close_window() -> None:
        log.info("SIGTERM: closing the window as at a logout")
        window.session_ending()
        # a question open (its own event loop, maybe inside a close already running) is
        # answered "no" first: Qt ignores a close inside a close, and the process hung on it
        for _ in range(10):
            modal = QApplication.activeModalWidget()
            if modal is None:
                break
            modal.reject() if hasattr(modal, "reject") else modal.close()
        QTimer.singleShot(0, window.close)
        # whatever still holds the window open (a stuck wait): leave after the longest wait
        QTimer.singleShot(SIGTERM_GRACE_MS, lambda: leave_now(SIGTERM_EXIT) if window.isVisible() else None)

    def on_sigterm(signum: int, _frame: object) -> None:
        # only queued here: logging or leaving inside a signal handler could interrupt a write
        second = bool(received)  # decided now: the queued call runs after the append below
        QTimer.singleShot(0, (lambda: leave_at_once(window)) if second else close_window)
        received.append(signum)

    try:
        signal.signal(signal.SIGTERM, on_sigterm)
    except ValueError:  # not the main thread (embedded): leave the default
        return lambda: False
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)  # Python gets control, and runs a pending handler
    tick.start(250)
    return lambda: bool(received)
