"""Settings refuses a path it cannot use, with the reason, in the dialog's error line: a name
longer than the file system allows (Save did nothing, or saved weights after which Settings
never opened again) and a relative weights path (looked up from whatever folder the app was
started in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.pages.settings_dialog import SettingsDialog
from app.settings import ModelSettings, Settings


def _long_path(folder: Path) -> str:
    return str(folder / ("y" * 300))  # one name over the 255-byte limit of the usual file systems


def _dialog(qtbot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("field", ["logo", "data_folder", "weights"])
def test_a_name_too_long_is_refused_at_save_saying_so(qtbot, tmp_path: Path, field: str) -> None:
    dialog = _dialog(qtbot, Settings())
    getattr(dialog, field).setText(_long_path(tmp_path))  # as pasted: the weights are checked at once
    dialog.accept()
    assert dialog.result_settings is None  # not saved
    assert not dialog.error.isHidden()
    assert "cannot be used (File name too long)" in dialog.error.text()
    assert "y" * 100 not in dialog.error.text()  # shortened: a 5000-character path filled the dialog


def test_settings_open_over_a_saved_weights_path_too_long(qtbot, tmp_path: Path) -> None:
    # the one place to correct the path: its constructor raised, and Ctrl+, opened nothing
    dialog = _dialog(qtbot, Settings(model=ModelSettings(weights_path=_long_path(tmp_path))))
    assert dialog.checksum.text().startswith("unreadable (File name too long): ")
    dialog.weights.setText("")  # back to the shipped demonstration weights
    dialog.accept()
    assert dialog.result_settings is not None and dialog.result_settings.model.weights_path == ""


def test_a_relative_weights_path_is_refused_as_the_data_folder_is(qtbot) -> None:
    dialog = _dialog(qtbot, Settings())
    dialog.weights.setText("resources/weights/demo_compact.pt")
    dialog.accept()
    assert dialog.result_settings is None
    assert dialog.error.text() == ("the weights file resources/weights/demo_compact.pt is not a full path; "
                                   "choose the file with Browse\u2026")


def test_a_saved_relative_weights_path_does_not_block_other_changes(qtbot) -> None:
    # as the data folder in use: only a changed path is checked
    dialog = _dialog(qtbot, Settings(model=ModelSettings(weights_path="clinic.pt")))
    dialog.clinic.setText("Test Clinic")
    dialog.accept()
    assert dialog.result_settings is not None and dialog.result_settings.clinic.clinic_name == "Test Clinic"
