"""A screen reader hears the result: it is announced when shown (the grade line and the flags
by title), status messages are announced, the grade buttons are named as grades with the
network's marked, and a refused confirmation gives its reason to the field it sends the
keyboard to, and says it at once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication

from app.analysis import AnalysisResult
from app.pages.patient_label import PatientLabel
from app.pages.results import ResultsPage
from app.widgets.announce import ANNOUNCED
from app.widgets.status_bar import StatusBar
from models.pipeline.assess import Flag

LABEL = PatientLabel("Jane Doe", " (MRN-2041)")
OVERRIDE = "Grade II overrides the network's grade IV: write the reason in Notes (at least 8 letters or digits)"


def _result(flagged: bool = True) -> AnalysisResult:
    flags = [Flag("low_confidence", "top probability 0.27 is below 0.5")] if flagged else []
    return AnalysisResult("IV", {"IV": 0.27 if flagged else 0.8}, "left", "IV", 27.0, [], flags, {}, {}, {})


@pytest.fixture
def page(qtbot) -> ResultsPage:
    ANNOUNCED.clear()
    page = ResultsPage()
    qtbot.addWidget(page)
    return page


class FocusDescriptions(QObject):
    """The accessible description a watched widget has each time it gets the focus."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FocusIn:
            self.seen.append(watched.accessibleDescription())
        return False


def _shown(qtbot, page: ResultsPage) -> None:
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)


def test_a_result_shown_is_announced_politely_with_its_flags(page) -> None:
    page.show_result(_result(), LABEL, "analysed", registered_side="left")
    assert list(ANNOUNCED) == [(
        "Results for Jane Doe (MRN-2041). Network grade IV \u2013 moderately severe dysfunction, probability 27 %. "
        "Measured grade IV \u2013 moderately severe dysfunction, 27 % function. "
        "Affected side (patient's): left (registered), left (measured). 1 flag for review: Low network confidence.",
        False)]
    # reopened, read-only: announced again, with no flags
    page.show_result(_result(flagged=False), LABEL, "confirmed", confirmed="IV", clinician="Dr Kim", read_only=True)
    assert ANNOUNCED[-1][0].endswith("No flags: results are consistent.") and len(ANNOUNCED) == 2


def test_the_grade_line_and_the_flags_can_be_read_with_a_caret(page) -> None:
    for label in (page.grade_label, page.flags):
        assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
        assert not label.focusPolicy() & Qt.FocusPolicy.TabFocus  # the review's Tab order is unchanged


def test_status_messages_are_announced_but_not_their_clearing(qtbot) -> None:
    ANNOUNCED.clear()
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.showMessage("Report for Jane Doe saved", 8000)
    bar.showMessage("")
    bar.clearMessage()
    assert list(ANNOUNCED) == [("Report for Jane Doe saved", False)]


def test_the_grade_buttons_are_named_as_grades_and_the_networks_is_marked(page) -> None:
    page.show_result(_result(), LABEL, "analysed")
    buttons = page.grade_buttons.buttons()
    assert [b.accessibleName() for b in buttons][:2] == ["Grade I \u2013 normal", "Grade II \u2013 slight dysfunction"]
    assert QAccessible.queryAccessibleInterface(buttons[0]).text(QAccessible.Text.Name) == "Grade I \u2013 normal"
    assert [b.accessibleDescription() for b in buttons] == ["", "", "", "the network's grade", "", ""]
    assert page.grade_row.accessibleName() == page.grade_caption.text() == "Grade to confirm"
    assert all(b.parentWidget() is page.grade_row for b in buttons)
    page.show_result(AnalysisResult("II", {"II": 0.9}, "left", "II", 80.0, [], [], {}, {}, {}), LABEL, "analysed")
    assert [b.accessibleDescription() for b in buttons] == ["", "the network's grade", "", "", "", ""]
    page.clinician_edit.setText("Dr Kim")
    page.confirm()
    page.mark_confirmed("II", "Dr Kim", "")
    assert page.grade_row.accessibleName() == "Confirmed grade"


def test_a_refused_override_gives_its_reason_to_the_notes_before_the_keyboard_goes_there(qtbot, page) -> None:
    page.show_result(_result(), LABEL, "analysed", clinician="Dr Kim")
    _shown(qtbot, page)
    described = FocusDescriptions()
    page.notes_edit.installEventFilter(described)
    page.grade_buttons.button(1).click()  # II, the network said IV: a reason is needed
    page.confirm_button.click()
    assert page.review_error.text() == OVERRIDE
    assert QApplication.focusWidget() is page.notes_edit
    assert described.seen == [OVERRIDE]  # a reader speaks it with the field
    assert ANNOUNCED[-1] == (OVERRIDE, True)
    page.notes_edit.insertPlainText("b")  # the field edited: its reason goes
    assert page.notes_edit.accessibleDescription() == ""


def test_a_refusal_for_no_clinician_goes_with_the_clinician_field_and_goes_on_confirm(qtbot, page) -> None:
    page.show_result(_result(flagged=False), LABEL, "analysed")
    _shown(qtbot, page)
    decisions = []
    page.confirm_requested.connect(decisions.append)
    page.confirm_button.click()
    assert QApplication.focusWidget() is page.clinician_edit
    assert page.clinician_edit.accessibleDescription() == "Enter the clinician's name to confirm the grade under it"
    assert ANNOUNCED[-1] == ("Enter the clinician's name to confirm the grade under it", True)
    page.clinician_edit.blockSignals(True)  # as if filled in without an edit signal: Confirm clears it too
    page.clinician_edit.setText("Dr Kim")
    page.clinician_edit.blockSignals(False)
    page.confirm_button.click()
    assert [d.grade for d in decisions] == ["IV"]
    assert page.clinician_edit.accessibleDescription() == "" and page.review_error.text() == ""


def test_a_refusal_for_no_grade_is_announced(page) -> None:
    page.show_result(_result(), LABEL, "analysed", clinician="Dr Kim")  # flagged: no grade ticked
    page.confirm()
    assert ANNOUNCED[-1] == (page.review_error.text(), True)
    assert page.review_error.text().startswith("Choose the confirmed House-Brackmann grade")


def test_the_named_grade_row_stays_beside_its_caption_in_a_tall_review_box(qtbot, page) -> None:
    page.resize(1100, 1000)  # room to spare in the review box: the row took it, under its caption
    page.show_result(_result(), LABEL, "analysed", clinician="Dr Kim")
    _shown(qtbot, page)
    caption = page.grade_caption.geometry().center().y()
    assert abs(page.grade_row.geometry().center().y() - caption) <= page.grade_caption.height()


def test_a_confirmed_visit_says_the_grade_on_record_first(page: ResultsPage) -> None:
    # a visit confirmed as V over the network's IV was announced as "Network grade IV" alone
    page.show_result(_result(), LABEL, "confirmed", "V", "Dr Kim", "asymmetry at rest", read_only=True)
    said, assertive = ANNOUNCED[-1]
    assert said.startswith("Results for Jane Doe (MRN-2041). Confirmed grade V \u2013 severe dysfunction by Dr Kim. "
                           "Network grade IV") and not assertive
    page.show_result(_result(), LABEL, "analysed", None, "Dr Kim")  # awaiting review: nothing on record yet
    assert "Confirmed grade" not in ANNOUNCED[-1][0]
