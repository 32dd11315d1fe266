"""Cancel during analysis, a camera that dies mid-capture, resuming a draft after a crash,
keyboard shortcuts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from app.analysis import run_analysis
from app.camera.demo_source import DemoPatientSource
from app.records import Store
from app.records_gateway import PatientInfo
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window


def _new_patient(window, patient_id: str = "MRN-1") -> None:
    window.gateway.save_patient(PatientInfo(patient_id, "Test Person"), is_new=True)
    window.patients.refresh()


def _analysed_patient(qtbot, window) -> None:
    """A new patient MRN-1 with the six photos taken and analysed, the results page shown."""
    _new_patient(window)
    window.start_assessment("MRN-1")
    capture_all(qtbot, window)
    window.start_analysis()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)


def slow_analysis(photos, handle, progress):
    """The real analysis after 300 cancellable steps of 10 ms (so a test can cancel it)."""
    for i in range(300):
        progress.check()
        progress.report(i / 600, "warming up")
        time.sleep(0.01)
    return run_analysis(photos, handle, progress)


def test_cancel_during_analysis_keeps_photos_and_draft(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        frames_before = window.capture.display_frames
        with qtbot.waitSignal(window.capture.progress.valueChanged, timeout=WAIT_MS):
            window.capture.analyse_button.click()
        assert window.analysing and window.capture.cancel_button.isVisible()
        # the preview keeps painting while the model runs (waited for: a loaded CI machine is slow)
        qtbot.waitUntil(lambda: window.capture.display_frames > frames_before, timeout=WAIT_MS)
        assert window.analysing
        window.capture.cancel_button.click()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert "cancelled" in window.capture.progress_label.text()
        assert window.stack.currentWidget() is window.capture
        assert window.result is None
        info = window.gateway.assessment(window.assessment_id)
        assert info.status == "draft" and len(info.captures) == 6
        assert window.capture.analyse_button.isEnabled()  # can analyse again
    finally:
        close_window(window)


def test_camera_dying_mid_capture_shows_retry_and_recovers(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    made: list[DemoPatientSource] = []

    def factory() -> DemoPatientSource:
        # the first camera dies after 8 frames; the one Retry opens works
        source = DemoPatientSource(grade=2, side="right", seed=1, frame_size=(320, 240), fail_after=8 if not made else None)
        made.append(source)
        return source

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=factory)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        page = window.capture
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert "disconnected" in page.error_label.text()
        assert not page.capture_button.isEnabled()
        assert not page.capture_now()  # no stale frame can be captured
        assert all(label.property("passed") is None for label in page.badges.labels.values())
        assert not page.camera.running
        qtbot.waitUntil(lambda: not made[0]._open, timeout=WAIT_MS)  # closed on the camera thread
        page.retry_button.click()
        qtbot.waitUntil(lambda: page.capture_button.isEnabled(), timeout=WAIT_MS)
        assert not page.error_box.isVisible()
        assert page.capture_now()
        qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)
        assert "rest" in window.gateway.assessment(window.assessment_id).captures
    finally:
        close_window(window)


def test_draft_is_offered_and_resumed_after_a_crash(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-CRASH")
        window.start_assessment("MRN-CRASH")
        page = window.capture
        for _ in range(3):
            qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
            assert page.capture_now()
        draft_id = window.assessment_id
    finally:
        # a crash: the window goes away without finishing or discarding the assessment
        close_window(window)
    # ... one that also left a photo written but never recorded, two hours ago
    orphan = data_folder / "photos" / "crashed_open_mouth.png"
    orphan.write_bytes(b"\x89PNG not recorded")
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))

    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert not orphan.exists() and (data_folder / "recovered" / "photos" / orphan.name).is_file()
        assert "never recorded" in window.statusBar().currentMessage()
        assert str(data_folder / "recovered") in window.statusBar().currentMessage()
        assert window.patients.resume_box.isVisible()
        assert "MRN-CRASH" in window.patients.resume_label.text()
        window.patients.resume_button.click()
        assert window.stack.currentWidget() is window.capture
        session = window.capture.session
        assert window.assessment_id == draft_id
        assert sorted(session.photos) == ["close_eyes", "raise_eyebrows", "rest"]
        assert session.expression == "open_mouth"
        for _ in range(3):
            qtbot.waitUntil(lambda: window.capture.capture_button.isEnabled() and window.capture._last_packet is not None, timeout=WAIT_MS)
            assert window.capture.capture_now()
        qtbot.waitUntil(lambda: session.complete, timeout=WAIT_MS)
        assert len(window.gateway.assessment(draft_id).captures) == 6
    finally:
        close_window(window)


def test_demo_weights_show_the_banner_and_status(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    demo = tmp_path / "demo_compact.pt"
    demo.write_bytes(tiny_weights.read_bytes())
    window = make_window(qtbot, data_folder, demo)
    try:
        assert window.banner.isVisible() and "NOT FOR DIAGNOSIS" in window.banner.text()
        assert "demo_compact" in window.model_label.text() and window.device_label.text() == "device: cpu"
    finally:
        close_window(window)


def test_auto_capture_takes_the_photo_when_the_checks_pass(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        window.capture.auto_box.setChecked(True)
        qtbot.waitUntil(lambda: "rest" in window.capture.session.photos and not window.capture.session.pending, timeout=WAIT_MS)
        assert "rest" in window.gateway.assessment(window.assessment_id).captures
        stored_quality = window.capture.session.photos["rest"].quality
        assert stored_quality["passed"] and stored_quality["checks"]["one_face"]["passed"]
    finally:
        close_window(window)


def test_a_camera_that_cannot_open_shows_the_message(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    from app.camera.opencv_source import OpenCVSource

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: OpenCVSource(index=15))
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        qtbot.waitUntil(lambda: window.capture.error_box.isVisible(), timeout=WAIT_MS)
        assert "could not be opened" in window.capture.error_label.text()
        assert not window.capture.capture_now()
    finally:
        close_window(window)


def test_keyboard_shortcuts_capture_retake_and_step(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        page = window.capture
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_Space)
        assert "rest" in page.session.photos and page.session.expression == "close_eyes"
        qtbot.keyClick(window, Qt.Key.Key_Left)
        assert page.session.expression == "rest"
        qtbot.keyClick(window, Qt.Key.Key_R)
        assert "rest" not in page.session.photos
        qtbot.keyClick(window, Qt.Key.Key_Right)
        assert page.session.expression == "close_eyes"
    finally:
        close_window(window)


def test_full_capture_then_history_review_and_read_only_reopen(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _analysed_patient(qtbot, window)
        assessment_id, model_grade = window.assessment_id, window.result.grade
        window.show_history("MRN-1")
        assert window.history.table.rowCount() == 1
        assert window.history.table.item(0, 1).text() == "analysed"
        # analysed but never confirmed: it opens for review, the only road back to it
        window.history.open_button.click()
        assert window.stack.currentWidget() is window.results
        assert not window.results.read_only and window.results.confirm_button.isEnabled()
        assert window.results.expression_combo.count() == 6
        window.results.notes_edit.setPlainText("typed while the overlays are recomputed")
        combo = window.results.expression_combo
        combo.setCurrentIndex(combo.findData("open_mouth"))  # looked at while they are recomputed
        # masks are not stored: they are recomputed from the stored photos in the background
        qtbot.waitUntil(lambda: window.result.expressions["rest"].attention != {}, timeout=WAIT_MS)
        assert combo.currentData() == "open_mouth"  # the view stays on it
        assert window.results.attention_combo.count() == 5  # None + 3 spatial + channel
        assert window.results.notes_edit.toPlainText() == "typed while the overlays are recomputed"
        window.results.clinician_edit.setText("Dr. Review")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()
        assert window.gateway.assessment(assessment_id).status == "confirmed"
        assert window.results.export_button.isEnabled()
        # once confirmed it reopens read-only, with the decision ticked
        window.show_history("MRN-1")
        window.history.open_button.click()
        assert window.results.read_only and not window.results.confirm_button.isEnabled()
        assert window.results.selected_grade() == model_grade
        assert window.results.notes_edit.toPlainText() == "typed while the overlays are recomputed"
    finally:
        close_window(window)


def test_edit_patient_and_search(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-77")
        _new_patient(window, "ABC-1")
        window.patients.search.setText("mrn")
        assert window.patients.table.rowCount() == 1
        assert window.patients.selected() == "MRN-77"  # the one match is selected: Return starts it
        window.patients.search.setText("")
        assert window.patients.table.rowCount() == 2 and window.patients.selected() == "MRN-77"  # kept
        window.patients.select("MRN-77")
        dialog = window.patients.open_dialog("MRN-77")
        assert dialog.id_edit.isReadOnly()
        dialog.name_edit.setText("")
        dialog.accept()
        assert dialog.isVisible() and "Name is required" in dialog.error_label.text()
        dialog.name_edit.setText("Renamed Person")
        dialog.accept()
        assert window.gateway.get_patient("MRN-77").name == "Renamed Person"
        window.patients.search.setText("renamed")
        assert window.patients.table.rowCount() == 1
    finally:
        close_window(window)


def test_settings_dialog_from_the_window_saves_and_reloads_the_model(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    saved = []
    window = make_window(qtbot, data_folder, tiny_weights, save_settings=saved.append)
    try:
        dialog = window.open_settings()
        dialog.clinic.setText("Clinic X")
        dialog.weights.setText(str(tiny_weights.parent / "missing.pt"))
        dialog.accept()
        assert saved and saved[-1].clinic.clinic_name == "Clinic X"
        assert window.settings.model.weights_path.endswith("missing.pt")
        qtbot.waitUntil(lambda: window.model_handle is None and "not found" in window.model_error, timeout=WAIT_MS)
        assert window.banner.isVisible() and "No model loaded" in window.banner.text()
    finally:
        close_window(window)


def test_the_parsing_setting_reaches_the_model_handle(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    from app.analysis import load_model

    calls: list[bool] = []

    def spying_load(weights, device, mirror):  # noqa: ANN001, ANN202
        calls.append(mirror)
        return load_model(weights, device, mirror)

    window = make_window(qtbot, data_folder, tiny_weights, load_model=spying_load)
    try:
        assert calls == [True] and window.model_handle.mirror_parsing is True
        dialog = window.open_settings()
        dialog.mirror_parsing.setChecked(False)
        dialog.accept()
        # the handle is None while the model reloads (Analyse waits for the weights chosen)
        qtbot.waitUntil(lambda: calls == [True, False] and window.model_handle is not None
                        and not window.model_handle.mirror_parsing, timeout=WAIT_MS)
    finally:
        close_window(window)


def test_results_go_to_the_analysed_assessment_even_after_moving_on(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _new_patient(window, "MRN-A")
        _new_patient(window, "MRN-B")
        window.start_assessment("MRN-A")
        capture_all(qtbot, window)
        first = window.assessment_id
        window.start_analysis()
        window.show_patients()
        window.start_assessment("MRN-B")  # a new draft while the first is still analysed
        second = window.assessment_id
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert window.gateway.assessment(first).status == "analysed"
        assert window.gateway.assessment(second).status == "draft"
        assert window.stack.currentWidget() is window.capture and window.result is None
    finally:
        close_window(window)


def test_photo_folder_source_feeds_each_step_its_own_photo(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    from app.camera.file_sources import PhotoFolderSource
    from models.labels import EXPRESSIONS
    from tests.gui.capture_helpers import photo_folder

    folder = tmp_path / "photos"
    photo_folder(folder, EXPRESSIONS)

    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        page = window.capture
        for expression in EXPRESSIONS:
            expected = np.asarray(Image.open(folder / f"{expression}.png").convert("RGB"))
            # the camera thread switches to the step's photo; wait until the preview shows it
            qtbot.waitUntil(lambda e=expected: page._last_packet is not None and np.array_equal(page._last_packet.frame, e), timeout=WAIT_MS)
            assert page.capture_now()
        qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)
        stored = window.gateway.load_photo(window.assessment_id, "open_mouth")
        assert np.array_equal(stored, np.asarray(Image.open(folder / "open_mouth.png").convert("RGB")))
    finally:
        close_window(window)


def test_results_overlay_controls(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _analysed_patient(qtbot, window)
        # the model-loading and analysis threads have ended and were deleted on the GUI thread
        qtbot.waitUntil(lambda: not window._threads, timeout=WAIT_MS)
        page = window.results
        overlay = page.overlay
        assert overlay.photo.zValue() < overlay.segmentation.zValue() < overlay.heat.zValue()
        assert overlay.segmentation.image.shape == overlay.photo.image.shape[:2]  # same pixel grid
        assert overlay.segmentation.lut[1, 3] > 0 and overlay.segmentation.lut[0, 3] == 0
        page.class_boxes[1].setChecked(False)  # hide skin
        assert overlay.segmentation.lut[1, 3] == 0 and overlay.segmentation.lut[10, 3] > 0
        page.attention_combo.setCurrentIndex(page.attention_combo.findText("Channel"))
        page.opacity.setValue(100)
        full = int(overlay.heat.lut[255, 3])
        page.opacity.setValue(50)
        assert int(overlay.heat.lut[255, 3]) < full
        assert page.opacity.isEnabled() and page.opacity.toolTip() == "50 %"
        page.attention_combo.setCurrentIndex(0)  # None
        assert overlay.heat.image is None
        assert not page.opacity.isEnabled()  # it faded nothing and looked usable
        page.expression_combo.setCurrentIndex(5)
        assert page.current_expression() == "puff_cheeks"
        assert page.bars.opts["height"].sum() > 0.99
    finally:
        close_window(window)


def test_closing_while_a_report_is_written_keeps_the_report(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # the window closed at once and the report being written was dropped, unsaved
    from app.export import render_pdf

    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _analysed_patient(qtbot, window)
        window.results.clinician_edit.setText("Dr. Test")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()
        assessment_id = window.assessment_id

        def slow_render(*args):
            time.sleep(0.5)
            return render_pdf(*args)

        window.services.render_report = slow_render
        window.results.export_button.click()
        assert window.last_report is None
    finally:
        close_window(window)
    with Store.open(data_folder) as store:
        reports = store.db.query("SELECT * FROM reports WHERE assessment_id = ?", (assessment_id,))
    assert len(reports) == 1 and (data_folder / reports[0]["file_name"]).is_file()


def test_an_analysis_left_running_is_not_cancelled_from_another_page_and_says_when_done(
    qtbot, data_folder: Path, tiny_weights: Path
) -> None:
    # Esc in the patients' search field cancelled the unseen analysis, and one that finished
    # while the user was away said nothing
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _new_patient(window)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        assessment_id = window.assessment_id
        window.start_analysis()
        window.show_patients()
        assert not window.cancel_action.isEnabled() and not window.export_action.isEnabled()
        window.cancel_action.trigger()  # what Esc does: nothing here
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert window.gateway.assessment(assessment_id).status == "analysed"
        qtbot.waitUntil(lambda: "awaits review" in window.statusBar().currentMessage(), timeout=WAIT_MS)
        assert window.stack.currentWidget() is window.patients
    finally:
        close_window(window)


def test_an_analysis_done_while_another_patients_history_is_open_names_the_analysed_patient(
    qtbot, data_folder: Path, tiny_weights: Path
) -> None:
    # it named the patient whose history was open, where the results were not
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _new_patient(window, "MRN-1")
        _new_patient(window, "MRN-2")
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        window.show_history("MRN-2")
        qtbot.waitUntil(lambda: "awaits review" in window.statusBar().currentMessage(), timeout=WAIT_MS)
        message = window.statusBar().currentMessage()
        assert "MRN-1" in message and "MRN-2" not in message
        assert [a.status for a in window.gateway.history("MRN-1")] == ["analysed"]
    finally:
        close_window(window)


def _take_one_photo(qtbot, window) -> None:
    page = window.capture
    qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)


def test_discarding_a_draft_says_so(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-D")
        window.start_assessment("MRN-D")
        _take_one_photo(qtbot, window)  # a draft with no photo is dropped on leaving
        draft_id = window.assessment_id
        window.show_patients()
        window.discard_assessment(draft_id)
        assert window.gateway.assessment(draft_id).status == "discarded"
        # named by patient and date, not by its database number
        message = window.statusBar().currentMessage()
        assert message.startswith("The unfinished assessment of ") and "(MRN-D) from " in message
        assert "discarded" in message and f"Assessment {draft_id}" not in message
        window.discard_assessment(draft_id)  # twice: the window says it is discarded already
        assert "is already discarded: it is no longer offered" in window.statusBar().currentMessage()
    finally:
        close_window(window)


def test_an_assessment_left_before_any_photo_is_dropped_and_a_real_draft_is_offered(
    qtbot, data_folder: Path, tiny_weights: Path
) -> None:
    # Start assessment then Back left a "0 of 6 photos" draft, offered at the next start in
    # place of the real unfinished one
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-1")
        _new_patient(window, "MRN-2")
        window.start_assessment("MRN-1")
        _take_one_photo(qtbot, window)
        kept = window.assessment_id
        window.show_patients()  # one photo: kept for resumption
        window.start_assessment("MRN-2")
        empty = window.assessment_id
        window.show_patients()  # none: dropped
        assert [d.assessment_id for d in window.gateway.unfinished()] == [kept]
        assert window.gateway.assessment(empty).status == "discarded"
        assert window.patients._resume_id == kept
        window.start_assessment("MRN-2")
        closing = window.assessment_id
    finally:
        close_window(window)
    with Store.open(data_folder) as store:  # closing the window on an empty capture drops it too
        assert store.get_assessment(closing).status == "discarded"
        assert [d.assessment.id for d in store.unfinished_assessments()] == [kept]


def test_the_offer_prefers_the_newest_draft_with_photos(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # an empty draft made before this version (or left by a crash) hid the one with photos
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _new_patient(window, "MRN-1")
        _new_patient(window, "MRN-2")
        with_photo = window.gateway.start_assessment("MRN-1")
        window.gateway.save_capture(with_photo, "rest", np.full((96, 96, 3), 128, np.uint8), {})
        window.gateway.start_assessment("MRN-2")  # newer, empty
        window.show_patients()
        assert window.patients._resume_id == with_photo
        assert "MRN-1" in window.patients.resume_label.text() and "(1 more)" in window.patients.resume_label.text()
    finally:
        close_window(window)
