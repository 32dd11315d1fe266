"""Settings: typed values with ranges, unknown keys rejected, QSettings round trip."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings

from app.settings import (
    CameraSettings,
    ModelSettings,
    Settings,
    SettingsError,
    declared_range,
    update_group,
)
from app.settings_store import load_settings, open_qsettings, save_settings


def test_defaults_are_valid_and_flat_round_trip() -> None:
    settings = Settings()
    assert Settings.from_flat(settings.to_flat()) == settings
    assert settings.camera.source == "demo" and settings.model.device == "auto"
    assert settings.model.mirror_parsing is True  # the app parses photo and mirror by default


def test_values_are_coerced_from_qsettings_strings() -> None:
    flat = {"camera/index": "2", "camera/mirror_preview": "false", "camera/fps": "25", "model/device": "cpu"}
    settings = Settings.from_flat(flat)
    assert settings.camera.index == 2 and settings.camera.fps == 25
    assert settings.camera.mirror_preview is False
    assert settings.model.device == "cpu"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("camera/fps", 500, "outside"),
        ("camera/index", -1, "outside"),
        ("camera/demo_grade", 7, "outside"),
        ("model/device", "tpu", "choose one of"),
        ("camera/source", "webcam", "choose one of"),
        ("camera/width", "wide", "must be int"),
        ("camera/colour", "red", "unknown setting"),
        ("misc/thing", 1, "unknown setting"),
    ],
)
def test_bad_values_and_unknown_keys_are_rejected(key: str, value: object, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_flat({key: value})


def test_declared_ranges_are_exposed_for_spin_boxes() -> None:
    r = declared_range(CameraSettings, "fps")
    assert (r.low, r.high) == (1, 120)
    assert declared_range(ModelSettings, "weights_path") is None
    with pytest.raises(SettingsError):
        update_group(CameraSettings(), {"fps": 0})


def test_qsettings_round_trip(settings_path: str) -> None:
    changed = replace(
        Settings(),
        camera=replace(CameraSettings(), source="camera", index=1, width=640, height=480, fps=15, mirror_preview=False, auto_capture=True),
        model=ModelSettings(weights_path="/tmp/w.pt", device="cpu", mirror_parsing=False),
    )
    save_settings(open_qsettings(settings_path), changed)
    assert load_settings(open_qsettings(settings_path)) == changed


def test_unknown_key_in_the_settings_file_is_refused(settings_path: str) -> None:
    q = open_qsettings(settings_path)
    save_settings(q, Settings())
    q.setValue("camera/zoom", 3)
    q.sync()
    with pytest.raises(SettingsError, match="zoom"):
        load_settings(QSettings(settings_path, QSettings.Format.IniFormat))


def test_settings_dialog_round_trip(qtbot, settings_path: str, tmp_path) -> None:
    from app.pages.settings_dialog import SettingsDialog

    weights = tmp_path / "w.pt"
    weights.write_bytes(b"not really weights")
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.source.setCurrentIndex(1)  # camera
    dialog.index.setValue(3)
    dialog.fps.setValue(24)
    dialog.device.setCurrentText("cpu")
    dialog.weights.setText(str(weights))
    assert "sha256 " in dialog.checksum.text() and "not in a manifest" in dialog.checksum.text()
    dialog.clinic.setText("Test Clinic")
    assert dialog.mirror_parsing.isChecked()
    dialog.mirror_parsing.setChecked(False)
    assert dialog.demo_grade.currentText() == "III"  # the default demo_grade 3, shown as an HB grade
    dialog.demo_grade.setCurrentText("V")
    dialog.accept()
    result = dialog.result_settings
    assert result is not None
    assert (result.camera.source, result.camera.index, result.camera.fps) == ("camera", 3, 24)
    assert result.camera.demo_grade == 5
    assert result.model == ModelSettings(weights_path=str(weights), device="cpu", mirror_parsing=False)
    save_settings(open_qsettings(settings_path), result)
    assert load_settings(open_qsettings(settings_path)) == result


def test_a_logo_that_is_not_an_image_is_refused_in_the_dialog(qtbot, tmp_path) -> None:
    # it was accepted as free text, and every later export failed with ReportLab's UnidentifiedImageError
    import cv2
    import numpy as np

    from app.pages.settings_dialog import SettingsDialog

    bad, good = tmp_path / "logo.png", tmp_path / "real.png"
    bad.write_bytes(b"GIF87a not an image at all")
    cv2.imwrite(str(good), np.full((20, 40, 3), 200, np.uint8))
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    for path, words in ((bad, "is not an image Palsy Grader can read"), (tmp_path / "gone.png", "logo file not found")):
        dialog.logo.setText(str(path))
        dialog.accept()
        assert dialog.result_settings is None and words in dialog.error.text()
    dialog.logo.setText(str(good))
    dialog.accept()
    assert dialog.result_settings is not None and dialog.result_settings.clinic.logo_path == str(good)


def test_build_window_uses_isolated_settings_and_data(qtbot, settings_path: str, tmp_path, monkeypatch) -> None:
    """The `palsy gui` path: settings from the INI file, the store in the data folder."""
    from app.cli import build_parser
    from app.gui_main import build_window

    args = build_parser().parse_args(["gui"])
    assert args.handler.__module__ == "app.commands.gui"
    q = open_qsettings(settings_path)
    save_settings(q, replace(Settings(), clinic=replace(Settings().clinic, clinic_name="Isolated Clinic")))
    window = build_window(settings_path=settings_path, data=str(tmp_path / "records"))
    try:
        assert window.settings.clinic.clinic_name == "Isolated Clinic"
        assert (tmp_path / "records").is_dir()
        assert window.stack.currentWidget() is window.patients
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


def test_a_settings_file_with_unknown_keys_is_not_used_and_says_so(qtbot, settings_path: str, tmp_path) -> None:
    from app.gui_main import build_window

    q = open_qsettings(settings_path)
    q.setValue("camera/zoom", 3)
    q.setValue("clinic/clinic_name", "Should not load")
    q.sync()
    window = build_window(settings_path=settings_path, data=str(tmp_path / "records"))
    try:
        assert window.settings == Settings()
        assert "zoom" in window.banner.text() and not window.banner.isHidden()
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()
