"""Patient page: search, list, new/edit dialog, start an assessment, open history."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.local_time import local_minute
from app.pages.capture_logic import stale_draft_age, stale_draft_warning
from app.pages.patient_label import born
from app.pages.patient_logic import (
    LIST_LIMIT,
    SAVE_ANYWAY,
    SEXES,
    SIDES,
    PatientFormError,
    as_sentence,
    awaiting_line,
    birth_date_doubt,
    list_hint,
    list_keys_hint,
    patient_row,
    same_person_warning,
    search_selection,
    validate_patient,
)
from app.records_gateway import AssessmentInfo, PatientInfo, RecordsGateway
from app.widgets.announce import announce
from app.widgets.fonts import HEADING, scale_font
from app.widgets.plain_text import plain
from app.widgets.tones import ERROR, MUTED, WARNING, set_tone
from models.errors import PalsyError


def offer_bar(label: QLabel, *buttons: QPushButton) -> QFrame:
    """A bar over the patients list offering something to take up (an unfinished assessment, a
    result awaiting confirmation): `label` says what, the `buttons` act; hidden until filled."""
    bar = QFrame()
    # its own text colour with its own background: a dark theme's white text on cream was unreadable
    bar.setStyleSheet("QFrame { background: #fff4d6; color: #3d2e00; border: 1px solid #e0a800; "
                      "border-radius: 4px; } QLabel { border: none; color: #3d2e00; }")
    label.setWordWrap(True)
    layout = QHBoxLayout(bar)
    layout.addWidget(label, 1)
    for button in buttons:
        layout.addWidget(button)
    bar.hide()
    return bar


def on_return(view: QAbstractItemView, slot: Callable[[], object]) -> None:
    """Return / Enter on `view` (while it has the focus) calls `slot`, as a double-click does.

    The context is set after construction: PySide6 ignores the constructor's `context=`
    keyword (6.11: the shortcut stayed a window shortcut), and Return typed in the patients
    search field started an assessment of whichever patient the list had selected."""
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        shortcut = QShortcut(QKeySequence(key), view)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(slot)


class PatientDialog(QDialog):
    """New / edit patient form; Save is refused with the reason shown until the form is valid.

    A new patient with the name and date of birth of a patient already stored (one person under
    two IDs: a mistyped MRN) is saved only at a second Save, after the form named the other. A new
    patient with an ID already registered is refused, naming the stored patient. Either way Open
    selects the stored patient (the first named) on the patients page (`open_existing`) and closes
    the form."""

    open_existing = Signal(str)

    def __init__(self, gateway: RecordsGateway, existing: PatientInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gateway = gateway
        self.existing = existing
        self.saved: PatientInfo | None = None
        # The new patient (ID, name, date of birth) and the stored ones it was said to look like:
        # a second Save of the same saves it.
        self._warned: tuple[str, str, str, tuple[str, ...]] | None = None
        self._doubted: str | None = None  # the date of birth before 1900 the form asked about
        self.setWindowTitle("Edit patient" if existing else "New patient")
        self.id_edit = QLineEdit(existing.patient_id if existing else "")
        self.id_edit.setReadOnly(existing is not None)
        self.name_edit = QLineEdit(existing.name if existing else "")
        # a plain text field: typed as YYYY-MM-DD (or 8 digits), blank when unknown; checked on Save
        self.dob_edit = QLineEdit(existing.birth_date if existing else "")
        self.dob_edit.setPlaceholderText("YYYY-MM-DD")
        self.dob_edit.setMaxLength(10)
        self.sex_combo = QComboBox()
        self.sex_combo.addItems([s or "not recorded" for s in SEXES])
        self.side_combo = QComboBox()
        self.side_combo.addItems(list(SIDES))
        if existing:
            self.sex_combo.setCurrentIndex(SEXES.index(existing.sex) if existing.sex in SEXES else 0)
            self.side_combo.setCurrentIndex(SIDES.index(existing.affected_side) if existing.affected_side in SIDES else 0)
        self.notes_edit = QPlainTextEdit(existing.notes if existing else "")
        self.notes_edit.setFixedHeight(70)
        self.notes_edit.setTabChangesFocus(True)  # Tab moves on to Save instead of typing a tab
        self.error_label = plain(QLabel())  # the store's errors quote the typed ID
        set_tone(self.error_label, ERROR)  # readable on a dark palette too
        self.error_label.setWordWrap(True)
        # a screen reader names each field (the form's labels are separate widgets)
        for widget, name in ((self.id_edit, "Patient ID or MRN"), (self.name_edit, "Name"),
                             (self.dob_edit, "Date of birth"), (self.sex_combo, "Sex"),
                             (self.side_combo, "Affected side (patient's)"), (self.notes_edit, "Patient notes")):
            widget.setAccessibleName(name)
        form = QFormLayout()
        form.addRow("Patient ID / MRN", self.id_edit)
        form.addRow("Name", self.name_edit)
        # the format in the label, wrapped, not in the placeholder only (cut "YYYY-MM-DD (blan…" at 18 pt)
        self.dob_label = QLabel("Date of birth (YYYY-MM-DD, blank if unknown)")
        self.dob_label.setWordWrap(True)
        self.dob_label.setBuddy(self.dob_edit)
        form.addRow(self.dob_label, self.dob_edit)
        form.addRow("Sex", self.sex_combo)
        # the patient's own side, as the results page and the report say (not the photo's left)
        form.addRow("Affected side (patient's, if known)", self.side_combo)
        form.addRow("Notes", self.notes_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.open_button = buttons.addButton("Open", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setAutoDefault(False)  # Return stays Save: the stored patient may be someone else
        self.open_button.hide()
        self.open_button.clicked.connect(self._open_existing)
        self._existing_id: str | None = None
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        # a change after the same-person question makes Save a plain Save again
        for edit in (self.id_edit, self.name_edit, self.dob_edit):
            edit.textChanged.connect(self._form_changed)
        self.id_edit.textChanged.connect(self.open_button.hide)  # another ID: not that patient's

    def _say(self, text: str, tone: str = ERROR, field: QWidget | None = None) -> None:
        """Show `text` under the form in `tone`, the dialog grown to hold it: a message of two or
        three lines was drawn over the Notes box (usability review 2026-12-06). It is announced
        at once, and `field` takes the keyboard with `text` as its description (a refusal or a
        question was silent to a screen reader, and a second Return saved "anyway" unheard)."""
        self._clear_descriptions()
        self.error_label.setText(text)
        set_tone(self.error_label, tone)
        if text:
            self.error_label.setMinimumHeight(self.error_label.heightForWidth(max(self.error_label.width(), 1)))
        else:
            self.error_label.setMinimumHeight(0)
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))
        if not text:
            return
        if field is not None:
            field.setAccessibleDescription(text)  # before the focus moves: read with the field
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        announce(self, text, assertive=True)

    def _clear_descriptions(self) -> None:
        for edit in (self.id_edit, self.name_edit, self.dob_edit):
            edit.setAccessibleDescription("")

    def _form_changed(self) -> None:
        """An edit of the ID, name or date of birth asks the same-person question again at the
        next Save (review: retyping the date made a plain Save that saved without asking). The
        date-of-birth question is kept answered (`_doubted` holds the date): it is asked again
        only for another date, not after a typo in the name was corrected."""
        self._warned = None
        self._clear_descriptions()  # said of the form before this edit
        if self.save_button.text() == SAVE_ANYWAY:
            self.save_button.setText("Save")
            self.open_button.hide()  # offered with the question: gone with it
            self._say("")

    def accept(self) -> None:
        try:
            info = validate_patient(
                self.id_edit.text(),
                self.name_edit.text(),
                self.dob_edit.text(),
                SEXES[self.sex_combo.currentIndex()],
                SIDES[self.side_combo.currentIndex()],
                self.notes_edit.toPlainText(),
                new=self.existing is None,
                shown_birth_date=self.existing.birth_date if self.existing else "",
            )
            if self._asked_of_birth_date(info):
                return
            if self.existing is None and (self._refused_as_registered(info) or not self._told_of_same_person(info)):
                return
            self.saved = self.gateway.save_patient(info, is_new=self.existing is None)
        except PatientFormError as exc:
            fields = {"birth_date": self.dob_edit, "patient_id": self.id_edit, "name": self.name_edit}
            self._say(str(exc), field=fields.get(exc.field))
            return
        except PalsyError as exc:
            self._say(as_sentence(str(exc)))  # the store's one-line errors start lower case
            return
        super().accept()

    def _asked_of_birth_date(self, info: PatientInfo) -> bool:
        """True when the form asks first about an unlikely date of birth (`birth_date_doubt`); a
        second Save of the same date saves it."""
        doubt = birth_date_doubt(info.birth_date, self.existing.birth_date if self.existing else "")
        if doubt is None or self._doubted == info.birth_date:
            return False
        self._doubted = info.birth_date
        self.save_button.setText(SAVE_ANYWAY)
        self._say(doubt, WARNING, self.dob_edit)  # a question, as the same-person one: the store takes the date
        return True

    def _refused_as_registered(self, info: PatientInfo) -> bool:
        """True when a patient with the new patient's ID is stored (as the store compares IDs):
        the form names them and offers Open. The refusal said only to use the search, and Esc
        out of it left a Return on the list to start the patient selected there before."""
        try:
            stored = self.gateway.get_patient(info.patient_id)
        except PalsyError:  # none stored (or unreadable: Save then says why)
            return False
        same = ("" if stored.patient_id == info.patient_id else
                f" ({info.patient_id} is the same ID: IDs that differ only in capitals, dashes or spaces are one ID)")
        self._offer_open(stored.patient_id)
        self._say(f"Patient ID {stored.patient_id} is already registered{same}: {stored.name}{born(stored.birth_date)}. "
                  f"Press Open {stored.patient_id} to select them on the patients page, or correct the ID if this "
                  "is someone else.", field=self.id_edit)
        return True

    def _offer_open(self, patient_id: str) -> None:
        """Show the Open button for the stored patient `patient_id` (Alt+O): the refusal of a
        registered ID and the same-person question both name one the user may have meant."""
        self._existing_id = patient_id
        self.open_button.setText(f"&Open {patient_id.replace('&', '&&')}")
        self.open_button.show()

    def _open_existing(self) -> None:
        """Close the form and select the stored patient it named (`open_existing`)."""
        if self._existing_id is None:
            return
        self.reject()
        self.open_existing.emit(self._existing_id)

    def _told_of_same_person(self, info: PatientInfo) -> bool:
        """True when no stored patient has the new patient's name and date of birth, or when the
        form already said which do for these very values (this is the second Save); otherwise
        the form names them and Save waits for a second press."""
        if not info.birth_date:  # nothing to compare: never a match
            return True
        others = self.gateway.same_person_candidates(info)
        if not others:
            return True
        warned = (info.patient_id, info.name, info.birth_date, tuple(others))
        if self._warned == warned:
            return True
        self._warned = warned
        self.save_button.setText(SAVE_ANYWAY)
        self._offer_open(others[0])  # the first named, as the question says
        # a question, in the warning colour, not an error's; the keyboard leaves the field it was
        # in, so that a screen reader reads the question with the name it is about
        self._say(same_person_warning(others), WARNING, self.name_edit)
        return False


class PatientPage(QWidget):
    """List and search patients; start an assessment or open the history."""

    start_assessment = Signal(str)
    open_history = Signal(str)
    resume_requested = Signal(int)
    discard_requested = Signal(int)
    review_requested = Signal(int)
    patient_saved = Signal(str)

    def __init__(self, gateway: RecordsGateway, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.gateway = gateway
        self.dialog: PatientDialog | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by patient ID or name\u2026")
        self.search.setAccessibleName("Search patients by ID or name")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh)
        self.search.installEventFilter(self)  # Down goes on to the list
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Patient ID", "Name", "Date of birth", "Affected side"])
        self.table.setAccessibleName("Patients")
        # no row numbers: Qt's 1, 2, 3… read as patient or record numbers, which they are not
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between rows
        self.table.installEventFilter(self)  # the line under the list follows the keyboard in and out
        self.table.doubleClicked.connect(lambda _index: self._start())
        on_return(self.table, self._start)
        self.new_button = QPushButton("New patient\u2026")
        self.new_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button = QPushButton("Edit\u2026")
        self.edit_button.clicked.connect(lambda: self.open_dialog(self.selected()))
        self.start_button = QPushButton("Start assessment")
        self.start_button.setStyleSheet("QPushButton:enabled { font-weight: 700; }")
        self.start_button.clicked.connect(self._start)
        self.history_button = QPushButton("History")
        self.history_button.clicked.connect(lambda: self.selected() and self.open_history.emit(self.selected()))

        self.resume_label = plain(QLabel())  # names the patient: shown as typed, never as HTML
        self.resume_button = QPushButton("Resume")
        self.discard_button = QPushButton("Discard")
        # named for a screen reader, which said "Resume, button" with no word of whose assessment
        self.resume_button.setAccessibleName("Resume the unfinished assessment")
        self.discard_button.setAccessibleName("Discard the unfinished assessment")
        self._resume_id: int | None = None
        self.resume_button.clicked.connect(lambda: self._resume_id is not None and self.resume_requested.emit(self._resume_id))
        self.discard_button.clicked.connect(lambda: self._resume_id is not None and self.discard_requested.emit(self._resume_id))
        self.resume_box = offer_bar(self.resume_label, self.resume_button, self.discard_button)
        self.review_label = plain(QLabel())  # names the patient, as the resume bar does
        self.review_button = QPushButton("Open")
        self.review_button.setAccessibleName("Open the result awaiting confirmation")
        self._review_id: int | None = None
        self.review_button.clicked.connect(lambda: self._review_id is not None and self.review_requested.emit(self._review_id))
        self.review_box = offer_bar(self.review_label, self.review_button)
        self._bars_said: dict[QLabel, str] = {}  # what each bar said last: announced when it changes

        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.history_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        title = QLabel("Patients")
        scale_font(title, HEADING, bold=True)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.resume_box)
        layout.addWidget(self.review_box)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        self.empty_hint = plain(QLabel())  # an empty list's hint, or that the list is cut at LIST_LIMIT
        self.empty_hint.setObjectName("listHint")
        self.empty_hint.setWordWrap(True)
        set_tone(self.empty_hint, MUTED)  # secondary, and readable on a dark palette too
        self._more = False  # the store held more matches than the list shows
        layout.addWidget(self.empty_hint)
        layout.addLayout(buttons)
        # Tab goes top to bottom as the page reads: the unfinished-assessment bar first
        # (it was reached after New patient, at the bottom)
        chain = (self.resume_button, self.discard_button, self.review_button, self.search, self.table, self.new_button,
                 self.edit_button, self.history_button, self.start_button)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        """Down, Return or Enter in the search field moves to the list (Down: its first patient
        when none is selected), where the arrows go on and Return starts the assessment: Return
        in the field itself never starts one (the list's selection may not be the typed patient)."""
        if watched is self.table and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self._update_buttons()  # what Return does is said only while it does it
            return super().eventFilter(watched, event)
        keys = (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if (watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in keys and self.table.rowCount()):
            if not self.selected():
                if event.key() == Qt.Key.Key_Down:
                    self.table.selectRow(0)
                else:  # no current row either: Down then lands on the first patient, as from the search
                    self.table.setCurrentIndex(QModelIndex())
            self.table.setFocus(Qt.FocusReason.TabFocusReason)
            self._update_buttons()  # the line under the list says what Return does now
            return True
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        """Re-run the search and refill the table. With a search typed, the patient whose ID is
        the text is selected, else the only match, else none (`search_selection`: a patient
        selected before, whose ID merely starts with the text, stayed selected and was started
        by Return); with none typed, the selection is kept when possible."""
        keep = self.selected()
        # one more than is shown: whether the list is cut (the hint under it says so)
        patients = self.gateway.search_patients(self.search.text(), limit=LIST_LIMIT + 1)
        self._more = len(patients) > LIST_LIMIT
        patients = patients[:LIST_LIMIT]
        self.table.setRowCount(len(patients))
        for row, info in enumerate(patients):
            for col, text in enumerate(patient_row(info)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.patient_id)
                self.table.setItem(row, col, item)
        self.table.clearSelection()
        chosen = search_selection(self.search.text(), [p.patient_id for p in patients], keep)
        if chosen is not None:
            self.table.selectRow(chosen)  # the typed or only match: Return in the list starts it
        self._update_buttons()

    def initial_focus(self) -> QWidget:
        """Where the keyboard starts: the search field, to find the next patient. Not the list,
        even with a patient selected: coming back from a visit, the list still selected the
        patient just finished, and a Return by habit started them again."""
        return self.search

    def start_over(self, patient_id: str | None) -> None:
        """The page as the next visit begins: the search empty, the list refreshed, and
        `patient_id` (the patient just worked on) selected when listed, so that Edit and
        History stay at hand (`initial_focus` keeps the keyboard off the list)."""
        if self.search.text():
            self.search.clear()  # refreshes the list
        else:
            self.refresh()
        if patient_id and not self.selected():
            self.select(patient_id)

    def show_patient(self, patient_id: str) -> None:
        """List and select `patient_id` by searching for their ID, the keyboard on the list
        (Return starts them): the New patient form's Open of an ID already registered."""
        self.search.setText(patient_id)  # the patient whose ID is the text is selected
        self.table.setFocus()
        self._update_buttons()  # the line under the list says whom Return starts

    def selected(self) -> str | None:
        """The selected patient's ID."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def select(self, patient_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == patient_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for b in (self.edit_button, self.start_button, self.history_button):
            b.setEnabled(has)
            b.setToolTip("" if has else "Select a patient in the list first")
        searching = bool(self.search.text().strip())
        hint = list_hint(self.table.rowCount(), searching, self._more)
        if self.table.hasFocus() and not hint:
            chosen = self.selected()
            hint = list_keys_hint(self._who(chosen) if chosen else None, self.table.rowCount())
        self.empty_hint.setText(hint)
        self.table.setAccessibleDescription(hint)  # a screen reader says it with the list
        self.empty_hint.setVisible(bool(self.empty_hint.text()))

    def _start(self) -> None:
        patient_id = self.selected()
        if patient_id:
            self.start_assessment.emit(patient_id)

    def open_dialog(self, patient_id: str | None) -> PatientDialog:
        """Open the new/edit dialog (window-modal, non-blocking); returns it (tests fill it)."""
        existing = self.gateway.get_patient(patient_id) if patient_id else None
        dialog = self.dialog = PatientDialog(self.gateway, existing, self)
        dialog.accepted.connect(self._dialog_saved)
        dialog.open_existing.connect(self.show_patient)
        dialog.rejected.connect(lambda: self._dialog_closed(dialog))
        # saved or cancelled, it goes: a cancelled one stayed alive (about 40 widgets each;
        # a soak run of 53 cancels held 2,120 of them)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: PatientDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _dialog_saved(self) -> None:
        dialog = self.dialog
        if dialog is None or dialog.saved is None:
            return
        self.search.clear()
        self.refresh()
        self.select(dialog.saved.patient_id)
        self.table.setFocus()  # Return now starts the new patient's assessment
        self.patient_saved.emit(dialog.saved.patient_id)
        self._dialog_closed(dialog)

    def show_unfinished(self, draft: AssessmentInfo | None, others: int = 0) -> None:
        """Offer an unfinished assessment for resumption (after a crash): `draft`, the one the
        store offers (`RecordsGateway.offered_draft`), saying how many `others` there are; None
        hides the bar."""
        if draft is None:
            self._resume_id = None
            self.resume_box.hide()
            self._fill_bar(self.resume_label, "", self.resume_button, self.discard_button)
            return
        self._resume_id = draft.assessment_id
        more = f" ({others} more)" if others else ""
        age = stale_draft_age(draft.created)  # another day's photos: said here, as Resume's question says it
        self._fill_bar(
            self.resume_label,
            f"An unfinished assessment of {self._who(draft.patient_id)}, started {local_minute(draft.created)} "
            f"({len(draft.captures)} of 6 photos taken), was found{more}. Resume it?"
            + (f" {stale_draft_warning(age)}" if age else ""),
            self.resume_button, self.discard_button,
        )
        self.resume_box.show()

    def show_awaiting(self, result: AssessmentInfo | None, others: int = 0) -> None:
        """Offer the newest result awaiting confirmation for review (`result`, the one the store
        offers, `RecordsGateway.offered_review`), saying how many `others` wait; None hides the
        bar. Open reopens it as the history does."""
        self._review_id = None if result is None else result.assessment_id
        if result is None:
            self.review_box.hide()
            self._fill_bar(self.review_label, "", self.review_button)
            return
        self._fill_bar(self.review_label, awaiting_line(self._who(result.patient_id), result.updated or result.created, others),
                       self.review_button)
        self.review_box.show()

    def _fill_bar(self, label: QLabel, text: str, *buttons: QPushButton) -> None:
        """A bar's words, also the description of its buttons (read with "Resume, button"), and
        said politely to a screen reader when new (the bars filled silently)."""
        label.setText(text)
        for button in buttons:
            button.setAccessibleDescription(text)
        if text and self._bars_said.get(label) != text:
            announce(self, text)
        self._bars_said[label] = text

    @property
    def offered_review_id(self) -> int | None:
        """The number of the visit the awaiting bar's Open opens (None while the bar is hidden)."""
        return self._review_id

    def _who(self, patient_id: str) -> str:
        """The patient's name with their ID and date of birth ("Dora Draft (MRN-D, born
        1970-01-31)"); the ID alone if the record cannot be read."""
        try:
            info = self.gateway.get_patient(patient_id)
            return f"{info.name} ({patient_id}{born(info.birth_date)})"
        except PalsyError:
            return f"patient {patient_id}"
