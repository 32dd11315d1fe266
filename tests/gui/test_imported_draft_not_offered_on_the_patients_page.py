"""The patients page does not offer a draft an import brought (another station began it: audit
h1, finding 7, "An unfinished assessment of ... was found. Resume it?" for a visit this station
never started), and Start assessment for that patient asks no Resume question: it starts a new
assessment. The store's side is in tests/test_imported_draft_not_resumed.py."""

from __future__ import annotations

from pathlib import Path

from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from tests.gui.gui_helpers import draft_with_photos


def _imported_draft(tmp_path: Path, data_folder: Path) -> int:
    """Station A leaves MRN-7001's visit open with three photos and exports the patient; this
    station (the window's data folder) imports it: the imported draft's number here."""
    draft_with_photos(tmp_path / "A", "MRN-7001", "Mere Tane")
    with Store.open(tmp_path / "A") as station_a:
        folder = export_patient(station_a, "MRN-7001", tmp_path / "usb")
    with Store.open(data_folder) as station_c:
        import_patient(station_c, folder)
        [imported] = [visit.id for visit in station_c.history("MRN-7001")]
    return imported


def test_an_imported_draft_is_not_offered_and_start_begins_a_new_one(open_window, data_folder: Path,  # noqa: ANN001
                                                                      tmp_path: Path) -> None:
    imported = _imported_draft(tmp_path, data_folder)
    window = open_window()
    window.show_offered_draft()
    assert window.patients.resume_box.isHidden() and window.patients._resume_id is None
    assert window.offered_drafts("MRN-7001") == []
    window.start_assessment("MRN-7001")
    assert "Resume the unfinished assessment?" not in window.asked
    assert window.stack.currentWidget() is window.capture
    assert window.session is not None and window.session.assessment_id != imported
    assert window.gateway.assessment(imported).captures.keys() == {"rest", "close_eyes", "raise_eyebrows"}


def test_open_on_an_imported_draft_in_the_history_says_where_to_finish_it(open_window, data_folder: Path,  # noqa: ANN001
                                                                            tmp_path: Path) -> None:
    """History → Open on it said "Resume or discard it on the patients page", which offers it
    no longer (review r1 #3): it names the station that began it."""
    from app.window_history import UNFINISHED_ELSEWHERE

    imported = _imported_draft(tmp_path, data_folder)
    window = open_window()
    window.open_read_only(imported)
    assert window.statusBar().currentMessage() == UNFINISHED_ELSEWHERE
    assert "patients page" not in UNFINISHED_ELSEWHERE
