"""Results and review page: overlays per expression, probabilities, regional function, flags,
review (confirm or override), Export PDF."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.analysis import AnalysisResult
from app.help_dialogs import CONFIRM_KEYS, native_keys
from app.local_time import days_apart
from app.pages.instructions import TITLES
from app.pages.patient_label import PatientLabel, label_parts
from app.pages.results_logic import (
    CHOOSE_GRADE,
    FLAGGED_NOTE,
    GRADED_BY_CAUTION,
    GRADED_BY_DEMO,
    NO_FLAGS,
    NO_MEASURED_GRADE,
    OVERRIDE_REASON_MIN_CHARS,
    REGION_UNITS,
    REVIEW_FLAGS,
    KeptReviews,
    ReviewForm,
    attention_label,
    attention_tip,
    class_label,
    decision_text,
    export_blocker,
    function_cell,
    grade_label,
    grade_row_label,
    graded_by_text,
    heat_key_colours,
    heat_lut,
    initial_grade,
    kept_review_note,
    measured_notes,
    measured_unavailable_text,
    method_line,
    movement_text,
    offered_spelling,
    percent_text,
    printed_attention,
    probabilities_text,
    reason_length,
    recent_names,
    result_summary,
    review_decision,
    segmentation_lut,
    side_text,
    stored_method,
    wider_than_rest,
)
from app.reopen import RECORD_EDITED, export_refusal
from app.review_drafts import ReviewDrafts
from app.widgets.announce import announce
from app.widgets.elided_label import ElidedLabel
from app.widgets.fonts import EMPHASIS, HEADING, scale_font
from app.widgets.page_stack import PageArea
from app.widgets.plain_text import plain, plain_tooltip
from app.widgets.plot_menus import plot_widget, without_export
from app.widgets.tones import ERROR, MUTED, SUCCESS, WARNING, set_tone, tone_css
from models.errors import InputError
from models.labels import CLASS_COLOURS, CLASSES, GRADES
from models.pipeline.flag_wording import (
    DOUBTFUL_NOTE,
    doubtful_photos,
    measured_side,
    review_flags,
    spaced_percent,
    top_probability_text,
)
from models.pipeline.overlays import ATTENTION_NOTE

NOTES_LINES = 6  # lines of review notes shown without scrolling
DOUBTFUL_BACKGROUND = "#fdebd0"  # a region measured on a doubtful photo
DOUBTFUL_TEXT = "#3d2e00"  # its text, dark on that light background whatever the palette
ZOOM_STEP = 1.25  # one + or - on the photo
PAN_STEP = 0.1  # one arrow key on the photo: this share of the part in view
NETWORK_GRADE = "the network's grade"  # the accessible description of its grade button
HEAT_KEY_SIZE = (160, 12)  # the attention heat's colour strip, in pixels
# a review being typed is written to the data folder this long after the last change (a crash
# loses at most the typing of this moment; a write per key pressed would fsync per key)
REVIEW_DRAFT_DELAY_MS = 500

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, foreground="#333333")  # readable axes on white


class OverlayView(pg.GraphicsLayoutWidget):
    """Photo, segmentation and attention heat as ImageItems stacked by Z in one ViewBox."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=True, enableMenu=False)
        without_export(self)
        self.photo = pg.ImageItem()
        self.segmentation = pg.ImageItem()
        self.heat = pg.ImageItem()
        for z, item in enumerate((self.photo, self.segmentation, self.heat)):
            item.setZValue(z)
            self.view.addItem(item)
        self.placeholder = pg.TextItem(anchor=(0.5, 0.5), color="#555555")
        self.view.addItem(self.placeholder)
        self.placeholder.hide()
        self.setToolTip("Wheel or + / -: zoom; drag or the arrow keys: move; double-click, 0 or Home: the whole photo again")
        # a Tab stop (the mouse alone zoomed it): a frame marks the keyboard on it, none moves it
        self.setStyleSheet("QGraphicsView { border: 2px solid transparent; }"
                           "QGraphicsView:focus { border: 2px solid palette(highlight); }")

    def mouseDoubleClickEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """The whole photo again after zooming (pyqtgraph's "View All" menu is off: plot_menus)."""
        if not self.placeholder.isVisible():
            self.view.autoRange(padding=0.01)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Zoom and move by keyboard, as the wheel and a drag do: a low-vision keyboard user
        could enlarge the photo only by enlarging the window."""
        if self.placeholder.isVisible() or not self._navigate(Qt.Key(event.key())):
            super().keyPressEvent(event)
            return
        event.accept()

    def _navigate(self, key: Qt.Key) -> bool:
        """+ or = zooms in (with Ctrl too), - out, an arrow moves that way, 0 or Home shows the
        whole photo; False for any other key."""
        (left, right), (top, bottom) = self.view.viewRange()
        step_x, step_y = (right - left) * PAN_STEP, (bottom - top) * PAN_STEP
        moves = {Qt.Key.Key_Left: (-step_x, 0), Qt.Key.Key_Right: (step_x, 0),
                 Qt.Key.Key_Up: (0, -step_y), Qt.Key.Key_Down: (0, step_y)}  # y grows downwards (invertY)
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.view.scaleBy(s=(1 / ZOOM_STEP, 1 / ZOOM_STEP))
        elif key == Qt.Key.Key_Minus:
            self.view.scaleBy(s=(ZOOM_STEP, ZOOM_STEP))
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Home):
            self.view.autoRange(padding=0.01)
        elif key in moves:
            self.view.translateBy(*moves[key])
        else:
            return False
        return True

    def display(self, photo: np.ndarray, mask: np.ndarray, heat: np.ndarray | None, seg_lut: np.ndarray, heat_table: np.ndarray) -> None:
        """Show one expression: photo under its mask and heat map (same pixel grid)."""
        self.placeholder.hide()
        self.photo.setImage(photo, levels=(0, 255))
        self.segmentation.setImage(mask, levels=(0, 255), lut=seg_lut)
        if heat is None:
            self.heat.clear()
        else:
            self.heat.setImage((np.clip(heat, 0, 1) * 255).astype(np.uint8), levels=(0, 255), lut=heat_table)
        self._keep_in_view(*photo.shape[:2])
        self.view.autoRange(padding=0.01)

    def _keep_in_view(self, height: int | None, width: int | None) -> None:
        """Zoom and move stay where the photo is seen: out to twice its size at most, in to a
        fiftieth, its middle never beyond the view (pressing - and an arrow key a few times left
        a speck, then a blank view); no limits while a message shows instead (None)."""
        if height is None or width is None:
            self.view.setLimits(xMin=None, xMax=None, yMin=None, yMax=None, maxXRange=None, maxYRange=None,
                                minXRange=None, minYRange=None)
            return
        self.view.setLimits(xMin=-width / 2, xMax=1.5 * width, yMin=-height / 2, yMax=1.5 * height,
                            maxXRange=2 * width, maxYRange=2 * height, minXRange=width / 50, minYRange=height / 50)

    def show_message(self, text: str) -> None:
        """No photo to show: clear every layer (nothing of an earlier patient stays) and say why."""
        for item in (self.photo, self.segmentation, self.heat):
            item.clear()
        self.placeholder.setText(text)
        self.placeholder.setPos(0, 0)
        self.placeholder.show()
        self._keep_in_view(None, None)
        self.view.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)


class HeatKey(QWidget):
    """The attention heat's colour key under the photo: "little", the heat's colours, "much
    attention" (nothing said which end of red to white meant much)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        colours = np.ascontiguousarray(heat_key_colours()[None, :, :])  # one row of 256 pixels
        image = QImage(colours.data, colours.shape[1], 1, colours.strides[0], QImage.Format.Format_RGB888).copy()
        strip = QLabel()
        strip.setPixmap(QPixmap.fromImage(image.scaled(*HEAT_KEY_SIZE)))
        strip.setAccessibleName("Heat colours: grey, then red, yellow and white as attention grows")
        self.setAccessibleName("Attention heat key")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("little"))  # the note under it begins "Attention heat:"
        row.addWidget(strip)
        row.addWidget(QLabel("much attention"))
        row.addStretch(1)


def window_shortcut(widget: QWidget, event: QKeyEvent) -> bool:
    """`event` is the key of an enabled action of `widget`'s window that needs Ctrl (or Cmd):
    Ctrl+E, Ctrl+Shift+Return, Ctrl+H... Keys without it (letters, Space, arrows) stay typing."""
    combination = event.keyCombination()
    modifiers = combination.keyboardModifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if not modifiers & Qt.KeyboardModifier.ControlModifier:
        return False
    pressed = QKeySequence(combination.key() | modifiers)
    return any(action.isEnabled() and any(key.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch for key in action.shortcuts())
               for action in widget.window().actions())


class WindowKeysFirst(QObject):
    """Event filter of the review's text fields: the window's shortcuts win over the field's own
    editing keys. Linux's (X11) key bindings make Ctrl+E "end of line" in a text field, so
    Ctrl+E (Export PDF, printed on the button) did nothing from the Clinician field."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(watched, QWidget) and window_shortcut(watched, event):
            event.ignore()  # not overridden: the window's action takes the key
            return True
        return False


def confirm_button_text(grade: str | None) -> str:
    """What Confirm says: the grade it will store, or only what it does when none is ticked."""
    return f"Confirm grade {grade}" if grade else "Confirm grade"


class ResultsPage(QWidget):
    """Shows an AnalysisResult; the review form confirms or overrides the grade."""

    confirm_requested = Signal(object)  # ReviewDecision
    export_requested = Signal()
    back_requested = Signal()
    # assessment numbers whose review typed could not be written to the data folder (newly):
    # lost if Palsy Grader closes; the window says so
    review_unkept = Signal(object)  # {assessment: why its review was not kept}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result: AnalysisResult | None = None
        self.read_only = False
        self.status = "analysed"
        self._stored_review: tuple[str, str, str] | None = None  # (grade, clinician, notes) on record
        self.overlays_pending = False  # a reopened assessment's overlays are being recomputed
        self.exporting = False  # the report of the assessment shown is being written: the review is locked
        self._export_had_keyboard = False  # Export had the keyboard when its report was started
        self.flagged = False  # the result carries flags for review: its review starts with no grade ticked
        self.assessment_id: int | None = None  # the assessment shown, whose unconfirmed review is kept
        self.kept_reviews = KeptReviews()  # in the data folder too once the window gives it (`use_review_drafts`)
        self._filled: ReviewForm | None = None  # the form as show_result filled it: None while filling
        # writes the kept reviews to the data folder once the typing pauses (`_keep_review`)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(REVIEW_DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.write_kept_reviews)

        self.title = ElidedLabel("Results")
        scale_font(self.title, HEADING, bold=True)
        self.expression_combo = QComboBox()
        self.expression_combo.setAccessibleName("Expression shown")
        self.expression_combo.currentIndexChanged.connect(self._render_overlay)
        self.attention_combo = QComboBox()
        self.attention_combo.setAccessibleName("Attention map")
        self.attention_combo.setToolTip(ATTENTION_NOTE)
        self.attention_combo.currentIndexChanged.connect(self._render_overlay)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setAccessibleName("Heat opacity")
        self.opacity.setRange(0, 100)
        self.opacity.setValue(60)
        self.opacity.valueChanged.connect(self._render_overlay)
        self.segmentation_box = QCheckBox("Segmentation")
        self.segmentation_box.setChecked(True)
        self.segmentation_box.toggled.connect(self._render_overlay)
        self.overlay = OverlayView()
        self.overlay.setMinimumSize(360, 360)
        self.overlay.setAccessibleName("Photo with the segmentation and attention overlays")
        self.heat_key = HeatKey()
        # its room is kept while hidden: the photo shrank and grew 20 px as the heat went on and off
        policy = self.heat_key.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.heat_key.setSizePolicy(policy)

        self.class_boxes: dict[int, QCheckBox] = {}
        legend = QGroupBox("Classes")
        grid = QGridLayout(legend)
        grid.setVerticalSpacing(2)
        for index in range(1, len(CLASSES)):
            box = QCheckBox(class_label(index))
            r, g, b = CLASS_COLOURS[index]
            box.setStyleSheet(
                # the border in the palette's text colour: #333 vanished on a dark theme's background
                f"QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid palette(window-text); }}"
                f"QCheckBox::indicator:checked {{ background: rgb({r},{g},{b}); }}"
                "QCheckBox::indicator:unchecked { background: white; }"
            )
            box.setChecked(True)
            box.toggled.connect(self._render_overlay)
            self.class_boxes[index] = box
            # three a row: in two, the list was cut at 1366x768 (usability review 2026-12-06)
            grid.addWidget(box, (index - 1) // 3, (index - 1) % 3)

        controls = QFormLayout()
        controls.addRow("Expression", self.expression_combo)
        controls.addRow("Attention", self.attention_combo)
        controls.addRow("Heat opacity", self.opacity)
        controls.addRow("", self.segmentation_box)
        left = QVBoxLayout()
        left.addLayout(controls)
        left.addWidget(self.overlay, 1)
        left.addWidget(self.heat_key)
        self.attention_note = QLabel(ATTENTION_NOTE)
        self.attention_note.setWordWrap(True)
        set_tone(self.attention_note, MUTED)
        left.addWidget(self.attention_note)
        left.addWidget(legend)

        self.chart = plot_widget(background="w")
        self.chart.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chart.setAccessibleName("Network grade probabilities")
        self.chart.setMinimumHeight(150)
        self.chart.setMaximumHeight(230)
        self.chart.setMouseEnabled(False, False)
        self.chart.getPlotItem().hideButtons()  # no "A" (auto-range) button on a fixed chart
        self.chart.setYRange(0, 1)
        self.chart.setLabel("left", "probability")
        self.chart.getAxis("bottom").setTicks([[(i, g) for i, g in enumerate(GRADES)]])
        self.bars = pg.BarGraphItem(x=np.arange(6), height=np.zeros(6), width=0.6, brush="#4a7bd0")
        self.chart.addItem(self.bars)
        self.grade_label = QLabel()
        self.grade_label.setWordWrap(True)
        self.grade_label.setTextFormat(Qt.TextFormat.RichText)  # bold grades; the words in it are escaped
        # a caret reads it by keyboard once clicked (or with a screen reader's review keys); no Tab stop
        readable = Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        self.grade_label.setTextInteractionFlags(readable)
        scale_font(self.grade_label, EMPHASIS)
        # the last confirmed visit, beside today's grades: a comparison needed the history, leaving the review
        self.last_visit_label = plain(QLabel())  # it names the clinician
        self.last_visit_label.setWordWrap(True)
        self.last_visit_label.setAccessibleName("Last confirmed visit")
        self.last_visit_label.hide()
        # the weights that graded the result (a reopened visit's; a live one's once others are loaded),
        # and their own warning when they are not the loaded ones (the banner speaks of those; the
        # result's report prints its own record's box)
        self.graded_by_label = plain(QLabel())  # a file's name
        self.graded_by_label.setWordWrap(True)
        self.graded_by_label.setAccessibleName("Weights that graded this visit")
        self.graded_by_label.hide()
        self.regions = QTableWidget(0, 4)
        # the sides on two lines: at a 15 pt font "Patient's right" was cut in its quarter of the table
        self.regions.setHorizontalHeaderLabels(["Region", "Patient's\nleft", "Patient's\nright", "Function"])
        self.regions.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # a long one-word region name wraps rather than ending in "…" ("Commis… excursion" at 15 pt)
        self.regions.setWordWrap(True)
        self.regions.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.regions.verticalHeader().setVisible(False)
        self._fit_region_headers()
        self.regions.setMinimumHeight(120)
        self.regions.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)  # measurements, not a form
        self.regions.setAccessibleName("Measured regional function")
        self.regions.setTabKeyNavigation(False)  # Tab leaves the table
        # nothing measured: the report's sentence in place of an empty table
        self.regions_missing = plain(QLabel())  # the notes may quote a file
        self.regions_missing.setWordWrap(True)
        self.regions_missing.setTextInteractionFlags(readable)
        self.regions_missing.setAccessibleName("Measured regional function")
        self.regions_missing.hide()
        # how the Function column and the measured grade's percent are made, as the report prints
        # it under its table (here it was only in hover tooltips)
        self.method_label = QLabel()
        self.method_label.setWordWrap(True)
        self.method_label.setTextInteractionFlags(readable)
        self.method_label.setAccessibleName("How the measured function is computed")
        set_tone(self.method_label, MUTED)
        self.flags = QLabel()
        self.flags.setWordWrap(True)
        self.flags.setTextFormat(Qt.TextFormat.RichText)
        self.flags.setTextInteractionFlags(readable)

        review = QGroupBox("Review")
        self.grade_buttons = QButtonGroup(self)
        self.grade_row = QWidget()  # named as its caption ("Grade to confirm"): a reader gets the row's name
        self.grade_row.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # beside its caption
        grade_row = QHBoxLayout(self.grade_row)
        grade_row.setContentsMargins(0, 0, 0, 0)
        for i, grade in enumerate(GRADES):
            button = QRadioButton(grade)
            button.setAccessibleName(f"Grade {grade_label(grade)}")  # "Grade I – normal": a reader said "I"
            self.grade_buttons.addButton(button, i)
            grade_row.addWidget(button)
        self.clinician_edit = QLineEdit()
        self.clinician_edit.setAccessibleName("Clinician confirming the grade")
        # the names confirmed earlier in the session complete what one types (the rest selected,
        # Up/Down for another), never fill an empty field: the name was typed for every patient,
        # and a name filled in was confirmed with one key. Inline, not a popup list: the popup
        # took Return and Ctrl+Shift+Return, and stayed open over the confirmed review
        self.recent_clinicians = QStringListModel(self)
        names = QCompleter(self.recent_clinicians, self)
        names.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        names.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self.clinician_edit.setCompleter(names)
        self.clinician_edit.setToolTip("Names confirmed earlier in this session complete what you type (Up/Down: another)")
        # Return (or keypad Enter) after the name goes on to Notes, never confirms: with a default
        # clinician filled in, Tab then Return wrote an audited confirmation before any note
        self.clinician_edit.returnPressed.connect(self._clinician_entered)
        self.clinician_edit.editingFinished.connect(self._use_offered_spelling)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setAccessibleName("Review notes")
        # six lines at the font in use: a 500-character override reason showed 2 of its lines in 60 px
        margins = self.notes_edit.contentsMargins()
        self.notes_edit.setFixedHeight(self.notes_edit.fontMetrics().lineSpacing() * NOTES_LINES
                                       + 2 * int(self.notes_edit.document().documentMargin())
                                       + margins.top() + margins.bottom())
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on to Confirm instead of typing a tab
        self.keys_filter = WindowKeysFirst(self)
        for field in (self.clinician_edit, self.notes_edit):
            field.installEventFilter(self.keys_filter)
        self.review_error = plain(QLabel())  # an error may quote a name or a path
        set_tone(self.review_error, ERROR)  # readable on a dark palette too
        self.review_error.setWordWrap(True)
        # the button names the grade it confirms: it stays in view below the scrolling form, so it
        # can be pressed with the ticked grade scrolled away (the network's, unseen)
        self.confirm_button = QPushButton(confirm_button_text(None))
        self.confirm_button.setToolTip("Confirm the ticked grade under your name (an override of the network's grade needs its reason in Notes, "
                                       f"at least {OVERRIDE_REASON_MIN_CHARS} letters or digits, "
                                       f"and is audited as one): {native_keys(CONFIRM_KEYS)}")
        self.confirm_button.clicked.connect(self.confirm)
        self.export_button = QPushButton(f"Export PDF  [{native_keys('Ctrl+E')}]")  # ⌘E on macOS
        # Return on it clicks it (outside a dialog a button takes only Space): Confirm leaves the
        # keyboard here, and Return, the key one presses next, did nothing
        self.export_button.setAutoDefault(True)
        self.export_button.clicked.connect(self.export_requested)
        self.back_button = QPushButton("Back to patients")
        self.back_button.clicked.connect(self.back_requested)
        self.grade_buttons.idToggled.connect(lambda *_: self._refresh_export())
        self.grade_buttons.idToggled.connect(lambda *_: self._name_confirmed_grade())
        self.clinician_edit.textChanged.connect(self._refresh_export)
        self.notes_edit.textChanged.connect(self._refresh_export)
        self.grade_buttons.idToggled.connect(lambda *_: self._keep_review())
        self.clinician_edit.textChanged.connect(self._keep_review)
        self.notes_edit.textChanged.connect(self._keep_review)
        # a refusal's reason, given to the field it sends the keyboard to, goes once the field is edited
        self.clinician_edit.textChanged.connect(lambda: self.clinician_edit.setAccessibleDescription(""))
        self.notes_edit.textChanged.connect(lambda: self.notes_edit.setAccessibleDescription(""))
        # the decision on record, in words: after Confirm the form looks as before, and a
        # read-only form shows it only as a greyed-out radio button
        # plain text: a clinician typed as '<font size=6>Prof. Chief (grade I)</font>' faked a grade here
        self.decision_label = plain(QLabel())
        self.decision_label.setWordWrap(True)
        set_tone(self.decision_label, SUCCESS, "font-weight: 700;")
        # why no grade is ticked on a flagged result: in the fixed bar, just above the grade buttons
        # (in the scrolling form it was below the fold at 1280x720 and 1366x768 at 125-150 %)
        self.flagged_note = QLabel(FLAGGED_NOTE)
        self.flagged_note.setWordWrap(True)
        set_tone(self.flagged_note, WARNING)
        self.flagged_note.hide()
        # a review typed earlier (in the session, or before Palsy Grader closed) and brought back:
        # still to be confirmed (above the grade buttons too, which show the grade brought back)
        self.kept_note = QLabel(kept_review_note(False))
        self.kept_note.setWordWrap(True)
        set_tone(self.kept_note, WARNING)
        self.kept_note.hide()
        review_form = QFormLayout(review)
        review_form.addRow(self.decision_label)
        self.grade_caption = QLabel(grade_row_label(False))  # "Confirmed grade" once it is
        review_form.addRow("Clinician", self.clinician_edit)
        review_form.addRow("Notes", self.notes_edit)
        review_form.addRow(self.review_error)

        right = QVBoxLayout()
        right.addWidget(self.chart)
        caption = QLabel("Measured regional function")
        # the PDF explains the units below its table; here the caption's tooltip does
        caption.setToolTip(REGION_UNITS)
        self.regions.setToolTip(REGION_UNITS)
        right.addWidget(caption)
        right.addWidget(self.regions)
        right.addWidget(self.regions_missing)
        right.addWidget(self.method_label)
        right.addWidget(self.flags)
        right.addWidget(review)

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        # the photos, numbers and review scroll; Confirm, Export and Back stay below them, in
        # view (at 1366×768, 1280×720, 1024×768 and at 200 % they began below the screen)
        self.body_area = PageArea(body)
        # the grade to confirm stays in view beside Confirm, below the scrolling body: the page
        # opens with the body at its top (the photo, chart and table whole) and the keyboard on
        # the grades; in the body, focusing them scrolled it to its middle at 125 % on 1366x768
        grades = QHBoxLayout()
        grades.addWidget(self.grade_caption)
        grades.addWidget(self.grade_row)
        grades.addStretch(1)
        footer = QHBoxLayout()
        footer.addWidget(self.confirm_button)
        footer.addWidget(self.export_button)
        footer.addStretch(1)
        footer.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        # the network's and the measured grade stay in view above the scrolling body: scrolled to
        # the ticked grade on a small screen or at a large font, the body hid the line that
        # states them (1366x768 at 125 %, a 15 pt font)
        layout.addWidget(self.grade_label)
        layout.addWidget(self.last_visit_label)
        layout.addWidget(self.graded_by_label)
        layout.addWidget(self.body_area, 1)
        layout.addWidget(self.flagged_note)  # shown only when set: a hidden label takes no room
        layout.addWidget(self.kept_note)
        layout.addLayout(grades)
        layout.addLayout(footer)
        # the grades below the body still come after the table and before the clinician, as in the form
        buttons = self.grade_buttons.buttons()
        for before, after in zip([self.regions, *buttons], [*buttons, self.clinician_edit], strict=True):
            QWidget.setTabOrder(before, after)
        QWidget.setTabOrder(self.clinician_edit, self.notes_edit)
        # Tab goes from the notes on to Confirm, Export and Back, as the form reads
        QWidget.setTabOrder(self.notes_edit, self.confirm_button)
        QWidget.setTabOrder(self.confirm_button, self.export_button)
        QWidget.setTabOrder(self.export_button, self.back_button)
        # then the photo, last: its keys zoom and move it (it is no form control)
        QWidget.setTabOrder(self.back_button, self.overlay)
        # a control given the keyboard is scrolled into view in the body by the window
        # (`PageStack.ensure_visible` scrolls a page's inner scrolling parts too)

    # -- showing a result ---------------------------------------------------------------
    def show_result(self, result: AnalysisResult, patient_label: str | PatientLabel, status: str, confirmed: str | None = None,
                    clinician: str = "", notes: str = "", read_only: bool = False, registered_side: str = "unknown",
                    capture_times: Iterable[str] = (), assessment_id: int | None = None) -> None:
        """Render `result`; `status` and the review form decide whether Export is enabled;
        `registered_side` is the affected side entered for the patient, shown beside the
        measured one; `capture_times` (the photos' stored timestamps) flag photos of several days
        before anyone confirms, as the report does. The review typed earlier in the session for
        `assessment_id`, still unconfirmed, comes back in the form (one typed before Palsy Grader
        closed too, from the data folder)."""
        self.write_kept_reviews()  # the review shown until now, before the form is filled again
        self._filled = None  # filling the form is no typing to keep
        self.show_graded_by(None)  # the window names the weights after this when it has to
        self.assessment_id = assessment_id
        self.result = result
        self.read_only = read_only
        self.status = status
        self.title.set_parts(*label_parts("Results \u2013 ", patient_label, "  (read-only)" if read_only else ""))
        self._populate_views(result)
        probs = np.array([result.probabilities.get(g, 0.0) for g in GRADES])
        brushes = ["#d9822b" if g == result.grade else "#4a7bd0" for g in GRADES]
        self.bars.setOpts(height=probs, brushes=brushes)
        # the bars in words, for a screen reader and for reading a near-tie off the chart
        in_words = probabilities_text(result.probabilities, result.grade)
        self.chart.setAccessibleDescription(in_words)
        self.chart.setToolTip(f"Network grade probabilities: {in_words}")
        # as the low-confidence flag words it: 0.4996 is "49.96 %", never "50 %" beside "< 50%"
        top = spaced_percent(top_probability_text(result.probabilities.get(result.grade, 0.0)))
        measured_grade = grade_label(result.measured_grade) if result.measured_grade else None
        function = percent_text(result.function_percent)
        side = side_text(measured_side(result.affected_side, result.measured_grade), registered_side)
        # both grades, always (DESIGN §7): with none measured the line said nothing of it
        measured = (f"<br>Measured grade: <b>{html.escape(measured_grade)}</b> ({function} function)"
                    if measured_grade else f"<br>Measured grade: {html.escape(NO_MEASURED_GRADE)}")
        self.grade_label.setText(
            f"Network grade: <b>{html.escape(grade_label(result.grade))}</b> (probability {top}){measured}"
            f"<br>{html.escape(side)}"
        )
        for grade, button in zip(GRADES, self.grade_buttons.buttons(), strict=True):
            button.setAccessibleDescription(NETWORK_GRADE if grade == result.grade else "")
        self.regions.setRowCount(len(result.regions))
        self._fit_region_headers()  # at the font in use now
        # nothing measured: the report's "Not available: <why>" instead of an empty table
        self.regions.setVisible(bool(result.regions))
        self.regions_missing.setText("" if result.regions else measured_unavailable_text(measured_notes(result)))
        self.regions_missing.setVisible(not result.regions)
        doubtful = doubtful_photos(result.flags)
        for row, region in enumerate(result.regions):
            values = [region.region.replace("_", " "), movement_text(region.left, region.unit, region.region),
                      movement_text(region.right, region.unit, region.region),
                      function_cell(region.percent, region.judged, region.left, region.right)]
            note = "; ".join(filter(None, (region.note, wider_than_rest(region.region, region.left, region.right))))
            if region.expression in doubtful:
                values[3] += " \u26a0"
                note = "; ".join(filter(None, (DOUBTFUL_NOTE, note)))
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if note:
                    item.setToolTip(note)
                if region.expression in doubtful:
                    item.setBackground(QColor(DOUBTFUL_BACKGROUND))
                    item.setForeground(QColor(DOUBTFUL_TEXT))  # the palette's text is light on a dark theme
                self.regions.setItem(row, col, item)
        method = method_line(result.regions, result.measured_grade, result.function_percent, result.raw,
                             stored_method(result))
        self.method_label.setText(method)
        self.method_label.setVisible(bool(method))  # nothing measured: no method under an empty table
        # tall enough for every region: nothing hides behind a scroll bar
        self.regions.resizeRowsToContents()
        rows = sum(self.regions.rowHeight(r) for r in range(self.regions.rowCount()))
        self.regions.setFixedHeight(self.regions.horizontalHeader().height() + max(rows, 60) + 2 * self.regions.frameWidth() + 2)
        # in the report's words and by its rule (flag_wording), not the pipeline's codes
        review = review_flags(result.flags, registered_side, result.affected_side, days_apart(capture_times))
        if review:
            items = "".join(f"<li><b>{html.escape(title)}</b>: {html.escape(detail)}</li>" if detail
                            else f"<li><b>{html.escape(title)}</b></li>" for title, detail in review)
            self.flags.setText(f"<b style='color:{tone_css(WARNING)}'>{REVIEW_FLAGS}</b><ul style='margin:0'>{items}</ul>")
        else:
            self.flags.setText(f"<span style='color:{tone_css(SUCCESS)}'>{NO_FLAGS}</span>")
        self._stored_review = None  # while the form is filled in, nothing counts as edited
        self.flagged = bool(review)
        chosen = initial_grade(result.grade, self.flagged, confirmed, read_only)
        kept = self.kept_reviews.get(assessment_id) if status == "analysed" and not read_only else None
        if status != "analysed" and assessment_id is not None:
            self.forget_review(assessment_id)  # confirmed since (here or at another station)
        self._fill_form(kept or ReviewForm(chosen, clinician, notes))
        self.kept_note.setText(kept_review_note(self.kept_reviews.from_before(assessment_id)))
        self.kept_note.setVisible(kept is not None)
        self._clear_refusal()
        self.exporting = False  # another assessment's report may be written: this review is free
        self._lock_review()
        self._stored_review = (confirmed, clinician.strip(), notes.strip()) if confirmed else None
        self.update_status(status)
        self._render_overlay()
        self._filled = ReviewForm(chosen, clinician, notes)
        # a result opens at the top of its body: the photo, the chart and the table's header (an
        # earlier result's scrolling, or its focused control, left it in the middle)
        self.body_area.verticalScrollBar().setValue(0)
        # a reader spoke only the focused grade button: the result, said once it is on screen
        on_record = grade_label(confirmed) if status == "confirmed" and confirmed else None
        announce(self, result_summary(str(patient_label), grade_label(result.grade), top, measured_grade, function,
                                      side, [title for title, _detail in review], on_record, clinician.strip()))

    def _fill_form(self, form: ReviewForm) -> None:
        self.grade_buttons.setExclusive(False)
        for index, button in enumerate(self.grade_buttons.buttons()):
            button.setChecked(form.grade is not None and GRADES[index] == form.grade)
        self.grade_buttons.setExclusive(True)
        self.clinician_edit.setText(form.clinician)
        self.notes_edit.setPlainText(form.notes)

    def _form(self) -> ReviewForm:
        return ReviewForm(self.selected_grade(), self.clinician_edit.text(), self.notes_edit.toPlainText())

    def _keep_review(self) -> None:
        """Keep the review being typed while its grade is unconfirmed (a form back as it was
        filled keeps nothing), in the data folder too once the typing pauses."""
        if self._filled is None or self.assessment_id is None or self.read_only or self.status != "analysed":
            return
        form = self._form()
        if form == self._filled:
            self.kept_reviews.drop(self.assessment_id)
        else:
            self.kept_reviews.keep(self.assessment_id, form)
        self._draft_timer.start()  # (again): written REVIEW_DRAFT_DELAY_MS after the last change

    def use_review_drafts(self, drafts: ReviewDrafts | None) -> None:
        """Keep the unconfirmed reviews in the data folder of `drafts` as well (the window's):
        they then survive a crash, and come back when the visit is opened in a later run."""
        self.kept_reviews.drafts = drafts

    def write_kept_reviews(self) -> None:
        """Bring the data folder's copies of the kept reviews up to date now."""
        self._draft_timer.stop()
        if self.kept_reviews.unwritten:
            failed = self.kept_reviews.flush()
            if failed:
                self.review_unkept.emit(failed)

    def review_survives_close(self) -> bool:
        """The review typed for the assessment shown is in the data folder as it is now (written
        here first): it comes back even if Palsy Grader closes."""
        self.write_kept_reviews()
        return self.kept_reviews.survives_close(self.assessment_id)

    def forget_review(self, assessment_id: int) -> None:
        """Drop the review kept for the assessment, here and in the data folder (confirmed,
        discarded or entered in error: nothing left to confirm)."""
        self.kept_reviews.drop(assessment_id)
        self.write_kept_reviews()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        """The page left, or the window closed: the review typed is written at once, not after
        the pause."""
        self.write_kept_reviews()
        super().hideEvent(event)

    def _fit_region_headers(self) -> None:
        """Each column of the regions table at least as wide as its header's longest line: the
        grade row beside the review form kept the column wide enough; pinned below the body, the
        header's "Patient's" was cut at a 15 pt font."""
        header = self.regions.horizontalHeader()
        metrics = header.fontMetrics()
        lines = [line for column in range(self.regions.columnCount())
                 for line in self.regions.horizontalHeaderItem(column).text().splitlines()]
        width = max(metrics.horizontalAdvance(line) for line in lines) + 2 * metrics.averageCharWidth() + 4
        header.setMinimumSectionSize(width)
        self.regions.setMinimumWidth(width * self.regions.columnCount() + 2 * self.regions.frameWidth() + 2)

    def show_graded_by(self, model: dict | None, loaded_sha: str | None = None, demo: bool = False,
                       cautions: list[str] | tuple[str, ...] = ()) -> None:
        """The line naming the weights that graded the result shown (`model`, its record; None
        hides it), in the red or amber of its own warning when they are not the weights loaded
        now (`loaded_sha`): `results_logic.graded_by_text`."""
        if model is None:
            self.graded_by_label.clear()
            self.graded_by_label.setToolTip("")
            self.graded_by_label.hide()
            return
        text, kind = graded_by_text(model, loaded_sha, demo, cautions)
        self.graded_by_label.setText(text)
        set_tone(self.graded_by_label, {GRADED_BY_DEMO: ERROR, GRADED_BY_CAUTION: WARNING}.get(kind, MUTED),
                 "font-weight: 700;" if kind else "")
        self.graded_by_label.setToolTip(plain_tooltip("\n".join(f"\u2022 {c}" for c in cautions)) if kind else "")
        self.graded_by_label.show()

    def show_last_visit(self, text: str) -> None:
        """The line naming the patient's last confirmed visit ("" hides it)."""
        self.last_visit_label.setText(text)
        self.last_visit_label.setVisible(bool(text))

    def _populate_views(self, result: AnalysisResult) -> None:
        """The expression and attention choices of `result` (its photos and heat maps); the
        expression on screen stays chosen when `result` has it."""
        shown = self.expression_combo.currentData()
        self.expression_combo.blockSignals(True)
        self.expression_combo.clear()
        for name in result.expressions:
            self.expression_combo.addItem(TITLES.get(name, name), name)
        self.expression_combo.setCurrentIndex(max(0, self.expression_combo.findData(shown)))
        self.expression_combo.blockSignals(False)
        self.attention_combo.blockSignals(True)
        self.attention_combo.clear()
        self.attention_combo.addItem("None", None)
        first = next(iter(result.expressions.values()), None)
        names = list(first.attention) if first else []
        for name in names:
            self.attention_combo.addItem(attention_label(name), name)
        # on the map the report prints: the page showed Spatial 3x3 beside a report of 5x5
        printed = printed_attention(names)
        self.attention_combo.setCurrentIndex(max(0, self.attention_combo.findData(printed)) if printed else 0)
        tip = attention_tip(ATTENTION_NOTE, printed)
        self.attention_combo.setToolTip(tip)
        self.attention_combo.setAccessibleDescription(tip)
        self.attention_combo.blockSignals(False)

    def show_images(self, result: AnalysisResult) -> None:
        """Show `result`'s photos and overlays again (recomputed ones) without touching the
        review form, which may hold the clinician's typing."""
        self.result = result
        self._populate_views(result)
        self._render_overlay()

    def mark_confirmed(self, grade: str, clinician: str, notes: str) -> None:
        """The store now holds this decision: Export may use it. Its "✓ Confirmed" line is
        scrolled into view (pressed with the form scrolled away, it stayed out of sight)."""
        self._stored_review = (grade, clinician.strip(), notes.strip())
        if self.assessment_id is not None:
            self.forget_review(self.assessment_id)  # on record now
        self.recent_clinicians.setStringList(recent_names(self.recent_clinicians.stringList(), clinician))
        self.kept_note.hide()
        self.update_status("confirmed")
        if self.export_button.isEnabled():
            # Return or Ctrl+E goes on to the report; the keyboard was left in the Clinician field
            self.export_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.body_area.show_widget(self.decision_label)
        # once more when the page has grown by the line: the area then scrolls back to a focused
        # control in it (Ctrl+Shift+Return pressed in the photo choice, say)
        QTimer.singleShot(0, self, lambda: self.body_area.show_widget(self.decision_label))

    def _name_confirmed_grade(self) -> None:
        """Confirm's text and accessible name follow the ticked grade; the flagged line and a
        refusal for no grade go once one is ticked (they stayed, saying no grade was ticked)."""
        text = confirm_button_text(self.selected_grade())
        self.confirm_button.setText(text)
        self.confirm_button.setAccessibleName(text)
        if self.selected_grade() is not None:
            self.flagged_note.hide()
            if self.review_error.text() == CHOOSE_GRADE:
                self.review_error.clear()

    def set_exporting(self, exporting: bool) -> None:
        """The report of the assessment shown is being written (or no longer is). Meanwhile the
        review is locked and Export is off: a decision confirmed again during the render was
        stored while the report showed the old one."""
        had_keyboard = exporting and self.export_button.hasFocus()
        self.exporting = exporting
        self._lock_review()
        self._refresh_export()
        if had_keyboard:  # Qt moves it on (to Back to patients, where Space or Return left the page)
            self._export_had_keyboard = True
        elif not exporting and self._export_had_keyboard:
            self._export_had_keyboard = False
            focus = QApplication.focusWidget()
            on_page = focus is None or self.isAncestorOf(focus)  # not another page or window the user went to
            if on_page and self.export_button.isEnabled() and self.isVisible():
                self.export_button.setFocus(Qt.FocusReason.OtherFocusReason)  # back where the user left it

    def _lock_review(self) -> None:
        """The review form takes changes unless read-only or while its report is written. The
        clinician and notes stay Tab stops and legible when locked (disabled, Tab skipped them
        and they were light grey); nothing in them can be changed."""
        locked = self.read_only or self.exporting
        self.clinician_edit.setReadOnly(locked)
        self.notes_edit.setReadOnly(locked)
        for widget in (self.confirm_button, *self.grade_buttons.buttons()):
            widget.setEnabled(not locked)

    def set_overlays_pending(self, pending: bool) -> None:
        self.overlays_pending = pending
        self._refresh_export()

    def confirmed_grade(self) -> str | None:
        """The grade on record for this assessment (None before it is confirmed)."""
        return self._stored_review[0] if self._stored_review is not None else None

    def review_edited(self) -> bool:
        """The form differs from the confirmed decision on record (a report would not show it)."""
        if self._stored_review is None:
            return False
        form = (self.selected_grade(), self.clinician_edit.text().strip(), self.notes_edit.toPlainText().strip())
        return form != self._stored_review

    def update_status(self, status: str) -> None:
        self.status = status
        self._refresh_export()
        self._show_decision()

    def _show_decision(self) -> None:
        stored = self._stored_review if self.status == "confirmed" else None
        if stored:
            grade, clinician, _notes = stored
            edited = any(f.code == RECORD_EDITED for f in getattr(self.result, "flags", None) or [])
            self.decision_label.setText(decision_text(grade, clinician, self.result.grade if self.result else None,
                                                      edited))
            set_tone(self.decision_label, ERROR if edited else SUCCESS, "font-weight: 700;")
        else:
            self.decision_label.setText("")
        self.decision_label.setVisible(stored is not None)
        caption = grade_row_label(stored is not None)
        self.grade_caption.setText(caption)
        self.grade_row.setAccessibleName(caption)
        self.flagged_note.setVisible(self.flagged and stored is None and not self.read_only
                                     and self.selected_grade() is None)

    def _refresh_export(self) -> None:
        why = export_blocker(self.status, self.review_edited(), self.overlays_pending, export_refusal(self.result))
        if self.exporting:
            why = "The report is being written; the review can be changed again once it is saved"
        self.export_button.setEnabled(not why)
        self.export_button.setToolTip(why or f"Write and store the PDF report of the confirmed grade ({native_keys('Ctrl+E')})")

    def current_expression(self) -> str | None:
        return self.expression_combo.currentData()

    def _render_overlay(self) -> None:
        if self.result is None:
            return
        if not self.result.expressions:
            self.overlay.show_message("The stored photos could not be read")
            self.heat_key.hide()
            return
        name = self.current_expression() or next(iter(self.result.expressions))
        expr = self.result.expressions[name]
        enabled = {i for i, box in self.class_boxes.items() if box.isChecked()} if self.segmentation_box.isChecked() else set()
        attention = self.attention_combo.currentData()
        heat = expr.attention.get(attention) if attention else None
        self.opacity.setEnabled(heat is not None)  # nothing to fade with Attention: None
        self.opacity.setToolTip(f"{self.opacity.value()} %" if heat is not None else "Choose an attention map first")
        self.heat_key.setVisible(heat is not None)
        self.overlay.display(expr.photo, expr.mask, heat, segmentation_lut(enabled), heat_lut(self.opacity.value() / 100))

    # -- review ---------------------------------------------------------------------------
    def initial_focus(self) -> QWidget:
        """Where the keyboard starts: the ticked grade of a review (arrows choose another, Tab
        goes on to the clinician, notes and Confirm), grade I when none is ticked (Space ticks
        it, arrows move on); the photo choice when read-only."""
        grade = self.grade_buttons.checkedButton() or self.grade_buttons.button(0)
        return grade if grade.isEnabled() else self.expression_combo

    def _clinician_entered(self) -> None:
        """Return in the Clinician field: on to Notes (confirming is the button's or Ctrl+Shift+Return's)."""
        self.notes_edit.setFocus(Qt.FocusReason.TabFocusReason)

    def _use_offered_spelling(self) -> None:
        """A name typed all in lower case becomes the offered spelling once the field is left
        (a name filled in from the record stays as stored: the review unedited)."""
        filled = self._filled.clinician if self._filled is not None else None
        if not self.clinician_edit.isReadOnly() and self.clinician_edit.text() != filled:
            self._spell_as_offered()

    def _spell_as_offered(self) -> None:
        name = offered_spelling(self.clinician_edit.text(), self.recent_clinicians.stringList())
        if name != self.clinician_edit.text():
            self.clinician_edit.setText(name)

    def selected_grade(self) -> str | None:
        index = self.grade_buttons.checkedId()
        return GRADES[index] if index >= 0 else None

    def confirm(self) -> None:
        """Validate the review form and ask the window to store it."""
        if self.result is None or self.read_only or self.exporting:
            return
        self._spell_as_offered()  # Ctrl+Shift+Return in the field confirms before it is left
        try:
            decision = review_decision(self.selected_grade() or "", self.clinician_edit.text(), self.notes_edit.toPlainText(), self.result.grade)
        except InputError as exc:
            self._refuse(str(exc))
            return
        self._clear_refusal()
        self.confirm_requested.emit(decision)

    def _refuse(self, reason: str) -> None:
        """Show why Confirm was refused, and send the keyboard to the field that is short. A
        screen reader spoke only "Review notes, edit": the reason is the field's description,
        given before the focus moves, and is announced at once."""
        self.review_error.setText(reason)
        self.body_area.show_widget(self.review_error)  # the form may be scrolled away from Confirm
        field = self._short_field()
        if field is not None:
            field.setAccessibleDescription(reason)
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self, reason, assertive=True)

    def _short_field(self) -> QWidget | None:
        """The field a refusal names, in review_decision's order: the clinician, else the notes
        of an override (its reason goes there); None when no grade is ticked."""
        if not self.selected_grade():
            return None
        if not self.clinician_edit.text().strip():
            return self.clinician_edit
        if reason_length(self.notes_edit.toPlainText()) < OVERRIDE_REASON_MIN_CHARS:
            return self.notes_edit
        return None

    def show_confirm_failure(self, reason: str) -> None:
        """The store refused the confirmation (a full disk, a folder gone): the reason under the
        form, scrolled into view (at 1366x768 it lay below the fold and Confirm seemed to do
        nothing); the form stays as typed. Not spoken here: the window's status bar says it (once,
        without the database's path)."""
        self.review_error.setText(reason)
        self.body_area.show_widget(self.review_error)

    def _clear_refusal(self) -> None:
        self.review_error.clear()
        for field in (self.clinician_edit, self.notes_edit):
            field.setAccessibleDescription("")
