"""The patients page: a list cut at 50 rows says so (audit F9: 50 of 3002 patients, or 50 of
233 "anna"s, shown with no hint that there were more), and Discard on the unfinished-assessment
bar asks first (audit F3: one click dropped a draft, another window's capture in progress)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway_store import open_gateway
from app.pages.patient import PatientPage
from app.pages.patient_logic import LIST_LIMIT, empty_list_hint, list_hint
from app.records_gateway import PatientInfo, RecordsGateway
from tests.gui.gui_helpers import close_window, draft_with_photos, make_window

FIRST_SHOWN = f"First {LIST_LIMIT} shown; type more of the name or ID to narrow the search."
RECENT_SHOWN = f"The {LIST_LIMIT} most recently updated patients; search to find others."


def test_the_hint_says_when_the_list_is_cut() -> None:
    assert LIST_LIMIT == 50
    assert list_hint(50, searching=True, more=True) == FIRST_SHOWN
    assert list_hint(50, searching=False, more=True) == RECENT_SHOWN
    assert list_hint(50, searching=True, more=False) == ""  # every match is shown
    assert list_hint(3, searching=False, more=False) == ""
    for searching in (True, False):  # an empty list keeps its own hint
        assert list_hint(0, searching, more=False) == empty_list_hint(0, searching) != ""


@pytest.fixture
def gateway(data_folder: Path) -> Iterator[RecordsGateway]:
    g = open_gateway(data_folder)
    yield g
    g.close()


def _add(gateway: RecordsGateway, count: int, first: int, name: str) -> None:
    for n in range(first, first + count):
        gateway.save_patient(PatientInfo(f"MRN-{n:04d}", f"{name} Nowak {n}"), is_new=True)


def test_a_list_cut_at_50_rows_says_so_and_one_that_is_not_says_nothing(qtbot, gateway) -> None:
    _add(gateway, LIST_LIMIT, 1, "Anna")  # exactly 50 Annas ...
    _add(gateway, 1, LIST_LIMIT + 1, "Bruno")  # ... and 51 patients
    page = PatientPage(gateway)
    qtbot.addWidget(page)
    page.show()
    assert page.table.rowCount() == LIST_LIMIT
    assert page.empty_hint.text() == RECENT_SHOWN and page.empty_hint.isVisible()
    page.search.setText("anna")  # 50 matches: all of them shown, no hint
    assert page.table.rowCount() == LIST_LIMIT and page.empty_hint.text() == "" and page.empty_hint.isHidden()
    _add(gateway, 3, 100, "Anna")
    page.refresh()  # 53 Annas: 50 shown, and the hint says how to narrow
    assert page.table.rowCount() == LIST_LIMIT
    assert page.empty_hint.text() == FIRST_SHOWN and page.empty_hint.isVisible()
    page.search.setText("MRN-01")  # narrower: MRN-0100 to MRN-0102
    assert page.table.rowCount() == 3 and page.empty_hint.isHidden()
    page.search.setText("bru")
    assert page.table.rowCount() == 1 and page.selected() == f"MRN-{LIST_LIMIT + 1:04d}" and page.empty_hint.isHidden()
    page.search.setText("zz")
    assert "No patient matches" in page.empty_hint.text()


# -- Discard asks first ---------------------------------------------------------------------------

def test_discard_asks_and_no_keeps_the_draft(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    draft = draft_with_photos(data_folder, "MRN-D", "Dora Draft")
    questions: list[tuple[str, str]] = []
    window = make_window(qtbot, data_folder, tiny_weights,
                         ask=lambda parent, title, text: questions.append((title, text)) and False)
    try:
        page = window.patients
        assert page._resume_id == draft and not page.resume_box.isHidden()
        # the bar names the patient, not only their ID
        assert "An unfinished assessment of Dora Draft (MRN-D), started" in page.resume_label.text()
        page.discard_button.click()
        [(title, text)] = questions
        assert title == "Discard the unfinished assessment?"
        assert "Dora Draft (MRN-D)" in text and "(3 of 6 photos)" in text and "No: keep it" in text
        assert window.gateway.assessment(draft).status == "draft"  # No: kept, still offered
        assert page._resume_id == draft and not page.resume_box.isHidden()
        assert "of Dora Draft (MRN-D)" in window.statusBar().currentMessage()
        assert "kept: Resume reopens it" in window.statusBar().currentMessage()
    finally:
        close_window(window)


def test_discard_after_yes_discards(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    draft = draft_with_photos(data_folder, "MRN-D", "Dora Draft")
    window = make_window(qtbot, data_folder, tiny_weights)  # answers Yes, records the titles
    try:
        window.patients.discard_button.click()
        assert window.asked == ["Discard the unfinished assessment?"]
        assert window.gateway.assessment(draft).status == "discarded"
        assert window.patients.resume_box.isHidden()
    finally:
        close_window(window)
