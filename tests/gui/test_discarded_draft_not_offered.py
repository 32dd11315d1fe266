"""The patients page's bar offers drafts only: not the empty one that leaving the capture page
discards, and an offered one that stopped being a draft is said so, not reopened (its Resume
refused every photo, its Discard said "confirmed assessments are kept")."""

from __future__ import annotations

from pathlib import Path

from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import close_window, draft_with_photos, make_window


def test_back_before_any_photo_offers_nothing(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-1")
        empty = window.assessment_id
        window.show_patients()  # Back with no photo taken: the draft is discarded
        assert window.gateway.assessment(empty).status == "discarded"
        assert window.patients._resume_id is None and window.patients.resume_box.isHidden()
    finally:
        close_window(window)


def test_resume_and_discard_of_a_draft_discarded_meanwhile_say_so(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    draft = draft_with_photos(data_folder, "MRN-1", "Ada Lovelace")
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        page = window.patients
        assert page._resume_id == draft
        window.gateway.discard(draft)  # the bar still offers it
        page.resume_button.click()
        assert window.stack.currentWidget() is page and window.session is None  # no capture page
        message = window.statusBar().currentMessage()
        assert "Ada Lovelace (MRN-1)" in message and "is already discarded: it is no longer offered" in message
        assert page._resume_id is None and page.resume_box.isHidden()  # the bar says what is unfinished now

        page.show_unfinished(window.gateway.assessment(draft))  # the same stale bar again
        page.discard_button.click()
        assert window.asked == []  # nothing to ask about
        message = window.statusBar().currentMessage()
        assert "is already discarded: it is no longer offered" in message and "Could not discard" not in message
        assert page._resume_id is None and page.resume_box.isHidden()
    finally:
        close_window(window)
