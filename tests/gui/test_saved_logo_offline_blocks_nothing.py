"""A clinic logo remembered on a drive not connected today: Settings refused every Save with
"logo file not found" (only the camera changed), while a saved weights file or data folder
blocks no other change. Now it is checked when changed, and a line under the field says it is
not found now."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox

from app.pages.settings_dialog import SettingsDialog
from app.settings import ClinicSettings, Settings

GONE = "/media/usb-not-connected/logo.png"


def _dialog(qtbot, logo: str) -> SettingsDialog:
    dialog = SettingsDialog(Settings(clinic=ClinicSettings(clinic_name="Mercy", logo_path=logo)))
    qtbot.addWidget(dialog)
    return dialog


def test_a_saved_logo_not_found_now_blocks_no_other_change(qtbot) -> None:
    dialog = _dialog(qtbot, GONE)
    dialog.source.setCurrentIndex(dialog.source.findData("camera"))  # the only change
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result_settings is not None, dialog.error.text()
    assert dialog.result_settings.camera.source == "camera"
    assert dialog.result_settings.clinic.logo_path == GONE  # kept for the day the drive is back


def test_a_changed_logo_is_still_checked(qtbot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, GONE)
    dialog.logo.setText(str(tmp_path / "typo.png"))
    dialog.accept()
    assert dialog.result_settings is None and "logo file not found" in dialog.error.text()


def test_a_line_under_the_field_says_the_saved_logo_is_not_found_now(qtbot, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, GONE)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.logo_note.isVisible() and "reports are refused until its drive is connected" in dialog.logo_note.text()
    dialog.logo.clear()  # reports without a logo from now
    assert not dialog.logo_note.isVisible()
    dialog.close()
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"present")
    present = _dialog(qtbot, str(logo))
    present.show()
    qtbot.waitExposed(present)
    assert not present.logo_note.isVisible()
    present.close()
