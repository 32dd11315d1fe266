"""Back to the patients page fills the unfinished-assessment bar from the one draft it offers
and a count of the others: it built every draft of the clinic with its photos (0.43 s of
frozen window at 1,000 drafts) to show one."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.gateway_store import StoreGateway
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import close_window, draft_with_photos, make_window


def test_back_to_patients_builds_only_the_offered_draft(qtbot, data_folder: Path, tiny_weights: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(4):
        draft_with_photos(data_folder, f"MRN-{i}", "Someone Else")
    offered = draft_with_photos(data_folder, "MRN-D", "Dora Draft")
    built: list[int] = []  # the drafts built for the bar
    real_info = StoreGateway._info
    monkeypatch.setattr(StoreGateway, "_info", lambda self, a, *rest: built.append(a.id) or real_info(self, a, *rest))
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-E", "Eve Empty"), is_new=True)
        window.gateway.start_assessment("MRN-E")  # the newest, without a photo: not the one offered
        built.clear()
        window.show_patients()
        assert built == [offered]
        page = window.patients
        assert page._resume_id == offered and not page.resume_box.isHidden()
        text = page.resume_label.text()
        assert text.startswith("An unfinished assessment of Dora Draft (MRN-D), started ")
        assert "(3 of 6 photos taken), was found (5 more). Resume it?" in text
    finally:
        close_window(window)
