"""Settings > Restore defaults: the camera and model fields go back to the typed defaults
(`Settings()`), the clinic's name, logo, clinician and data folder stay, and nothing is
applied before Save. Before it there was no way back short of deleting the settings file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.pages.settings_dialog import SettingsDialog
from app.settings import CameraSettings, ClinicSettings, ModelSettings, Settings


def _tweaked(tmp_path: Path) -> Settings:
    weights = tmp_path / "clinic.pt"
    weights.write_bytes(b"not really weights")
    return Settings(
        camera=CameraSettings(source="camera", index=2, width=640, height=480, fps=15, video_path="/v.mp4",
                              mirror_preview=False, auto_capture=True, demo_grade=5, demo_side="right", demo_seed=99),
        model=ModelSettings(weights_path=str(weights), device="cpu", mirror_parsing=False),
        clinic=ClinicSettings(clinic_name="Mercy", logo_path="/media/usb/logo.png", clinician="Dr T",
                              data_folder=str(tmp_path / "records")),
    )


def _shown(qtbot, settings: Settings) -> SettingsDialog:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_restore_defaults_fills_the_defaults_keeps_the_clinic_and_waits_for_save(qtbot, tmp_path: Path) -> None:
    tweaked = _tweaked(tmp_path)
    dialog = _shown(qtbot, tweaked)
    dialog.clinician.setText("Dr U")  # typed before: stays as typed
    dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).click()
    assert dialog.isVisible() and dialog.result_settings is None  # applied only on Save
    assert dialog.weights.text() == tweaked.model.weights_path  # the clinic's weights stay
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    saved = dialog.result_settings
    assert saved is not None, dialog.error.text()
    # the station's source stays: the default is the synthetic demo patient, which a camera station photographed
    assert saved.camera == replace(Settings().camera, source="camera", index=2, video_path="/v.mp4")
    assert saved.model == ModelSettings(weights_path=tweaked.model.weights_path)
    assert saved.clinic == ClinicSettings(clinic_name="Mercy", logo_path="/media/usb/logo.png", clinician="Dr U",
                                          data_folder=tweaked.clinic.data_folder)


def test_restore_defaults_is_reached_with_the_keyboard(qtbot, tmp_path: Path) -> None:
    dialog = _shown(qtbot, _tweaked(tmp_path))
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus and "&R" in button.text()
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.fps.value() == Settings().camera.fps)  # a mnemonic clicks after a short animation
    assert dialog.source.currentData() == "camera" and dialog.index.value() == 2
    dialog.reject()
