"""The patients page's bar of results awaiting confirmation was filled when the page showed; its
Open opened the visit whatever became of it since, so a visit marked entered in error at another
station showed as a plain read-only result. Open now reads the status again first. And leaving a
result unconfirmed says where to find it by what the bar offers, not always "the bar above"."""

from __future__ import annotations

from pathlib import Path

from app.gateway_store import StoreGateway
from app.records import Store
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import analysed_assessment


def _other_station(folder: Path) -> StoreGateway:
    """A second window's records: the same data folder."""
    return StoreGateway(Store.open(folder))


def test_open_refuses_a_visit_marked_entered_in_error_meanwhile(qtbot, open_window) -> None:
    window = open_window()
    visit = analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
    window.results.back_button.click()  # left unconfirmed: the bar offers it
    page = window.patients
    assert page.offered_review_id == visit and not page.review_box.isHidden()
    other = _other_station(window.gateway.folder)
    other.withdraw(visit, "recorded under the wrong patient")
    other.close()
    page.review_button.click()
    assert window.stack.currentWidget() is page
    assert window.statusBar().currentMessage() == ("The result of Anna Berg (MRN-1001) was marked entered in "
                                                   "error meanwhile: it is no longer offered")
    assert page.review_box.isHidden() and page.offered_review_id is None  # what awaits now: nothing


def test_open_refuses_a_visit_confirmed_meanwhile(qtbot, open_window) -> None:
    window = open_window()
    visit = analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
    window.results.back_button.click()
    page = window.patients
    other = _other_station(window.gateway.folder)
    other.confirm(visit, "IV", "Dr Other", "")
    other.close()
    page.review_button.click()
    assert window.stack.currentWidget() is page
    assert window.statusBar().currentMessage() == ("The result of Anna Berg (MRN-1001) was confirmed meanwhile: "
                                                   "it is no longer offered")
    assert page.review_box.isHidden()


def test_a_visit_entered_in_error_does_not_open(qtbot, open_window) -> None:
    window = open_window()
    visit = analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
    window.results.back_button.click()
    window.gateway.withdraw(visit, "recorded under the wrong patient")
    window.open_read_only(visit)
    assert window.stack.currentWidget() is window.patients
    assert window.statusBar().currentMessage() == "This visit was marked entered in error: it is no longer shown"


def test_leaving_says_the_history_offers_it_when_the_bar_offers_a_newer_one(qtbot, open_window) -> None:
    window = open_window()
    anna = analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
    other = _other_station(window.gateway.folder)
    other.save_patient(PatientInfo("MRN-2002", "Cai Wu"), is_new=True)
    cai = other.start_assessment("MRN-2002")
    other.record_results(cai, "III", "III", {"grade": "III", "probabilities": {"III": 0.6}})
    other.close()
    window.results.back_button.click()  # Anna's left unconfirmed ("Leave anyway?": Yes)
    page = window.patients
    assert page.offered_review_id == cai != anna
    assert window.statusBar().currentMessage() == ("Not confirmed yet: open it from MRN-1001's history to confirm "
                                                   "the grade (the bar above the list offers the newest result first)")


def test_the_leave_question_says_once_where_to_confirm_it_later(qtbot, open_window) -> None:
    texts: list[str] = []
    window = open_window(ask=lambda parent, title, text: texts.append(text) or True)
    analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
    window.results.back_button.click()
    (question,) = [t for t in texts if t.startswith("The grade is not confirmed yet")]
    yes = next(line for line in question.splitlines() if line.startswith("Yes:"))
    assert yes == ("Yes: leave; confirm the grade later from the patient's history (or the patients page's bar of "
                   "results while it is the newest awaiting confirmation).")
