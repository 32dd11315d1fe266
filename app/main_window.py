"""The main window: patient list, capture wizard, results and review, history; menus,
shortcuts, status bar (with the data folder in use), the demonstration-model banner and the
notice of settings problems and changes awaiting a restart.

It only wires pages together. Headless work (model loading, analysis, report export)
runs through `FunctionWorker`s on QThreads; the camera has its own thread.

The flows are mixins, one module each: `window_actions` (menus, shortcuts),
`window_model` (model loading, banner), `window_assessment` (new or resumed draft, capture),
`window_analysis` (analyse, progress, cancel, results), `window_report` (review, PDF export)
and `window_history` (history, read-only reopening). This module keeps construction, the
worker-thread bookkeeping (`_run`), patients, settings and shutdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop, QSize, Qt, QThread, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import analysis as analysis_module
from app.camera.source import FrameSource
from app.export import STAGING_DIR, render_pdf
from app.instance_lock import folder_in_use
from app.local_time import local_date
from app.pages.capture import CapturePage
from app.pages.capture_logic import CaptureSession
from app.pages.history import HistoryPage, ask_entered_in_error
from app.pages.patient import PatientPage
from app.pages.patient_label import PatientLabel, born
from app.pages.results import ResultsPage
from app.pages.results_logic import leave_unconfirmed_text
from app.records.recovery import RECOVERED_DIR
from app.records_gateway import RecordsGateway
from app.settings import CameraSettings, Settings, SettingsError, resolve_data_folder
from app.widgets.announce import announce
from app.widgets.ask import ask_choice, ask_yes_no
from app.widgets.elided_label import ElidedLabel
from app.widgets.page_stack import PageStack
from app.widgets.plain_text import plain, plain_tooltip
from app.widgets.screen_fit import opening_size
from app.widgets.status_bar import StatusBar
from app.window_actions import WindowActionsMixin
from app.window_analysis import WindowAnalysisMixin
from app.window_assessment import WindowAssessmentMixin
from app.window_history import WindowHistoryMixin
from app.window_model import DEMO_BANNER, RED_BANNER_CSS, WindowModelMixin
from app.window_report import UNSAVED_REPORT, WindowReportMixin, note_unsaved_report, report_stands
from app.workers import FunctionWorker, retire_worker, start_worker

log = logging.getLogger(__name__)

FRESH_MESSAGE_S = 1.0  # a status message this young came with the page change: it stays
SHUTDOWN_WAIT_MS = 10000  # how long shutdown waits for the cancelled workers, all together
_STRAGGLERS: list = []  # (thread, worker) still running after that wait: never deleted while running
UPGRADE_NOTICE = "upgrade"  # the records upgraded at this start: information only
# notice lines that are information only, and may be dismissed; every other line (a photo or a
# report not saved, a settings file not read, a data folder from the next start, the clock) is
# one to act on or that stands until it is dealt with
INFO_NOTICES = frozenset({UPGRADE_NOTICE})
CAPTURE_NOTICE = "capture"  # the key of a photo's save failure in the notice above the pages
# the key of the shown assessment's photos that did not reach the record, while they stand
# (`CapturePage.unsaved_changed`): the line goes once each is taken again and saved
UNSAVED_PHOTOS_NOTICE = "capture_unsaved"
OPENING_SIZE = QSize(1360, 860)  # the window asked for where the screen is not much larger
OPENING_SHARE = 0.85  # of a larger screen's room: at 1360x860 on 1920x1080 the results page scrolled


def opening_request(screen: QScreen | None) -> tuple[int, int]:
    """The size the window asks for at opening: OPENING_SIZE, or OPENING_SHARE of the screen's
    available area where that is larger (`opening_size` then fits it to the screen)."""
    if screen is None:
        return OPENING_SIZE.width(), OPENING_SIZE.height()
    room = screen.availableGeometry().size()
    return (max(OPENING_SIZE.width(), int(room.width() * OPENING_SHARE)),
            max(OPENING_SIZE.height(), int(room.height() * OPENING_SHARE)))

def stragglers_running() -> int:
    """How many worker threads outlived the shutdown wait and still run (the process must then
    end without destroying them: `gui_main` leaves with os._exit)."""
    return sum(1 for thread, _worker in _STRAGGLERS if shiboken6.isValid(thread) and thread.isRunning())


@dataclass
class Services:
    """What the window needs from the outside world; tests replace parts of it."""

    settings: Settings
    gateway: RecordsGateway
    source_factory: Callable[[], FrameSource] | None = None
    load_model: Callable[[str, str, bool], Any] = analysis_module.load_model
    analyse: Callable[..., Any] = analysis_module.run_analysis
    render_report: Callable[..., bytes] | None = render_pdf
    save_settings: Callable[[Settings], None] | None = None
    ask: Callable[[Any, str, str], bool] = ask_yes_no  # (parent, title, text) -> Yes?
    # (parent, title, text, choices) -> the choice, None for Cancel; the first is the default
    choose: Callable[[Any, str, str, tuple[str, ...]], str | None] = ask_choice
    # (parent, title, question) -> the reason a visit was entered in error, None to keep it
    ask_reason: Callable[[Any, str, str], str | None] = ask_entered_in_error
    extra: dict = field(default_factory=dict)


class MainWindow(
    WindowActionsMixin,
    WindowModelMixin,
    WindowAssessmentMixin,
    WindowAnalysisMixin,
    WindowReportMixin,
    WindowHistoryMixin,
    QMainWindow,
):
    """Palsy Grader's window."""

    def __init__(self, services: Services, load_model_on_show: bool = True) -> None:
        super().__init__()
        self.services = services
        self.gateway = services.gateway
        self.settings = services.settings
        self.model_handle: Any = None
        self.model_error = ""
        self.session: CaptureSession | None = None
        self.patient_id: str | None = None
        self.assessment_id: int | None = None
        self.result: Any = None
        self.last_report: Path | None = None
        self._export_id: int | None = None
        self._export_thread = None  # the QThread writing it
        self._export_snapshot: Any = None  # the record the report being written shows
        self._export_label: str | None = None  # whose report it is, for the messages
        self._overlay_model: tuple[int, str | None] | None = None  # (assessment, weights that recomputed its overlays)
        self._closing = False  # shutdown is waiting for workers: a second close is ignored
        self._given_up: QThread | None = None  # the report's thread, still running after closing waited for it
        self._reopen_id: int | None = None  # the reopened assessment whose overlays are being recomputed
        self._analysed_id: int | None = None
        self._analysed_patient: str | None = None
        self._closed = False  # results arriving after shutdown are dropped
        self._quit_requested = False  # set while the app's own Quit (Ctrl+Q, File > Quit) closes the window
        self._session_ending = False  # set by a logout or shutdown: close without questions
        self._threads: list[tuple[QThread, FunctionWorker]] = []  # running, or ended and not yet retired
        self._analysis_worker: FunctionWorker | None = None
        self._load_model_on_show = load_model_on_show
        self._shown_once = False
        self._focus_next: QWidget | None = None  # where the keyboard goes on the next page instead of its start
        self.setWindowTitle("Palsy Grader")

        self.banner = plain(QLabel(DEMO_BANNER))
        self.banner.setObjectName("demoBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(RED_BANNER_CSS)
        self.banner.hide()
        # what the user must know until it is dealt with (a settings file with keys not used, a
        # data folder that takes effect at the next start): never replaced by the model's banner
        self.notice = plain(QLabel())  # notices name folders and files
        self.notice.setObjectName("settingsNotice")
        self.notice.setWordWrap(True)
        # a Tab stop, read and copied by keyboard too (it was reachable by mouse only)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.notice.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.notice.setAccessibleName("Notice")
        self.notice.setStyleSheet("#settingsNotice { background: transparent; color: #4d3800; padding: 6px 10px; }")
        self.notice.hide()
        # an information-only line (INFO_NOTICES: the upgrade said once) may be dismissed; one to
        # act on (a report not saved) stays until it is dealt with
        self.notice_dismiss = QToolButton()
        self.notice_dismiss.setObjectName("noticeDismiss")
        self.notice_dismiss.setText("\u00d7")
        self.notice_dismiss.setToolTip("Dismiss the information in this notice (it stays in View \u2192 Recent messages)")
        self.notice_dismiss.setAccessibleName("Dismiss notice")
        self.notice_dismiss.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.notice_dismiss.setAutoRaise(True)
        self.notice_dismiss.clicked.connect(self.dismiss_notices)
        self.notice_dismiss.hide()
        self.notice_box = QFrame()
        self.notice_box.setObjectName("noticeBox")
        self.notice_box.setStyleSheet("#noticeBox { background: #fcf3cf; border: 1px solid #d4ac0d; } "
                                      "#noticeDismiss { color: #4d3800; font-weight: bold; padding: 0 6px; }")
        notice_row = QHBoxLayout(self.notice_box)
        notice_row.setContentsMargins(0, 0, 2, 0)
        notice_row.setSpacing(0)
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.notice_dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.notice_box.hide()
        self._notices: dict[str, str] = {}
        self._dismissed: set[tuple[str, str]] = set()  # (key, text) dismissed this session
        self._unsaved_reports: dict[int, str] = {}  # reports lost at the last close -> their visit

        self.patients = PatientPage(self.gateway)
        self.capture = CapturePage()
        self.results = ResultsPage()
        self.history = HistoryPage()
        self.stack = PageStack()  # each page scrolls on a screen smaller than it needs
        for page in (self.patients, self.capture, self.results, self.history):
            self.stack.add_page(page)
        self.stack.currentChanged.connect(self._page_changed)
        self.stack.currentChanged.connect(self._capture_page_left)
        # a page grown past the window after its page change (the capture page's checks shown)
        self.stack.page_too_narrow.connect(lambda: QTimer.singleShot(0, self, self.fit_width_to_page))

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.notice_box)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # as wide as the widest page where the screen has room (the capture page scrolled sideways at 150 %)
        self.resize(opening_size(self.screen(), *opening_request(self.screen()), at_least=QSize(self._widest_page(), 0)))
        self._opening_size = self.size()  # a size the user chose is never changed (fit_width_to_page)

        self.device_label = plain(QLabel("device: \u2013"))
        self.model_label = plain(QLabel("model: loading\u2026"))
        # the data folder and the source give way to a message (shortened in the middle,
        # in full in their tooltips): the message is what the user must read now
        self.source_label = ElidedLabel("", mode=Qt.TextElideMode.ElideMiddle)
        self.data_label = ElidedLabel("", mode=Qt.TextElideMode.ElideMiddle)
        self._show_data_folder(Path(self.gateway.folder))
        bar = StatusBar()
        self.setStatusBar(bar)
        bar.add_label(self.data_label, gives_way=True)
        bar.add_label(self.source_label, gives_way=True)
        bar.add_label(self.model_label)
        bar.add_label(self.device_label)

        self._build_actions()
        self._connect_pages()
        self.keep_reviews_in_data_folder()  # a review typed but not confirmed outlives a crash
        self.show_offered_draft()
        recovered = self.gateway.recovered_files()
        if recovered:
            self.notify(
                f"{len(recovered)} photo(s) from an interrupted session were never recorded; "
                f"they were kept in {self.gateway.folder / RECOVERED_DIR}",
                30000,
            )
        self._say_unsaved_report()
        self._page_changed(0)
        app = QGuiApplication.instance()
        if app is not None:  # logout or shutdown: close without asking (see `closeEvent`)
            app.commitDataRequest.connect(self.session_ending)
        self._focus_hooked = isinstance(app, QApplication)
        if self._focus_hooked:  # the focused control is scrolled into view (a large font)
            app.focusChanged.connect(self._focus_moved)

    # -- construction ---------------------------------------------------------------------
    def _widest_page(self) -> int:
        """The window width that shows every page without sideways scrolling."""
        return max(self._width_for(page) for page in (self.patients, self.capture, self.results, self.history))

    def _width_for(self, page: QWidget) -> int:
        """The window width that shows `page` without sideways scrolling: its minimum, with the
        margins, the scroll area's frame and a vertical scroll bar beside it."""
        page_width = page.minimumSizeHint().expandedTo(page.minimumSize()).width()
        area = QStackedWidget.widget(self.stack, 0)  # a page's scroll area (PageStack.widget gives the page)
        frame = 2 * area.frameWidth() if isinstance(area, QFrame) else 0
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        margins = self.centralWidget().layout().contentsMargins()
        return page_width + frame + bar + margins.left() + margins.right()

    def fit_width_to_page(self) -> None:
        """The window grown to the page on show where it is wider than it was at opening (the
        capture page's grows with its content) and the screen has room; never once the user
        sized the window (or maximised it): their size stays."""
        full = Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen
        if self._closed or self.size() != self._opening_size or self.windowState() & full:
            return
        screen = self.screen()
        if screen is None:
            return
        room = screen.availableGeometry()
        frame = self.frameGeometry().width() - self.width()  # the window system's border
        width = min(self._width_for(self.stack.currentWidget()), room.width() - frame)
        if width <= self.width():
            return
        self.resize(width, self.height())
        self._opening_size = self.size()
        if self.frameGeometry().right() > room.right():  # kept on the screen
            self.move(max(room.left(), room.right() - self.frameGeometry().width() + 1), self.y())

    def _connect_pages(self) -> None:
        self.patients.start_assessment.connect(self.start_assessment)
        self.patients.open_history.connect(self.show_history)
        self.patients.resume_requested.connect(self.resume_assessment)
        self.patients.discard_requested.connect(self.discard_assessment)
        self.patients.review_requested.connect(self.review_offered)  # as the history opens it, if still awaiting
        self.history.withdraw_requested.connect(self.withdraw_visit)
        self.capture.analyse_requested.connect(self.start_analysis)
        self.capture.cancel_requested.connect(self.cancel_analysis)
        self.capture.notify.connect(self.notify)
        # a photo that did not reach the record is said whole above the pages (an elided
        # status-bar line went after 8 s): the shown assessment's until it is taken again and
        # saved (the line said "take it again" of a photo on record), another's or a retake's
        # until the capture page is left or Analyse is pressed
        self.capture.save_failed.connect(lambda message: self.set_notice(CAPTURE_NOTICE, message))
        self.capture.unsaved_changed.connect(lambda text: self.set_notice(UNSAVED_PHOTOS_NOTICE, text))
        self.capture.analyse_requested.connect(self._capture_notices_end)  # every photo saved
        # the status bar names the source started, "(not open)" until it opens and after it failed
        # (the old camera's name stayed when a newly chosen one did not open)
        self._open_mailbox: object = None  # the frame slot of the start whose source opened
        self.capture.camera.opened.connect(self._source_opened)
        self.capture.camera.failed.connect(lambda _message: self._source_not_open())
        self.results.confirm_requested.connect(self.confirm_review)
        self.results.export_requested.connect(self.export_pdf)
        self.results.back_requested.connect(self._leave_results)
        self.results.review_unkept.connect(self.say_review_unkept)  # lost if Palsy Grader closes
        self.stack.currentChanged.connect(self.end_confirm_failure)  # its line goes with the results page
        self.capture.back_requested.connect(self.show_patients)
        self.history.open_requested.connect(self.open_read_only)
        self.history.back_requested.connect(self.show_patients)

    def notify(self, message: str, timeout_ms: int = 8000, log_text: str | None = None, spoken: str | None = None,
               details: str | None = None) -> None:
        """A message in the status bar (no modal boxes: the flow must never block).

        Logs carry no names (DESIGN §9): a message that names a person (the confirming
        clinician) passes `log_text`, the same notice without the name, and that is logged.
        `spoken`: what a screen reader is told instead (without a path it would spell out).
        `details`: the message in full (with a path), in the bar's tooltip and Recent messages.
        """
        log.info("notice: %s", message if log_text is None else log_text)
        # the bar's message is never covered by the labels on its right; one too long for the
        # bar reads in full in its tooltip, to a screen reader and in View > Recent messages
        bar = self.statusBar()
        if isinstance(bar, StatusBar):
            bar.showMessage(message, timeout_ms, spoken, details)
        else:
            bar.showMessage(message, timeout_ms)

    def notify_naming(self, words: Callable[[str], str], name: str, ref: str, timeout_ms: int = 8000) -> None:
        """A message about a patient: the status bar reads `words(name)` ("Ada Lovelace (MRN-1)"),
        the log `words(ref)` ("assessment 4"): logs carry no names (DESIGN §9), and every
        notice naming a patient went into palsy.log word for word."""
        self.notify(words(name), timeout_ms, log_text=words(ref))

    def _capture_page_left(self, _index: int) -> None:
        if self.stack.currentWidget() is not self.capture:
            self._capture_notices_end()

    def _capture_notices_end(self) -> None:
        """The capture page's notices of photos not saved go (left, or every photo saved)."""
        self.set_notice(CAPTURE_NOTICE, "")
        self.set_notice(UNSAVED_PHOTOS_NOTICE, "")

    def set_notice(self, key: str, text: str) -> None:
        """Set (or clear, with "") one line of the notice above the pages; shown while any is set.
        A line newly set or changed is announced, politely and once (the upgrade notice and the
        lost report's were never said to a screen reader)."""
        if (key, text) in self._dismissed:  # dismissed this session: not shown again
            return
        said = self._notices.get(key)
        if text:
            self._notices[key] = text
        else:
            self._notices.pop(key, None)
        self._show_notices()
        if text and text != said:
            announce(self.notice, text)

    def _show_notices(self) -> None:
        self.notice.setText("\n".join(self._notices.values()))
        self.notice.setAccessibleDescription(self.notice.text())
        self.notice.setVisible(bool(self._notices))
        self.notice_box.setVisible(bool(self._notices))
        # a click takes away the information lines only, never one to act on
        self.notice_dismiss.setVisible(any(key in INFO_NOTICES for key in self._notices))

    def dismiss_notices(self) -> None:
        """The information-only lines (INFO_NOTICES) gone for the rest of the session; their text
        stays in View > Recent messages."""
        bar = self.statusBar()
        for key, text in list(self._notices.items()):
            if key in INFO_NOTICES:
                self._dismissed.add((key, text))
                del self._notices[key]
                if isinstance(bar, StatusBar):
                    bar.recent.append((datetime.now().astimezone().strftime("%H:%M:%S"), text))
        self._show_notices()

    def _source_opened(self, name: str) -> None:
        self._open_mailbox = self.capture.camera.mailbox  # replaced at the next start
        self.source_label.setText(f"source: {name}")

    def _source_not_open(self) -> None:
        """The source started (or failed) is not open: named so, not left at the last open one."""
        self._open_mailbox = None
        name = self.capture.camera.source_name
        self.source_label.setText(f"source: {name} (not open)" if name else "source: none open")

    def source_started(self) -> None:
        """After the capture page started (or failed to start) its source: named in the status bar,
        "(not open)" until it opens."""
        camera = self.capture.camera
        if not self.capture.source_made:  # the source could not be made (a setting it refuses)
            self._open_mailbox = None
            self.source_label.setText("source: none open")
        elif not camera.running or camera.mailbox is not self._open_mailbox:  # not opened yet, or failed at once
            self._source_not_open()

    def _show_data_folder(self, folder: Path) -> None:
        """The data folder in use, in the status bar (shortened in the middle when a message
        needs the room; in full as the tooltip)."""
        self.data_label.setText(f"data: {folder}")
        self.data_label.setToolTip(plain_tooltip(f"Data folder in use: {folder}"))

    def clear_stale_message(self, keep_fresh: bool = True) -> None:
        """A page change takes away the message about the page left ("Overlays recomputed…"
        stayed on the patients page), not one that came with the change itself (with
        `keep_fresh`, shown less than FRESH_MESSAGE_S before it: "Not confirmed yet: open it
        from …'s history"), nor one the user must act on (a timeout over 8 s or none: the
        crash-recovery notice, "Settings NOT saved"), which stays its time."""
        bar = self.statusBar()
        if not isinstance(bar, StatusBar) or bar.is_sticky():
            return
        if not keep_fresh or bar.message_age() > FRESH_MESSAGE_S:
            bar.clearMessage()

    def _focus_moved(self, old: QWidget | None, new: QWidget | None) -> None:
        """The keyboard's new control is scrolled into view when it is on a page that scrolls
        (at a 15 pt font the ticked grade was below the view, and the arrows changed it unseen).

        Only a move within the window, not by the mouse: a press on a partly hidden button gave
        it the focus, the page scrolled and the release fell outside it (no click); and the
        window's focus coming back (`old` None: re-activated, a dialog closed) undid the
        user's own scrolling."""
        if new is None or old is None or self._closed or not shiboken6.isValid(self):
            return
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return
        self.stack.ensure_visible(new)

    # -- model loading and worker threads -------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._load_model_on_show:
                QTimer.singleShot(0, self, self.load_model)  # dropped if the window is gone

    def _run(self, worker: FunctionWorker) -> QThread:
        thread = start_worker(worker, on_finished=self._thread_done)
        # Python owns both; they are deleted here, on the GUI thread, once the thread has ended
        self._threads.append((thread, worker))
        return thread

    def _thread_done(self) -> None:
        """The sender's thread ended (or is ending): delete it and its worker."""
        self._retire_threads(ended=self.sender())

    def _retire_threads(self, ended: object = None, quit_running: bool = False, timeout_ms: int = 10000) -> None:
        """Retire `ended`; with `quit_running`, stop and wait for all, about `timeout_ms` for them
        together (at least 0.1 s each). A thread still running after the wait is kept (deleting
        it would abort). Only the thread whose own `finished` arrived is retired: another one
        that has ended may still have its worker's answers queued for this thread, and those
        answers, read after their worker was deleted, had no sender — a superseded model load
        then counted as the current one."""
        deadline = QDeadlineTimer(timeout_ms)
        still = []
        for thread, worker in self._threads:
            if quit_running and shiboken6.isValid(thread):
                thread.quit()
            due = quit_running or thread is ended or not shiboken6.isValid(thread)
            if not (due and retire_worker(worker, thread, max(100, deadline.remainingTime()))):
                still.append((thread, worker))
        self._threads = still

    # -- patients -------------------------------------------------------------------------
    def new_patient(self) -> None:
        self.show_patients()
        if self.stack.currentWidget() is self.patients:  # not when the user chose to stay
            self.patients.open_dialog(None)

    def _leave_results(self) -> None:
        """Back to the patients, saying where an assessment left unconfirmed is offered: its history,
        and the bar above the list when the bar offers this one (it offers the newest)."""
        waiting, left = self.awaiting_confirmation() and self.patient_id, self.assessment_id
        self.show_patients()  # asks first (may_leave_results)
        if not waiting or self.stack.currentWidget() is not self.patients:
            return
        if self.patients.offered_review_id == left:
            self.notify(f"Not confirmed yet: the bar above the list and {self.patient_id}'s history offer it to confirm "
                        "the grade")
        else:  # a newer result, another patient's, is the one the bar offers
            self.notify(f"Not confirmed yet: open it from {self.patient_id}'s history to confirm the grade (the bar "
                        "above the list offers the newest result first)")

    def awaiting_confirmation(self) -> bool:
        """The results page shows an analysed assessment whose grade nobody has confirmed yet
        (not a read-only one): the review typed there is lost when the page is left."""
        return (self.stack.currentWidget() is self.results and self.results.result is not None
                and not self.results.read_only and self.results.status == "analysed")

    def may_leave_results(self) -> bool:
        """Leaving the results page drops a review typed but not confirmed, or one changed
        after it was confirmed (the store keeps the confirmed one): ask first, whichever way
        out (Back, Ctrl+1, Ctrl+N, a history, closing the window). True when nothing would be
        lost or the user chose to leave."""
        if self.awaiting_confirmation():
            # "even if Palsy Grader closes" only when the data folder has the review as typed
            leave = self.services.ask(self, "Leave without confirming the grade?",
                                      leave_unconfirmed_text(self.results.review_survives_close()))
            if not leave:
                self.results.initial_focus().setFocus()
            return leave
        if self.stack.currentWidget() is not self.results or not self.results.review_edited():
            return True
        stored = self.results.confirmed_grade()
        leave = self.services.ask(
            self,
            "Leave without saving the change?",
            f"The review was changed after grade {stored} was confirmed, and the change is not saved.\n\n"
            f"Yes: leave; grade {stored} as confirmed stays on record.\n"
            "No: stay, and press Confirm grade to save the change.",
        )
        if not leave:
            self.results.initial_focus().setFocus()
        return leave

    def show_patients(self) -> None:
        if not self.may_leave_results():
            return
        # the search empty, the keyboard in it; the patient just worked on selected for Edit and
        # History, not to be started again by a Return
        self.patients.start_over(self.patient_id)
        self.stack.setCurrentWidget(self.patients)
        # after the page change, which discards a draft left before its first photo: filled
        # before it, the bar offered that discarded draft, and its Resume refused every photo
        self.show_offered_draft()

    def show_patient_title(self, patient_id: str | None) -> None:
        """The window title names the patient on screen, and nobody on the patients page (a
        shared station: the last patient's name stayed in the title bar). Name and ID only: the
        title also shows in the taskbar, window switchers and screen-sharing lists, and every page
        gives the date of birth."""
        if not patient_id:
            self.setWindowTitle("Palsy Grader")
            return
        info = self.gateway.get_patient(patient_id)
        self.setWindowTitle(f"Palsy Grader \u2013 {info.name} ({info.patient_id})")

    def _patient_label(self, patient_id: str) -> PatientLabel:
        """The patient's name, ID and date of birth when known ("Jo Ames (MRN-7, born
        1970-01-31)"): two records of one name are told apart where photos are taken and a
        grade confirmed, as on the report."""
        info = self.gateway.get_patient(patient_id)
        return PatientLabel(info.name, f" ({info.patient_id}{born(info.birth_date)})")

    def _registered_side(self, patient_id: str) -> str:
        return self.gateway.get_patient(patient_id).affected_side

    # -- settings -------------------------------------------------------------------------
    def open_settings(self) -> Any:
        from app.pages.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self, folder_in_use=Path(self.gateway.folder))
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings | None) -> None:
        if settings is None:
            return
        from dataclasses import replace

        from app.pages.capture_logic import demo_switch_question, settings_source_words

        camera_before = self.settings.camera
        photos = list(self.capture.session.photos.values()) if self.capture.session is not None else []
        kept = ""  # the source kept when the demo patient would be mixed into a patient's visit
        if settings.camera.source == "demo" != camera_before.source and self._capture_open():
            question = demo_switch_question(photos, settings_source_words(camera_before))
            if question and not self.services.ask(self, "Switch to the synthetic demo patient?", question):
                settings = replace(settings, camera=replace(settings.camera, source=camera_before.source))
                kept = (f"the photos still come from {settings_source_words(camera_before)}: "
                        "the demo patient was not chosen, as this visit has photos of the patient")
        reload_model = settings.model != self.settings.model
        folder_changed = settings.clinic.data_folder != self.settings.clinic.data_folder
        self.settings = self.services.settings = settings
        unsaved = ""
        if self.services.save_settings is not None:
            try:
                self.services.save_settings(settings)
                self.set_notice("settings", "")  # the file now holds known, valid keys only
            except SettingsError as exc:
                unsaved = f"Settings NOT saved: {exc}."
                self.set_notice("settings", unsaved)
        if reload_model:
            self.load_model()
        changed = ""  # the photos so far come from another source than the next ones
        if settings.camera != camera_before and self._capture_open():
            changed = self._capture_follows(camera_before, settings.camera, photos)
        later = self._data_folder_notice(settings) if folder_changed else ""
        if unsaved:
            self.notify(" ".join(filter(None, (unsaved, changed))), 30000)
            return
        said = "; ".join(filter(None, ("Settings saved", kept)))
        said = ". ".join(filter(None, (said, changed, later)))
        self.notify(said, 30000 if later or changed or kept else 8000)

    def _capture_open(self) -> bool:
        """The capture page is shown, taking photos (not a read-only view of a visit)."""
        return self.stack.currentWidget() is self.capture and not self.capture.read_only

    def _capture_follows(self, before: CameraSettings, camera: CameraSettings, photos: list | None = None) -> str:
        """The capture page open for photos takes a camera change at once, as it says "Settings
        saved": the preview's mirror, the source reopened, and its Auto-capture box when that
        setting changed (otherwise the box stays as the therapist set it for this assessment).
        Returns what to say when the draft's `photos` come from another source than the next
        ones (their steps say so too, once one is taken: `other_source_photos`), else ""."""
        from app.pages.capture_logic import settings_source_words, source_change_text

        self.capture.preview.mirror = camera.preview_mirrored
        if camera.auto_capture != before.auto_capture:
            self.capture.auto_box.setChecked(camera.auto_capture)
        self.capture.retry_camera()  # reopen with the new source
        self.source_started()
        session = self.capture.session
        after = (session.source if session is not None else "") or settings_source_words(camera)
        return source_change_text(photos or [], settings_source_words(before), after)

    def _data_folder_notice(self, settings: Settings) -> str:
        """The records stay in the folder opened at start (drafts, photos being written and
        the database belong to it, and so does its instance lock); a changed data folder is used
        from the next start, and the notice says so until then, and whether another Palsy
        Grader has it open now (the next start would be refused there). "" when the chosen
        folder is the one in use."""
        chosen = resolve_data_folder(settings.clinic.data_folder)
        in_use = Path(self.gateway.folder)
        if chosen.resolve() == in_use.resolve():
            self.set_notice("data_folder", "")
            return ""
        missing = "" if chosen.is_dir() else " It does not exist yet: Palsy Grader will ask before making it."
        other = folder_in_use(chosen)  # another window there now would refuse the next start
        if other is not None:
            who = f" (process {other.holder.pid} on {other.holder.host})" if other.holder else ""
            missing += (f" Another Palsy Grader has it open now{who}: close that one before starting again, "
                        "or this one will not start there.")
        text = (f"The data folder {chosen} is used from the next start of Palsy Grader; until then records "
                f"are kept in {in_use}.{missing}")
        self.set_notice("data_folder", text)
        return text

    # -- shutdown -------------------------------------------------------------------------
    def wait_painted(self, done: Callable[[], bool], timeout_ms: int, notice: str) -> bool:
        """Wait up to `timeout_ms` for `done()`, the window painted and `notice` shown above the
        pages (closing must not look like a hang), user input held back; queued answers of the
        workers arrive meanwhile. True when `done()`."""
        self.set_notice("closing", notice)
        deadline = QDeadlineTimer(timeout_ms)
        try:
            while not done() and not deadline.hasExpired():
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 50)
                time.sleep(0.02)
            if done():  # answers queued just before the end are taken now, while the store is open
                QCoreApplication.sendPostedEvents(self)
            return done()
        finally:
            self.set_notice("closing", "")

    def remember_unsaved_report(self, assessment_id: int) -> None:
        """A report still being written at close is lost: noted in the data folder's private
        staging folder, so that the next start says so (the log says it too). Its export noted it
        already when it started (`note_unsaved_report`, for a kill or a power cut): noted again
        here in case that note could not be written."""
        note_unsaved_report(Path(self.gateway.folder), assessment_id)

    def _say_unsaved_report(self) -> None:
        """At start: a report that was still being written when the app last closed, was killed,
        crashed or lost power was not saved; say which assessment, once, so that it is exported
        again (not one whose report was saved after all: the note outlived it)."""
        marker = Path(self.gateway.folder) / STAGING_DIR / UNSAVED_REPORT
        try:
            data = marker.read_bytes()
        except OSError:
            return
        try:
            marker.unlink()  # said once
        except OSError:
            log.warning("could not remove %s", marker, exc_info=True)
        # bytes, ASCII digits only, and short (int() refuses over 4300 digits): a damaged marker
        # must never stop the start
        ids = sorted({int(word) for word in data.split() if word.isdigit() and len(word) <= 18})
        for assessment_id in ids:
            visit = self._unsaved_visit(assessment_id)
            if visit is not None:
                self._unsaved_reports[assessment_id] = visit
        if self._unsaved_reports:
            log.warning("a report being written when Palsy Grader last closed or stopped was not saved (assessment(s) %s)",
                        sorted(self._unsaved_reports))
        self.show_unsaved_reports()

    def _unsaved_visit(self, assessment_id: int) -> str | None:
        """How the notice names the visit whose report was lost; None when it was marked entered
        in error since (here or on another station): it has left the history the notice sends
        the user to, and no report of it is wanted; None too when its report is saved as the
        records stand (saved just before the end, its note not yet taken off)."""
        try:
            info = self.gateway.assessment(assessment_id)
            named = f"{info.patient_id}, visit of {local_date(info.created)}"
        except Exception:  # noqa: BLE001 - a record gone since: named by its number
            return f"assessment {assessment_id}"
        if info.status == "discarded":
            log.info("assessment %s was marked entered in error since: its lost report is not asked for", assessment_id)
            return None
        if report_stands(self.gateway, info):
            log.info("the report of assessment %s noted as being written was saved", assessment_id)
            return None
        return named

    def show_unsaved_reports(self) -> None:
        """The notice of the reports lost at the last close that are not exported again yet."""
        visits = "; ".join(self._unsaved_reports.values())
        self.set_notice("unsaved_report", visits and (
            f"A report was still being written when Palsy Grader last closed or stopped, and was not saved ({visits}): "
            "open the visit from the patient's history and export it again."))

    def shutdown(self) -> None:
        """Stop the camera and every worker thread and wait for them (no dangling QThreads); a
        report being written is finished and kept first. The waits keep the window painted with
        a notice saying what it waits for."""
        if not self._closed:
            self._closing = True
            try:
                if not self.finish_export():  # waited for already: not again below
                    self._given_up = self._export_thread
                self.drop_empty_draft()
            finally:
                self._closing = False
        self._closed = True
        self.capture.timer.stop()
        self.capture.camera.stop(wait=True)
        # a camera stuck in its driver: kept referenced, and gui_main leaves without the abort
        _STRAGGLERS.extend(self.capture.camera.unfinished())
        self.capture.shutdown_saver()
        app = QApplication.instance()
        if self._focus_hooked and isinstance(app, QApplication):  # once: shutdown may run twice
            self._focus_hooked = False
            app.focusChanged.disconnect(self._focus_moved)
        # every worker, not only the analysis: an overlay recompute or a model load still
        # running was left behind and its QThread destroyed while running
        for _thread, worker in self._threads:
            if shiboken6.isValid(worker):
                worker.cancel()
        if self._threads and self.isVisible():
            self._closing = True
            try:
                self.wait_painted(self._threads_ended, SHUTDOWN_WAIT_MS, "Closing: waiting for the work in progress to stop\u2026")
            finally:
                self._closing = False
            self._retire_threads(quit_running=True, timeout_ms=0)
        else:
            self._retire_threads(quit_running=True, timeout_ms=SHUTDOWN_WAIT_MS)
        if self._threads:
            log.warning("%d worker thread(s) still running at shutdown", len(self._threads))
            # deleting a running QThread aborts: keep them referenced until the process ends
            _STRAGGLERS.extend(self._threads)
            self._threads = []

    def _threads_ended(self) -> bool:
        """Every worker thread has ended, but the report's that closing already waited for."""
        return all(t is self._given_up or not shiboken6.isValid(t) or t.isFinished() for t, _w in self._threads)

    def may_quit_analysis(self) -> bool:
        """Closing the window stops an analysis that is running: ask first (No by default)."""
        if not self.analysing:
            return True
        return self.services.ask(self, "Quit during the analysis?",
                                 "An analysis is running; quit anyway? The photos are kept.")

    def quit_requested(self) -> None:
        """File > Quit, Ctrl+Q: close the window as the user's own close (asked like the close button)."""
        self._quit_requested = True
        try:
            self.close()
        finally:
            self._quit_requested = False

    def session_ending(self, _manager: object = None) -> None:
        """The desktop session is ending (logout, shutdown: `commitDataRequest`). Qt's rule for
        this signal: do not quit here, the session manager may still cancel. So the window only
        stops asking: the close that follows (a window manager's close is spontaneous, like the
        close button's) goes through without a question that would block the logout; an
        unconfirmed grade stays on record as 'analysed', an analysis is cancelled with its
        photos kept. A logout cancelled by another program leaves the window working, closing
        without questions from then on."""
        log.info("session ending: the window will close without questions")
        self._session_ending = True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Ask only when the user closes the window (the close button: a spontaneous event from
        # the window system; or the app's Quit). A close from code (QApplication.closeAllWindows
        # at a logout, say) must not be refused: No there aborted the quit.
        if self._closing:  # already closing, waiting for a worker: this close changes nothing
            event.ignore()
            return
        by_user = (event.spontaneous() or self._quit_requested) and not self._session_ending
        if by_user and not self._closed and not (self.may_leave_results() and self.may_quit_analysis()):
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)
