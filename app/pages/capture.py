"""Capture wizard page: six steps, live preview with guide and quality badges, thumbnails.

A thin widget over `capture_logic.CaptureSession`. The camera runs on its own thread
(`CameraController`); a QTimer pulls the newest frame at display rate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from PySide6.QtCore import QEvent, QEventLoop, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QHideEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.camera.source import FrameSource
from app.camera_controller import CameraController
from app.help_dialogs import analyse_keys, native_keys
from app.pages.capture_logic import (
    BUTTON_TOO_SOON,
    CAMERA_STOPPED,
    FROM_PREFIX,
    NO_MOVEMENT_NOTE,
    SAME_AS_PREFIX,
    SPACE_TOO_SOON,
    CapturedPhoto,
    CaptureLine,
    CaptureSession,
    Settled,
    SpacePause,
    camera_stop_reason,
    face_problem,
    file_source,
    frozen_text,
    name_order_note,
    no_frame_text,
    opening_text,
    source_words,
    standing_failures_of,
    still_saving_text,
    unexpected_save_error,
)
from app.pages.instructions import INSTRUCTIONS, TITLES
from app.pages.quality_logic import LiveChecks, LiveQuality, blank_picture
from app.widgets.announce import announce
from app.widgets.busy_cursor import busy_cursor
from app.widgets.elided_label import ElidedLabel
from app.widgets.fonts import HEADING, scale_font
from app.widgets.illustration import expression_icon
from app.widgets.plain_text import plain, plain_tooltip
from app.widgets.preview import PreviewWidget
from app.widgets.qimage import rgb_to_pixmap
from app.widgets.quality_badges import QualityBadges
from app.widgets.tones import MUTED, set_tone
from app.workers import worker_error_text
from models.errors import PalsyError

log = logging.getLogger("palsy.capture")

DISPLAY_INTERVAL_MS = 16  # pull the newest frame at ~60 Hz display rate (cheap when none is new)
# No new frame for this long: the camera is frozen (a driver stuck after an unplug blocks its read
# for minutes; the preview stood still and Capture stored the frozen frame). A photo folder
# repeats its photo at 30 frames a second, so it never trips this.
FROZEN_S = 2.0
FIRST_FRAME_S = 5.0  # the same for the first frame after the camera opened (it adjusts its exposure first)
# How long the open itself may take before the page calls it an error, in FIRST_FRAME_S (15 s):
# a slow driver (Media Foundation, a 4K camera setting its resolution, a USB hub waking up) takes
# several seconds, and called "in use by another program" at 5 s, the user's Retry made it slower
# still. From FIRST_FRAME_S on the preview says that it is still opening, counting the seconds.
OPEN_FIRST_FRAMES = 3
THUMB = 88
AMBER = "#fdebd0"  # a step whose photo to retake: no face at capture, or no movement against rest
AMBER_TEXT = "#3d2e00"  # its text, whatever the palette's
# How long reading a draft back waits for its photos still being written (the window paints on
# meanwhile: `settle_saves`); a save still running then is said when it ends (as the resumed
# assessment's own while the page shows it: `_say_left_failures`). Opening another
# assessment waits for none: the one left is kept until its saves end (`_leave`).
LEAVE_WAIT_S = 10.0
PAINT_S = 0.02  # while it waits, the window paints (and its timers run) this often


class CapturePage(QWidget):
    """The capture wizard. Emits `analyse_requested` when all six photos are in."""

    analyse_requested = Signal()
    cancel_requested = Signal()
    back_requested = Signal()  # to the patients page, as View > Patients (Ctrl+1)
    notify = Signal(str)
    save_failed = Signal(str)  # a photo did not reach the record (or could not leave it): said with `notify` too
    # the shown assessment's photos that did not reach the record (or a rejected one that did not
    # leave it), a line each, as they stand: "" once each is saved (taken again or put back)
    unsaved_changed = Signal(str)
    retaken = Signal(object, str)  # (the session, what was taken off): the window offers Undo

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CaptureSession | None = None
        self.camera = CameraController(self)
        self.camera.failed.connect(self._on_camera_failed)
        self.camera.step_failed.connect(self._on_step_failed)
        self.camera.opened.connect(self._on_camera_opened)
        self.camera.still_waiting.connect(self._on_camera_still_waiting)
        self._source_factory: Callable[[], FrameSource] | None = None
        self._source: FrameSource | None = None  # the source started last: a photo folder names each step's file
        self._last_packet = None
        # when the newest frame arrived (or the camera opened) and how long the next may take,
        # None while no camera is open: `_check_frozen`
        self._frame_at: float | None = None
        self._frame_wait_s = FIRST_FRAME_S
        self._frozen = False  # the page says that the camera is frozen (or has not opened)
        self._opened = False  # the source started last has opened (`opened` came)
        # Space takes nothing just after a capture or a step change (a bouncing key)
        self._space_pause = SpacePause()
        # the live checks and each photo's own, with the loaded model's input size ("Resolution")
        self._checks = LiveChecks()
        self.source_made = False  # the last `start_camera` made its source (Settings did not refuse it)
        self._analyse_after_save: CaptureSession | None = None  # Analyse asked while a photo was being saved
        self._shown_expression: str | None = None  # the step whose frames are on screen
        self._step_errors: dict[str, str] = {}  # steps the source has no frame for, until Retry
        self._quality: LiveQuality | None = None
        self.display_frames = 0
        self.read_only = False
        self._thumbs: dict[str, tuple[object, QIcon]] = {}
        self._icons: dict[str, QIcon] = {}
        self._illustrations: dict[str, QPixmap] = {}
        self._pictures_dpr = self.devicePixelRatioF()  # the pixel ratio the drawings were drawn at

        self.timer = QTimer(self)
        self.timer.setInterval(DISPLAY_INTERVAL_MS)
        self.timer.timeout.connect(self._pull_frame)
        # Photos are encoded and written (atomic file + fsync + row) on one saver thread, in
        # order, so a capture never freezes the preview; a timer settles finished saves.
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photo-saver")
        self._saver_stopped = False
        self._whose = ""  # the shown assessment's patient, as its failures name it once it is left
        self._unsaved_said: str | None = None  # the last `unsaved_changed` (None: to be said)
        self._left: list[tuple[CaptureSession, str]] = []  # assessments left with saves running, and whose
        self.save_timer = QTimer(self)
        self.save_timer.setInterval(30)
        self.save_timer.timeout.connect(self._poll_saves)

        self.steps = QListWidget()
        self.steps.setIconSize(QSize(THUMB, THUMB))
        # wide enough for the longest step name in the font in use (a larger system font cut
        # "Raise eyebr…" with a fixed 150 px)
        longest = max(self.steps.fontMetrics().horizontalAdvance(title) for title in TITLES.values())
        self.steps.setFixedWidth(THUMB + max(150, longest + 40))
        self.steps.setAccessibleName("Capture steps")
        self.steps.setSpacing(2)
        self.steps.currentRowChanged.connect(self._on_step_clicked)

        # whose photos these are, and where they come from: the page is reached from several
        # patients in a day, and a photo folder is one setting for all of them
        self.patient_line = ElidedLabel()
        self.patient_line.setObjectName("capturePatient")
        set_tone(self.patient_line, MUTED)  # secondary, and readable on a dark palette too
        # where the photos come from, on a line of its own, shortened in the middle (a path): on
        # the patient's line it cut the name first ("Patient: Jane… (MRN-2041) – the synthetic…")
        self.source_line = ElidedLabel(mode=Qt.TextElideMode.ElideMiddle)
        self.source_line.setObjectName("captureSource")
        set_tone(self.source_line, MUTED)
        self.source_line.hide()
        self._source_shown = False  # the source line in use (a capture, not a one-line read-only view)
        self.title = QLabel()
        self.title.setObjectName("stepTitle")
        scale_font(self.title, HEADING, bold=True)
        self.preview = PreviewWidget()
        self.badges = QualityBadges()
        self.error_box = QFrame()
        self.error_box.setStyleSheet("QFrame { background: #fdecea; border: 1px solid #c0392b; border-radius: 4px; } QLabel { color: #7b1f16; border: none; }")
        self.error_label = plain(QLabel())  # names the camera or the photo file: shown as typed
        self.error_label.setWordWrap(True)
        self.retry_button = QPushButton("Retry  [F5]")
        self.retry_button.clicked.connect(self.retry_camera)
        error_layout = QHBoxLayout(self.error_box)
        error_layout.addWidget(self.error_label, 1)
        error_layout.addWidget(self.retry_button)
        self.error_box.hide()

        centre = QVBoxLayout()
        centre.addWidget(self.patient_line)
        centre.addWidget(self.source_line)
        centre.addWidget(self.title)
        centre.addWidget(self.error_box)
        centre.addWidget(self.preview, 1)
        centre.addWidget(self.badges)

        self.illustration = QLabel()
        self.illustration.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.illustration.setMinimumHeight(130)
        self.instruction = plain(QLabel())  # may name a photo file: shown as typed
        self.instruction.setWordWrap(True)
        self.instruction.setMinimumWidth(220)
        # short, with its key: "Auto-capture at peak expression  [A]" took 393 pixels at 15 pt
        # and, with the badges, made the page wider than a 1280-pixel screen at 150 % leaves
        self.auto_box = QCheckBox("Auto-capture at peak  [A]")
        self.auto_box.setToolTip("Take this step's photo by itself at the peak of the expression (A)")
        self.capture_button = QPushButton("Capture  [Space]")
        self.capture_button.clicked.connect(self.capture_clicked)
        self.retake_button = QPushButton("Retake  [R]")
        self.retake_button.clicked.connect(self.retake)
        self.capture_button.setToolTip("Take the live frame as this step's photo (auto-capture takes it at the peak)")
        self.retake_button.setToolTip("Discard this step's photo and take it again")
        self.prev_button = QPushButton("\u2190 Previous")
        self.prev_button.clicked.connect(self.previous_step)
        self.next_button = QPushButton("Next \u2192")
        self.next_button.clicked.connect(self.next_step)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        self.analyse_button = QPushButton(f"Analyse  [{native_keys(analyse_keys())}]")  # ⌘↩ on macOS
        self.analyse_button.setStyleSheet("QPushButton:enabled { font-weight: 700; }")
        self.analyse_button.clicked.connect(self.analyse_requested)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Analysis progress")  # its stage is its description (`_render_analysis`)
        self.progress_label = plain(QLabel())
        self.progress_label.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel analysis  [Esc]")
        self.cancel_button.setToolTip("Stop the analysis; the photos are kept")
        self.cancel_button.clicked.connect(self.cancel_requested)
        # the assessment an analysis runs on, whichever patient the page shows now, and whose it is
        self._analysed_id: int | None = None
        self._analysed_who = ""
        self._checks_paused = False
        self._render_analysis()
        self.back_button = QPushButton("Back to patients")
        self.back_button.setToolTip("The photos taken so far are kept: Resume on the patients page goes on "
                                    f"({native_keys('Ctrl+1')})")
        self.back_button.clicked.connect(self.back_requested)

        side = QVBoxLayout()
        side.addWidget(self.illustration)
        side.addWidget(self.instruction)
        side.addSpacing(8)
        side.addWidget(self.auto_box)
        side.addWidget(self.capture_button)
        side.addWidget(self.retake_button)
        side.addLayout(nav)
        side.addStretch(1)
        side.addWidget(self.analyse_button)
        side.addWidget(self.progress_label)
        side.addWidget(self.progress)
        side.addWidget(self.cancel_button)
        side.addWidget(self.back_button)

        layout = QHBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addLayout(centre, 1)
        layout.addLayout(side)
        self._build_step_items()

    # -- session -----------------------------------------------------------------------
    def _build_step_items(self) -> None:
        self.steps.blockSignals(True)
        self.steps.clear()
        for expression in TITLES:
            item = QListWidgetItem(self._icon(expression), f"{TITLES[expression]}\nnot taken")
            item.setSizeHint(QSize(self.steps.width() - 20, THUMB + 8))
            self.steps.addItem(item)
        self.steps.blockSignals(False)

    def _icon(self, expression: str) -> QIcon:
        if expression not in self._icons:  # drawn once per page and pixel ratio, owned by the page
            self._icons[expression] = QIcon(expression_icon(expression, THUMB, self._pictures_dpr))
        return self._icons[expression]

    def _illustration(self, expression: str) -> QPixmap:
        if expression not in self._illustrations:
            self._illustrations[expression] = expression_icon(expression, 120, self._pictures_dpr)
        return self._illustrations[expression]

    def event(self, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.DevicePixelRatioChange, QEvent.Type.ScreenChangeInternal):
            self._redraw_pictures()
        return super().event(event)

    def _redraw_pictures(self) -> None:
        """Drawings and thumbnails again at the pixel ratio of the screen the page is on now
        (the window moved to a 200 % screen, or its scale changed)."""
        dpr = self.devicePixelRatioF()
        if dpr == self._pictures_dpr:
            return
        self._pictures_dpr = dpr
        self._icons.clear()
        self._illustrations.clear()
        self._thumbs.clear()
        if self.session is None:
            self._build_step_items()
        else:
            self.refresh()

    def begin(self, session: CaptureSession, source_factory: Callable[[], FrameSource], read_only: bool = False,
              who: str | CaptureLine = "") -> None:
        """Show `session` (`who`: the patient and where the photos come from, one line, or
        a `capture_line`: the patient on one line, its name shortened first, and where the
        photos come from on the next, following the source opened) and start the camera
        (unless read-only or already complete)."""
        self._source_shown = isinstance(who, CaptureLine)
        if isinstance(who, CaptureLine):
            self.patient_line.set_parts(who.head, who.name, who.detail)
            self._show_source(who.source)
        else:
            self.patient_line.setText(who)
            self._show_source("")
        other = self.session is not session
        left = (self.session, self._whose) if self.session is not None and other else None
        self.session = session
        self._whose = f"{who.name}{who.detail}" if isinstance(who, CaptureLine) else ""
        if other:  # another assessment's "Analysis cancelled" or progress is not this one's
            self._render_analysis()
            self._analyse_after_save = None
        self._shown_expression = None  # no frame from before this session may be taken
        session.submit = self._saver.submit
        session.checker = self._checks.record
        session.on_change = self.refresh
        if other:  # a resumed draft's rejected photo read back as taken, its withdrawal failed
            session.drop_rejected_photos()
        if left is not None:  # once `session` is shown: a failure of the same assessment stands in it
            self._leave(*left)
        self._unsaved_said = None  # this assessment's failures still standing, said afresh
        self._say_unsaved()
        self._source_factory = source_factory
        self._source = None  # a read-only view names no file of the folder a capture used before
        self.read_only = read_only
        self.refresh()
        if not read_only:
            self.start_camera()

    def refresh(self) -> None:
        """Re-render step list, title, instructions and button states from the session."""
        s = self.session
        if s is None:
            return
        self.steps.blockSignals(True)
        # a photo without a face, or an expression no different from rest: say so on its step
        flagged = s.flagged_photos()
        for row, expression in enumerate(s.steps):
            item = self.steps.item(row)
            photo = s.photos.get(expression)
            note = flagged.get(expression)
            if photo is not None:
                if self._thumbs.get(expression, (None,))[0] is not photo:  # scale each photo once
                    self._thumbs[expression] = (photo, _photo_icon(photo))
                item.setIcon(self._thumbs[expression][1])
                state = "saving\u2026" if s.saving(expression) else _step_warning(note) if note else "\u2713 taken"
                item.setText(f"{TITLES[expression]}\n{state}")
            else:
                item.setIcon(self._icon(expression))
                item.setText(f"{TITLES[expression]}\nnot taken")
            item.setBackground(QBrush(QColor(AMBER)) if note else QBrush())
            # its own text colour on its own background: a dark theme's near-white text on the
            # amber was unreadable (1.07:1), and with it the warning to retake the photo
            item.setForeground(QBrush(QColor(AMBER_TEXT)) if note else QBrush())
            item.setToolTip(_step_tooltip(note) if note else "")
        self.steps.setCurrentRow(s.current)
        self.steps.blockSignals(False)
        expression = s.expression
        if expression != self._shown_expression:
            # a frame of the step before may be the newest one for a moment: never capture it
            if self._shown_expression is not None:
                self._space_pause.mark()  # nor take the next step's photo with a second press of Space
            self._shown_expression = expression
            self._forget_frame()
            self._show_step_error()
        self.title.setText(f"Step {s.current + 1} of {len(s.steps)}: {TITLES[expression]}")
        self.instruction.setText(_step_text(expression, name_order_note(self._source, expression)))
        self.illustration.setPixmap(self._illustration(expression))
        self.illustration.setAccessibleName(f"Drawing: {TITLES[expression]}")
        taken = expression in s.photos
        # the photos are frozen while an analysis reads them: its grade must be of these photos
        # (another patient's analysis does not freeze this one's photos)
        editable = not self.read_only and not self._analysing
        self.capture_button.setEnabled(editable and not taken and self.camera.running and self._last_packet is not None)
        self.retake_button.setEnabled(editable and taken)
        self.retake_button.setToolTip("Photos cannot change while the analysis runs" if self._analysing else "")
        self.prev_button.setEnabled(s.current > 0)
        self.next_button.setEnabled(s.current < len(s.steps) - 1)
        self.analyse_button.setEnabled(s.complete and not self.read_only and not self._analysing)
        if not s.complete:  # a step without a photo, or a photo still being written
            tip = "Missing: " + ", ".join(TITLES[e] for e in s.missing) if s.missing else still_saving_text(s.unsaved)
        elif self._analysed_id is not None and not self._analysing:  # one analysis at a time
            tip = f"The analysis of {self._analysed_who} runs: press Analyse again when it is done"
        else:
            tip = "Grade the six photos with the model"
        self.analyse_button.setToolTip(plain_tooltip(tip))  # it may name a patient: read as typed
        self.camera.request_expression(expression)

    # -- camera ------------------------------------------------------------------------
    def _show_source(self, words: str) -> None:
        """The source line: where the photos come from, hidden when there is nothing to say."""
        self.source_line.setText(words[:1].upper() + words[1:])
        self.source_line.setVisible(bool(words))

    def start_camera(self) -> None:
        """Open the source on the camera thread and start pulling frames."""
        if self._source_factory is None:
            return
        self.error_box.hide()
        self._step_errors.clear()
        self._forget_frame()  # an auto-capture window from before must not close on new frames
        self._stop_frozen_clock()
        self.source_made = False
        try:
            source = self._source_factory()
        except PalsyError as exc:
            self._on_camera_failed(str(exc))
            return
        self._source, self.source_made = source, True
        if self.session is not None:  # stored with each photo taken from now on
            self.session.source = source_words(source)
        if self._source_shown:  # Settings may have chosen another source since the line was set
            self._show_source(source_words(source))
        if self.session is not None:
            self.camera.request_expression(self.session.expression)
        self.camera.set_checks_enabled(not self._analysing)
        self._checks.input_size = self._model_input_size()
        self._checks.camera = not file_source(source)  # a blank picture's words: the lens cap's or the file's
        self.camera.start(source, analyse=self._checks)
        # a slow driver still closing the old camera: the new one opens when it has (never twice)
        self.preview.clear("Reconnecting\u2026" if self.camera.waiting else "Opening camera\u2026")
        # an open that hangs (a camera held by another program) is said after 15 s (a wait before)
        self._frame_at, self._frame_wait_s, self._opened = time.monotonic(), OPEN_FIRST_FRAMES * FIRST_FRAME_S, False
        self.timer.start()

    def _model_input_size(self) -> int | None:
        """The loaded model's input side (the window's `model_handle`), which the live
        "Resolution" check compares the face with; None while no model is loaded, or on a page
        shown without the window."""
        size = getattr(getattr(self.window(), "model_handle", None), "input_size", None)
        return size if isinstance(size, int) and size > 0 else None

    def stop_camera(self, wait: bool = False) -> None:
        """Stop pulling and release the camera (closed on its own thread; `wait` blocks until
        it is released)."""
        self.timer.stop()
        self.camera.stop(wait=wait)
        self._source = None
        self._forget_frame()
        self._stop_frozen_clock()
        self.preview.clear("Camera stopped")
        self.refresh()

    def retry_camera(self) -> None:
        self.stop_camera()
        self.start_camera()
        self.refresh()

    def _forget_frame(self) -> None:
        """No stale frame may be captured, and no stale check shown, once the camera stops (nor
        the best frame of an auto-capture window opened before)."""
        self._last_packet = None
        self._quality = None
        self.badges.show_quality(None)
        if self.session is not None:
            self.session.auto.reset()

    def _stop_frozen_clock(self) -> None:
        """No camera is open: nothing is awaited from it."""
        self._frame_at, self._frozen, self._opened = None, False, False

    def _on_camera_opened(self, name: str) -> None:
        self.error_box.hide()
        self._frame_at, self._frame_wait_s, self._opened = time.monotonic(), FIRST_FRAME_S, True
        if self._frozen:  # it was said not to open: it has, late; its first picture is awaited
            self._frozen = False
            self.preview.clear("Waiting for the camera's first picture\u2026")
        self.refresh()

    def _on_step_failed(self, expression: str, message: str) -> None:
        """The source runs on but has no frame for `expression` (a folder without its photo)."""
        self._step_errors[expression] = message
        if self.session is not None and self.session.expression == expression:
            self._forget_frame()
            self._show_step_error()
            self.refresh()
            self.notify.emit(f"{TITLES.get(expression, expression)}: {message}")

    def _show_step_error(self) -> None:
        """Show the current step's source problem, or hide the box when it has none (a
        stopped camera keeps its own message)."""
        if self.session is None or not self.camera.running:
            return
        message = self._step_errors.get(self.session.expression)
        if message is None:
            self.error_box.hide()
            return
        self._show_error(f"No picture for this step: {message}")
        self.preview.clear("No picture for this step – see above")

    def _show_error(self, text: str) -> None:
        """The red box with `text`, announced (assertive) when it appears or its text changes:
        the keyboard stays on the steps list, so a screen reader would not notice it."""
        appears = self.error_box.isHidden() or self.error_label.text() != text
        self.error_label.setText(text)
        self.error_box.show()
        if appears:
            announce(self.error_box, text, assertive=True)

    def _on_camera_still_waiting(self, message: str) -> None:
        """The old connection does not close: say why the preview waits (the source is not
        given up: it opens when the driver lets go; Retry starts the wait again)."""
        self.preview.clear("Waiting for the camera\u2026")
        self.notify.emit(message)

    def _on_camera_failed(self, message: str) -> None:
        self.timer.stop()
        self.camera.stop(wait=False)
        self._forget_frame()
        self._stop_frozen_clock()
        reason = camera_stop_reason(message)
        self._show_error(f"{CAMERA_STOPPED}{reason}")
        self.preview.clear("No camera \u2013 press Retry")
        self.capture_button.setEnabled(False)
        self.notify.emit(f"Camera problem: {reason}")

    def _pull_frame(self) -> None:
        packet = self.camera.take()
        if packet is None:
            self._check_frozen()
            return
        self._frame_at, self._frame_wait_s = packet.timestamp, FROZEN_S
        if self._frozen:
            self._thaw()
        self._checks.input_size = self._model_input_size()  # a model loaded, or another, since the start
        if self.session is not None and packet.expression != self.session.expression:
            return  # read before the source switched to this step
        if packet.expression in self._step_errors:  # the photo is there now (replaced on disk)
            del self._step_errors[packet.expression]
            self.error_box.hide()
        self._last_packet = packet
        quality = packet.quality if isinstance(packet.quality, LiveQuality) else None
        self._quality = quality
        box = quality.face_box if quality else None
        # the camera thread's small copy (a 4K frame scaled on this thread stalled the window);
        # the face box is in the full frame's pixels, and a capture takes the full frame
        shown = packet.display if packet.display is not None else packet.frame
        self.preview.show_frame(shown, box, bool(quality and quality.passed), packet.frame.shape[1::-1])
        self.badges.show_quality(quality)
        self.display_frames += 1
        if self._analysing:
            return  # no photo may change while an analysis reads them
        if not self.capture_button.isEnabled() and self.session and self.session.expression not in self.session.photos and not self.read_only:
            self.capture_button.setEnabled(True)
        if self.auto_box.isChecked() and self.session is not None and quality is not None:
            photo = self.session.offer_frame(packet.frame, quality.passed, quality.to_dict(), time.monotonic(),
                                             small=packet.display)  # measured on the small copy
            if photo is not None:  # written on the saver thread: a failure is said by `_poll_saves`
                self._space_pause.mark()
                self.save_timer.start()
                self._say_taken(photo.expression)

    def _check_frozen(self) -> None:
        """Say that the camera is frozen once no frame came for `_frame_wait_s`: the frozen
        frame leaves the preview and can no longer be captured (nor an auto-capture window's
        best frame), and the error box says so, with Retry, announced once; it counts the
        seconds on. A step the source has no photo for is read no more: its wait is not counted;
        nor is an analysis of this page's photos (nothing can be taken, and it holds the CPU)."""
        if self._frame_at is None:
            return
        now = time.monotonic()
        # nor while the new source waits for the old connection to close (the controller says why)
        if self.session is None or self._analysing or self.session.expression in self._step_errors or self.camera.waiting:
            self._frame_at = now
            return
        waited = now - self._frame_at
        if not self._opened and FIRST_FRAME_S < waited <= self._frame_wait_s:  # a slow open: a wait, not an error
            text = opening_text(self.camera.source_name, waited)
            if self.preview.message != text:
                self.preview.clear(text)
            return
        if waited <= self._frame_wait_s:
            return
        # not opened yet, or opened with no picture ever (another program holds it), or frozen
        text = frozen_text(self.camera.source_name, waited, self._opened, first=self._frame_wait_s == FIRST_FRAME_S)
        if self.error_box.isHidden():
            self._show_error(text)
        elif self.error_label.text() != text:
            self.error_label.setText(text)  # the seconds count on, not announced again
        if not self._frozen:
            self._frozen = True
            self._forget_frame()
            self.capture_button.setEnabled(False)
            self.preview.clear("No new picture \u2013 see above" if self._opened else "Not opened \u2013 see above")
            self.notify.emit(text)  # after the box: a screen reader hears it once, assertive

    def _thaw(self) -> None:
        """Frames come again: the page goes on by itself (Capture is enabled by the frame)."""
        self._frozen = False
        self.error_box.hide()
        announce(self, "The camera delivers pictures again")

    # -- actions -----------------------------------------------------------------------
    def initial_focus(self) -> QWidget:
        """Where the keyboard starts on this page: the steps (arrows move between them)."""
        return self.steps

    def space_pressed(self) -> bool:
        """Space: a focused button or box of this window is pressed (Space on the Auto-capture box
        ticks it, as everywhere in Qt; the status bar's Undo after a retake puts the photo back);
        otherwise the live frame is captured, unless the key comes just after a capture or a
        step change (`SpacePause`)."""
        focus = QApplication.focusWidget()
        if (isinstance(focus, QAbstractButton) and focus is not self.capture_button
                and focus.window() is self.window()):
            focus.click()  # not animateClick: its delayed second click would undo a ticked box
            return False
        return self._capture(SPACE_TOO_SOON)

    def capture_clicked(self) -> bool:
        """The Capture button: as Space, a click just after a capture or a step change takes
        nothing (a double click stored the last expression as the next step's photo)."""
        return self._capture(BUTTON_TOO_SOON)

    def capture_now(self) -> bool:
        """Take the newest frame as the current step's photo (the menu's Capture). It is written
        on the saver thread: a failed save is said when `_poll_saves` settles it, not here."""
        return self._capture(None)

    def _capture(self, too_soon: str | None) -> bool:
        """Take the live frame; `too_soon`: what to say when it comes within the pause after a
        capture or a step change (Space, a click), None when no pause applies."""
        if self.session is None or self.read_only or self._analysing or self._saver_stopped:
            return False
        refusal = self._capture_refusal(too_soon)
        if refusal is not None:  # said: a key that took nothing is not silent
            self.notify.emit(refusal)
            return False
        quality = self._quality.to_dict() if self._quality else {}
        photo = self.session.capture(self._last_packet.frame, quality)
        self._space_pause.mark()
        self.save_timer.start()
        self._say_taken(photo.expression)
        return True

    def _capture_refusal(self, too_soon: str | None) -> str | None:
        """Why the live frame cannot be taken now (`too_soon`: `_capture`'s), or None."""
        expression = self.session.expression
        if expression in self.session.photos:
            return f"{TITLES[expression]} is already taken \u2013 press R to retake"
        if too_soon is not None and self._space_pause.too_soon():
            return too_soon
        if self._last_packet is None:
            return no_frame_text(self.camera.running, self._opened, not self.error_box.isHidden(),
                                 expression in self._step_errors)
        waited = time.monotonic() - self._last_packet.timestamp
        if waited > FROZEN_S:  # the display timer has not said so yet
            return f"Nothing taken: {frozen_text(self.camera.source_name, waited)}"
        # a lens cap: a black photo in the patient's draft
        frame = self._last_packet.frame
        blank = blank_picture(frame, camera=not file_source(self._source))
        if blank is None:
            return None
        # A face found: a dim picture, whose exposure badge says what to do. The live result is
        # an earlier frame's (the checks run every 0.2 s): asked of this frame, as a cap put on
        # just now still showed the face before it (such a frame is rare: the cost is one check).
        if self._quality is not None and self._quality.face_box is not None and self._checks(frame).face_box is not None:
            return None
        return f"Nothing taken: {blank}"

    def _say_taken(self, expression: str) -> None:
        """A screen reader hears each photo taken and, with the last, what comes next (the list
        moving on to "Close eyes, not taken" was all it said); then whether it shows no movement."""
        taken, steps = len(self.session.photos), len(self.session.steps)
        if taken == steps:
            announce(self, f"{TITLES[expression]} taken: all {steps} photos taken; {native_keys(analyse_keys())} analyses")
        else:
            announce(self, f"{TITLES[expression]} taken ({taken} of {steps})")
        self._say_if_still(expression)

    def _not_saved(self, message: str) -> None:
        """Say that a photo did not reach the record (a full disk): in the status bar, and to
        the window, which keeps it in view whole (`save_failed`)."""
        self.save_failed.emit(message)
        self.notify.emit(message)

    def _say_if_still(self, expression: str) -> None:
        """The photo just taken shows no movement against rest, or is the same as another
        expression's photo: say so now (its step says so too). A photo without a face is said
        once its own check ran (`_poll_saves`)."""
        note = self.session.movement_notes().get(expression) if self.session is not None else None
        if note is not None:
            self.notify.emit(f"{TITLES[expression]}: {note} (select the step and press R)")

    def _poll_saves(self) -> None:
        self._poll_left()
        if self.session is not None:
            self._poll_shown()
        shown_busy = self.session is not None and self.session.busy
        if not (self._left or shown_busy):
            self.save_timer.stop()

    def _poll_shown(self) -> None:
        """Settle the shown assessment's finished saves: say each failure, and a photo whose
        own face check found a problem."""
        saving = set(self.session.pending)
        failures = self.session.poll_saves()
        for expression, error in failures:  # in the status bar; in the notice while it stands
            self.notify.emit(_unsaved_text(expression, error, withdrawal=False))
        failed = {expression for expression, _ in failures}
        for expression in saving - set(self.session.pending) - failed:
            problem = face_problem(getattr(self.session.photos.get(expression), "quality", None))
            if problem is not None:  # found by the photo's own check, run as it was saved
                self.notify.emit(f"{TITLES[expression]}: {problem} (select the step and press R)")
        for expression, error in self.session.take_withdraw_failures():
            self.notify.emit(_unsaved_text(expression, error, withdrawal=True))
        self._say_unsaved()
        self._analyse_if_asked()

    def _say_unsaved(self) -> None:
        """Tell the window the shown assessment's failures still standing, when they changed: a
        photo that failed and was then taken again and saved is no longer said to be lost (the
        notice told the therapist to take again a photo that was on record)."""
        standing = self.session.standing_failures if self.session is not None else {}
        text = "\n".join(_unsaved_text(e, error, withdrawal) for e, (error, withdrawal) in standing.items())
        if text != self._unsaved_said:
            self._unsaved_said = text
            self.unsaved_changed.emit(text)

    def analyse_when_saved(self, session: CaptureSession) -> None:
        """Analyse was asked while a photo of `session` is still being written: asked again
        (`analyse_requested`) once the saves settle, unless one failed, a photo was retaken
        meanwhile, or the page shows another assessment by then."""
        self._analyse_after_save = session

    def withdraw_analyse_request(self, why: str) -> bool:
        """Drop an Analyse asked while a photo is still being written (`analyse_when_saved`), and
        say so, replacing the status bar's promise that it starts once saved; `why`: what withdrew
        it and what to do. False when none was asked."""
        asked, self._analyse_after_save = self._analyse_after_save, None
        if asked is None:
            return False
        self.notify.emit(f"Analysis not started: {why}")
        return True

    def hideEvent(self, event: QHideEvent) -> None:
        """The page is left (another page shown): an Analyse waiting for a photo's save is
        withdrawn, and said so; it was dropped in silence while the status bar promised it."""
        if not event.spontaneous():  # not the window minimised
            self.withdraw_analyse_request("you left the capture page before the last photo was saved; "
                                          "resume the assessment and press Analyse")
        super().hideEvent(event)

    def _analyse_if_asked(self) -> None:
        asked = self._analyse_after_save
        if asked is None or asked.pending:
            return
        self._analyse_after_save = None
        if asked is self.session and asked.complete and not self.read_only and not self._analysing:
            self.analyse_requested.emit()

    def settle_saves(self, assessment_id: int, waiting: Callable[[str], None] | None = None) -> Settled:
        """Before `assessment_id`'s draft is read back from the record: wait (up to LEAVE_WAIT_S)
        for its photos still being written, shown or left. The window paints on meanwhile, with
        the wait cursor and `waiting` told whose photos are awaited (a status line: DESIGN §1, it
        never freezes; a blocking wait held it up to 10 s). Another assessment's saves are not
        waited for: it is left at once (`_leave`).

        Returns its photos that did not reach the record (or rejected ones that did not leave it)
        and stand, logged by number: the session that resumes it takes them on
        (`CaptureSession.standing_failures`), said as the shown assessment's until each is taken
        again and saved; said as a left assessment's ("resume that assessment"), they stayed
        after the retake. A save still running after the wait that fails once the resumed session
        shows stands in it too (`_say_left_failures`). Not resumed after all: `say_not_resumed`."""
        shown = [(self.session, self._whose)] if self.session is not None else []
        saving = [(s, whose) for s, whose in self._left + shown if s.assessment_id == assessment_id]  # oldest first
        running = [future for s, _whose in saving for future in s.running_saves()]
        if running:
            self.save_timer.stop()  # their failures are settled below, and taken on by the resumed session
            if waiting is not None:
                waiting(saving[-1][1])
            with busy_cursor():
                still = _wait_painting(running, LEAVE_WAIT_S)
            if still:  # kept pending: said when it ends (`_poll_left`, `_poll_shown`)
                log.warning("%d photo save(s) of assessment %d still running after %s s", still, assessment_id, LEAVE_WAIT_S)
        ref = f"assessment {assessment_id}"
        for s, _whose in saving:
            lost = [(e, error, False) for e, error in s.poll_saves()]
            lost += [(e, error, True) for e, error in s.take_withdraw_failures()]
            for expression, error, withdrawal in lost:
                log.warning("%s", _lost_photo_text(ref, expression, error, withdrawal))
        self._left = [(s, whose) for s, whose in self._left if s.busy]
        if self._left or (self.session is not None and self.session.busy):
            self.save_timer.start()
        whose = saving[-1][1] if saving else ""
        return Settled(whose, standing_failures_of([s for s, _whose in saving]))

    def say_not_resumed(self, assessment_id: int, settled: Settled) -> None:
        """The failures `settle_saves` returned, of an assessment not resumed after all (no
        longer a draft, Start new, Cancel): said as a left assessment's, naming whose photos."""
        lost = [(e, error, withdrawal) for e, (error, withdrawal) in settled.standing.items()]
        self._say_lost(settled.whose or f"assessment {assessment_id}", lost)

    def _leave(self, session: CaptureSession, whose: str) -> None:
        """The page moved off `session` (`whose`: its patient) at once (a photo still being
        written does not hold the window): the failures of its saves already ended are said,
        naming whose photos they were, and it is kept while a save still runs, to say that save's
        failure when it ends (`_poll_left`): such a failure was once dropped, said and logged
        nowhere."""
        self._say_left_failures(session, whose, session.poll_saves())
        if session.busy:
            self._left.append((session, whose))
            self.save_timer.start()

    def _poll_left(self) -> None:
        """Settle the saves of the assessments left while they were still being written."""
        for session, whose in self._left:
            self._say_left_failures(session, whose, session.poll_saves())
        self._left = [(session, whose) for session, whose in self._left if session.busy]

    def _say_left_failures(self, session: CaptureSession, whose: str, failures: list[tuple[str, BaseException]]) -> None:
        """Say the photos of `session`, an assessment the page leaves or has left (`whose`: its
        patient), that did not reach the record or a rejected one that did not leave it: in the
        notice and to a screen reader, naming the patient, as the page may show another now;
        logged by the assessment's number (logs carry no names, DESIGN §9), a full disk too.
        When the page shows that same assessment again (resumed while the save still ran), they
        stand in the session shown, said as its own until each is taken again and saved: "resume
        that assessment" told the therapist to resume the one they were in."""
        lost = [(e, error, False) for e, error in failures]
        lost += [(e, error, True) for e, error in session.take_withdraw_failures()]
        if not lost:
            return
        ref = f"assessment {session.assessment_id}"
        for expression, error, withdrawal in lost:
            log.warning("%s", _lost_photo_text(ref, expression, error, withdrawal))
        if self._shows_again(session):
            for expression, error, withdrawal in lost:
                self.session.stands(expression, error, withdrawal)
                self.notify.emit(_unsaved_text(expression, error, withdrawal))
            self._say_unsaved()
            return
        self._say_lost(whose or ref, lost)

    def _shows_again(self, session: CaptureSession) -> bool:
        """The page shows `session`'s assessment, in another session (resumed after it was left),
        and goes on showing it (not closing: its failures are then said as a left assessment's)."""
        shown = self.session
        return (shown is not None and shown is not session and not self._saver_stopped
                and shown.assessment_id == session.assessment_id)

    def _say_lost(self, whose: str, lost: list[tuple[str, BaseException, bool]]) -> None:
        """In the notice and to a screen reader, `whose` photos not saved (or not taken off)."""
        if not lost:
            return
        text = "\n".join(_lost_photo_text(whose, e, error, withdrawal) for e, error, withdrawal in lost)
        self.save_failed.emit(text)
        announce(self, text, assertive=True)

    def shutdown_saver(self) -> None:
        """Finish pending saves, however long they take (a photo is not cut off at close),
        release the saver thread's store connection, stop the thread; a save that failed is
        said and logged as for an assessment left (`_say_left_failures`)."""
        self.save_timer.stop()
        if self._saver_stopped:
            return
        self._saver_stopped = True
        released = None
        if self.session is not None:
            self._left.append((self.session, self._whose))
            release = getattr(self.session.sink, "release_thread", None)
            if callable(release):
                released = self._saver.submit(release)  # after every save: the same thread, in order
        self._saver.shutdown(wait=True)
        self._poll_left()
        if released is not None:
            released.result()

    def retake(self) -> None:
        """Take the current step's photo off (R, or the button); `retaken` offers to undo it:
        R is one key, typed by mistake in the steps list too. While the camera delivers no
        picture (down, frozen or still opening) the photo is kept: nothing could take it again."""
        if self.session is not None and not self.read_only and not self._analysing:
            expression = self.session.expression
            if expression in self.session.photos and not self._delivering():
                self.notify.emit(f"The camera is not delivering pictures: the {TITLES[expression]} photo is kept "
                                 "until it is back (press F5 to reconnect)")
                return
            try:
                photo = self.session.retake()
            except PalsyError as exc:
                self._not_saved(f"Could not retake the photo: {exc}")
                return
            self.save_timer.start()  # the rejected photo is taken off the record on the saver thread
            self._render_analysis()  # "Analysis cancelled; the photos are kept." is no longer so
            if photo is not None:
                self.retaken.emit(self.session, f"Photo of {TITLES[photo.expression]} taken off: take it again, or Undo")

    def _delivering(self) -> bool:
        """The camera gives pictures: one is on screen, or it is open and not frozen (the newest
        frame is forgotten at each step change, until the next arrives)."""
        if self._last_packet is not None:
            return True
        return self.camera.running and not self.camera.waiting and self._opened and not self._frozen

    def undo_retake(self, session: CaptureSession | None = None) -> None:
        """Put the photo the last retake took off back (Ctrl+Z, or Undo in the status bar for
        `session`, the assessment it was taken off), saved as a capture is; or say why not."""
        refusal = self._undo_refusal(session)
        if refusal is not None:
            self.notify.emit(refusal)
            return
        try:
            photo = self.session.undo_retake()
        except PalsyError as exc:
            self._not_saved(f"Could not put the photo back: {exc}")
            return
        self.save_timer.start()
        self.notify.emit(f"Photo of {TITLES[photo.expression]} put back")

    def _undo_refusal(self, session: CaptureSession | None) -> str | None:
        if self.session is None or (session is not None and session is not self.session):
            return "Nothing put back: the photo was taken off another assessment than the one on this page"
        if self.read_only or self._saver_stopped:
            return "Nothing put back: this visit's photos cannot change"
        if self._analysing:
            return "Nothing put back: photos cannot change while the analysis runs"
        return self.session.undo_refusal()

    def next_step(self) -> None:
        if self.session is not None:
            self.session.next()

    def previous_step(self) -> None:
        if self.session is not None:
            self.session.previous()

    def _on_step_clicked(self, row: int) -> None:
        if self.session is not None and row >= 0:
            self.session.go_to(row)

    # -- analysis state ----------------------------------------------------------------
    @property
    def _analysing(self) -> bool:
        """An analysis reads this page's photos: they are frozen and its progress shows here.
        Another patient's analysis neither shows here nor stops this one's capture."""
        return self.session is not None and self._analysed_id == self.session.assessment_id

    def analysis_started(self, assessment_id: int, who: str) -> None:
        """An analysis of `assessment_id` (of the patient `who`) runs from now on."""
        self._analysed_id, self._analysed_who = assessment_id, who
        self._render_analysis(0.0, "starting analysis\u2026")
        self.refresh()

    def analysis_progress(self, fraction: float, message: str) -> None:
        """Progress of the running analysis: shown when it is this page's assessment."""
        if self._analysing:
            self._render_analysis(fraction, message)

    def analysis_ended(self, message: str = "") -> bool:
        """The analysis ended (`message`: how, for the page). True when it was this page's
        assessment and the page says so; else the caller tells the user elsewhere."""
        shown = self._analysing
        self._analysed_id, self._analysed_who = None, ""
        self._render_analysis(0.0, message if shown else "")
        self.refresh()
        return shown

    def _render_analysis(self, fraction: float = 0.0, message: str = "") -> None:
        """Show or hide the progress bar and Cancel button (this page's analysis only); the live
        checks pause while it runs (they compete with it for the CPU)."""
        running = self._analysing
        if running != self._checks_paused:
            self._checks_paused = running
            self.camera.set_checks_enabled(not running)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.progress_label.setVisible(running or bool(message))
        self.progress.setValue(int(fraction * 100))
        self.progress_label.setText(message)
        self.progress.setAccessibleDescription(message)  # the stage, read with the bar


def _wait_painting(futures: list[Future], timeout_s: float) -> int:
    """Wait up to `timeout_s` for `futures`, the window painting meanwhile and its timers running
    (the preview, the status line); the user's clicks and keys wait their turn, as nothing may
    start while a draft is read back. Returns how many still run."""
    end = time.monotonic() + timeout_s
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        left = end - time.monotonic()
        running = wait(futures, max(0.0, min(left, PAINT_S))).not_done
        if not running or left <= 0:
            return len(running)


def _save_error_text(error: BaseException) -> str:
    """Why a photo was not saved (or not taken back): the store's own line for a full disk or a
    folder gone, else the app's sentence for an unexpected failure, which points to the log (a
    KeyError's "'quality_score'" told a therapist nothing)."""
    return worker_error_text(error) if unexpected_save_error(error) else str(error)


def _unsaved_text(expression: str, error: BaseException, withdrawal: bool) -> str:
    """A photo of the shown assessment that did not reach the record, or (`withdrawal`) a rejected
    one that did not leave it, and how to mend it."""
    title, reason = TITLES[expression], _save_error_text(error)
    if withdrawal:
        return (f"The rejected {title} photo could not be removed from the record ({reason}); "
                "take the new photo: it replaces the old one")
    return f"The {title} photo could not be saved ({reason}); take it again"


def _lost_photo_text(whose: str, expression: str, error: BaseException, withdrawal: bool) -> str:
    """A photo of `whose` (the patient; the assessment's number for the log) that did not reach
    the record, or (`withdrawal`) a rejected one that did not leave it, and how to mend it."""
    title, reason = TITLES[expression], _save_error_text(error).rstrip(".")
    if withdrawal:
        return (f"The rejected {title} photo of {whose} could not be removed from the record ({reason}): "
                "resume that assessment and retake it")
    return f"The {title} photo of {whose} could not be saved ({reason}): resume that assessment and take it again"


def _step_text(expression: str, note: str) -> str:
    """The step's instruction, and below it the file a folder of camera names gives the step
    (`name_order_note`), when it does."""
    return f"{INSTRUCTIONS[expression]}\n\n{note}." if note else INSTRUCTIONS[expression]


def _step_warning(note: str) -> str:
    """A flagged step's second line ("⚠ no face – retake?"), broken to fit the step list."""
    return "\u26a0 " + note.replace(" against", "\nagainst").replace(", not ", ",\nnot ").replace(SAME_AS_PREFIX, SAME_AS_PREFIX.rstrip() + "\n")


def _photo_icon(photo: CapturedPhoto) -> QIcon:
    """A photo's thumbnail for its step, from its small copy (`CapturedPhoto.small`, made once),
    at the highest pixel ratio of the screens as `rgb_to_pixmap` makes it: the whole 4K photo
    converted and scaled here held the GUI thread 45 ms at every photo taken."""
    app = QGuiApplication.instance()
    dpr = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    return QIcon(rgb_to_pixmap(photo.small(round(THUMB * dpr)), THUMB, dpr))


def _step_tooltip(note: str) -> str:
    if note == NO_MOVEMENT_NOTE:
        why = "this photo barely differs from the rest photo"
    elif note.startswith(FROM_PREFIX):
        why = ("the source changed in the middle of the visit: this photo comes from another source than the "
               "latest photo, so it may show another person or another camera position")
    elif note.startswith(SAME_AS_PREFIX):
        why = ("this photo barely differs from that expression's photo: a camera that repeats its last picture, "
               "or Space pressed twice, takes one expression twice")
    else:
        why = "the face check found this when the photo was taken, and the analysis needs one face"
    return f"{note[:1].upper()}{note[1:]}: {why}. Select the step and press Retake (R)."

