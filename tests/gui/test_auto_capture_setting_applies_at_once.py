"""Ticking Auto-capture in Settings on the capture page said "Settings saved" while the page's
own Auto-capture box stayed unticked until the next assessment (the mirror applied at once)."""

from __future__ import annotations

from dataclasses import replace

from tests.gui.capture_helpers import start


def _on_capture_page(open_window):
    window = start(open_window(), "MRN-9", "Pat Doe")
    assert window.stack.currentWidget() is window.capture
    return window


def _with_camera(window, **changes):
    return replace(window.settings, camera=replace(window.settings.camera, **changes))


def test_auto_capture_ticked_in_settings_ticks_the_open_capture_page(qtbot, open_window) -> None:
    window = _on_capture_page(open_window)
    assert not window.capture.auto_box.isChecked()
    window.apply_settings(_with_camera(window, auto_capture=True))
    assert window.capture.auto_box.isChecked()
    window.apply_settings(_with_camera(window, auto_capture=False))
    assert not window.capture.auto_box.isChecked()


def test_another_camera_change_leaves_the_box_as_the_therapist_set_it(qtbot, open_window) -> None:
    window = _on_capture_page(open_window)
    window.capture.auto_box.setChecked(True)  # for this assessment only
    window.apply_settings(_with_camera(window, mirror_preview=not window.settings.camera.mirror_preview))
    assert window.capture.auto_box.isChecked() and not window.settings.camera.auto_capture
