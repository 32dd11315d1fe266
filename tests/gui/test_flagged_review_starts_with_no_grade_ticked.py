"""A result flagged for review opens its review with no grade ticked: the clinician chooses the
grade (one click confirmed the network's grade under the station's default clinician)."""

from __future__ import annotations

from app.analysis import AnalysisResult
from app.pages.results import ResultsPage
from app.pages.results_logic import FLAGGED_NOTE, initial_grade
from models.pipeline.assess import Flag

LABEL = "Ada Lovelace (MRN-1)"


def _result(flagged: bool) -> AnalysisResult:
    flags = [Flag("low_confidence", "top probability 0.31 is below 0.5")] if flagged else []
    return AnalysisResult("III", {"III": 0.31 if flagged else 0.6}, "left", "III", 50.0, [], flags, {}, {}, {})


def _page(qtbot) -> ResultsPage:
    page = ResultsPage()
    qtbot.addWidget(page)
    return page


def test_the_network_grade_is_ticked_only_for_an_unflagged_result() -> None:
    assert initial_grade("III", flagged=False, confirmed=None, read_only=False) == "III"
    assert initial_grade("III", flagged=True, confirmed=None, read_only=False) is None
    assert initial_grade("III", flagged=True, confirmed="IV", read_only=True) == "IV"
    assert initial_grade("III", flagged=False, confirmed="II", read_only=False) == "II"
    assert initial_grade("III", flagged=False, confirmed=None, read_only=True) is None


def test_a_flagged_result_has_no_grade_ticked_and_says_why(qtbot) -> None:
    page = _page(qtbot)
    page.show_result(_result(flagged=True), LABEL, "analysed", clinician="Dr Kim")
    assert page.grade_buttons.checkedButton() is None
    assert page.confirm_button.text() == "Confirm grade"
    assert not page.flagged_note.isHidden() and page.flagged_note.text() == FLAGGED_NOTE
    assert page.initial_focus() is page.grade_buttons.button(0)  # the keyboard starts on the grades


def test_confirm_without_a_chosen_grade_is_refused(qtbot) -> None:
    page = _page(qtbot)
    page.show_result(_result(flagged=True), LABEL, "analysed", clinician="Dr Kim")
    decisions = []
    page.confirm_requested.connect(decisions.append)
    page.confirm_button.click()
    assert decisions == []
    assert page.review_error.text().startswith("Choose the confirmed House-Brackmann grade")
    page.grade_buttons.button(2).click()  # grade III, chosen by the clinician
    assert page.confirm_button.text() == "Confirm grade III"
    # what said no grade was ticked goes once one is (both stayed, beside the ticked grade)
    assert page.review_error.text() == "" and page.flagged_note.isHidden()
    page.confirm_button.click()
    assert [d.grade for d in decisions] == ["III"]


def test_an_unflagged_result_starts_from_the_network_grade(qtbot) -> None:
    page = _page(qtbot)
    page.show_result(_result(flagged=True), LABEL, "analysed", clinician="Dr Kim")
    page.show_result(_result(flagged=False), LABEL, "analysed", clinician="Dr Kim")
    assert page.selected_grade() == "III"
    assert page.confirm_button.text() == "Confirm grade III"
    assert page.flagged_note.isHidden()


def test_a_confirmed_flagged_visit_shows_its_confirmed_grade(qtbot) -> None:
    page = _page(qtbot)
    page.show_result(_result(flagged=True), LABEL, "confirmed", confirmed="IV", clinician="Dr Kim",
                     notes="Override: brow weaker on the left", read_only=True)
    assert page.selected_grade() == "IV"
    assert page.flagged_note.isHidden()
    page.show_result(_result(flagged=True), LABEL, "analysed", clinician="Dr Kim")
    page.grade_buttons.button(2).click()
    page.mark_confirmed("III", "Dr Kim", "")  # the decision on record replaces the note
    assert page.flagged_note.isHidden()
