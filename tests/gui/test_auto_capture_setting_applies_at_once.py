"""Ticking Auto-capture in Settings on the capture page said "Settings saved" while the page's
own Auto-capture box stayed unticked until the next assessment (the mirror applied at once)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import close_window, make_window


def _on_capture_page(qtbot, data_folder: Path, tiny_weights: Path):
    window = make_window(qtbot, data_folder, tiny_weights)
    window.gateway.save_patient(PatientInfo("MRN-9", "Pat Doe"), is_new=True)
    window.patients.refresh()
    window.start_assessment("MRN-9")
    assert window.stack.currentWidget() is window.capture
    return window


def _with_camera(window, **changes):
    return replace(window.settings, camera=replace(window.settings.camera, **changes))


def test_auto_capture_ticked_in_settings_ticks_the_open_capture_page(qtbot, data_folder: Path,
                                                                      tiny_weights: Path) -> None:
    window = _on_capture_page(qtbot, data_folder, tiny_weights)
    try:
        assert not window.capture.auto_box.isChecked()
        window.apply_settings(_with_camera(window, auto_capture=True))
        assert window.capture.auto_box.isChecked()
        window.apply_settings(_with_camera(window, auto_capture=False))
        assert not window.capture.auto_box.isChecked()
    finally:
        close_window(window)


def test_another_camera_change_leaves_the_box_as_the_therapist_set_it(qtbot, data_folder: Path,
                                                                      tiny_weights: Path) -> None:
    window = _on_capture_page(qtbot, data_folder, tiny_weights)
    try:
        window.capture.auto_box.setChecked(True)  # for this assessment only
        window.apply_settings(_with_camera(window, mirror_preview=not window.settings.camera.mirror_preview))
        assert window.capture.auto_box.isChecked() and not window.settings.camera.auto_capture
    finally:
        close_window(window)
