"""Settings: typed values with ranges, unknown keys rejected (strict) or ignored one by one
(the settings file), QSettings round trip, the data folder checked in the dialog."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings

from app.settings import (
    CameraSettings,
    ClinicSettings,
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
        ("model/device", "tpu", "'tpu' is not one of auto, cpu, cuda; choose another value"),
        ("camera/source", "webcam", "is not one of"),
        ("camera/width", "wide", "must be int"),
        ("camera/colour", "red", "unknown setting"),
        ("misc/thing", 1, "unknown setting"),
    ],
)
def test_bad_values_and_unknown_keys_are_rejected(key: str, value: object, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_flat({key: value})


@pytest.mark.parametrize(("key", "field"), [("camera/demo_grade", "demo_grade"), ("camera/fps", "fps"),
                                            ("camera/index", "index")])
def test_both_ends_of_a_declared_range_are_accepted(key: str, field: str) -> None:
    # Ranges are inclusive: grade VI is a valid demo patient; one past the top is not.
    r = declared_range(CameraSettings, field)
    for value in (r.low, r.high):
        assert getattr(Settings.from_flat({key: value}).camera, field) == value
    with pytest.raises(SettingsError, match="outside"):
        Settings.from_flat({key: r.high + 1})
    assert declared_range(CameraSettings, "demo_grade").high == 6


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
    assert load_settings(open_qsettings(settings_path)) == (changed, [])



@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_settings_file_is_readable_by_its_owner_only(settings_path: str) -> None:
    # it was 0644: the clinician's name and the data and photo folders for every local user
    old = os.umask(0o022)
    try:
        save_settings(open_qsettings(settings_path), Settings())
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(settings_path).st_mode) == 0o600


def test_an_unknown_key_costs_only_itself_and_a_bad_value_only_its_own_key() -> None:
    # one stale key threw away every setting, the data folder with them (audit D1)
    flat = {"clinic/data_folder": "/srv/palsy", "clinic/clinic_name": "North", "camera/old_key": "1",
            "camera/fps": "500", "camera/index": "2", "model/device": "tpu", "model/mirror_parsing": "false",
            "legacy": "x", "misc/thing": "y"}
    settings, problems = Settings.from_flat_lenient(flat)
    assert settings.clinic == ClinicSettings(clinic_name="North", data_folder="/srv/palsy")
    assert (settings.camera.index, settings.camera.fps) == (2, CameraSettings().fps)
    assert settings.model == ModelSettings(device="auto", mirror_parsing=False)
    assert problems[0] == "unknown setting(s) camera/old_key, legacy, misc/thing ignored"
    assert any(p.startswith("camera/fps:") and "outside 1..120" in p and "the default 30 is used" in p for p in problems)
    assert any(p.startswith("model/device:") and "'tpu' is not one of auto, cpu, cuda; the default 'auto' is used" in p for p in problems)
    assert len(problems) == 3
    assert Settings.from_flat_lenient(Settings().to_flat()) == (Settings(), [])


def test_the_settings_file_keeps_its_valid_keys_and_saving_drops_the_stale_ones(settings_path: str) -> None:
    q = open_qsettings(settings_path)
    save_settings(q, Settings())
    q.setValue("camera/zoom", 3)
    q.setValue("clinic/data_folder", "/srv/palsy")
    q.setValue("camera/width", "wide")
    q.sync()
    settings, problems = load_settings(QSettings(settings_path, QSettings.Format.IniFormat))
    assert settings.clinic.data_folder == "/srv/palsy" and settings.camera.width == CameraSettings().width
    assert "zoom" in problems[0] and "camera/width: 'wide' is not a whole number; the default 1280 is used" in problems
    save_settings(open_qsettings(settings_path), settings)  # Settings -> Save rewrites the file
    text = Path(settings_path).read_text()
    assert "zoom" not in text and "wide" not in text and "/srv/palsy" in text
    assert load_settings(open_qsettings(settings_path)) == (settings, [])


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
    assert "sha256 " in dialog.checksum.text() and "not in the shipped manifest" in dialog.checksum.text()
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
    assert load_settings(open_qsettings(settings_path)) == (result, [])


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


def test_a_logo_too_large_is_refused_for_its_size_not_as_no_image(tmp_path) -> None:
    # an 8000 x 8000 PNG was "not an image Palsy Grader can read; choose a PNG or JPEG file"
    import struct
    import zlib

    from app.settings import check_logo

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    logo = tmp_path / "big.png"  # its header says 8000 x 8000 (64 megapixels): refused before decoding
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8000, 8000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    with pytest.raises(SettingsError) as refused:
        check_logo(str(logo))
    assert "too large" in str(refused.value) and "not an image" not in str(refused.value)


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


def test_a_settings_file_with_an_unknown_key_keeps_the_data_folder_and_says_so(qtbot, settings_path: str, tmp_path,
                                                                                monkeypatch) -> None:
    # [clinic] data_folder=... plus [camera] old_key=1 opened the default folder, empty (audit D1)
    from app.gateway_store import open_gateway
    from app.gui_main import build_window
    from app.records_gateway import PatientInfo
    from app.window_model import DEMO_BANNER

    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "default_home"))
    store = tmp_path / "store1"
    gateway = open_gateway(store)
    gateway.save_patient(PatientInfo("MRN-001", "Zebedee Quixotic", "1970-01-01", "male", "left"), is_new=True)
    gateway.close()
    Path(settings_path).write_text(f"[clinic]\ndata_folder={store}\nclinic_name=North\n[camera]\nold_key=1\nfps=500\n")
    window = build_window(settings_path=settings_path)
    try:
        assert window.gateway.folder == store and not (tmp_path / "default_home").exists()
        assert window.patients.table.rowCount() == 1
        assert window.settings.clinic.clinic_name == "North" and window.settings.camera.fps == CameraSettings().fps
        text = window.notice.text()
        assert "camera/old_key" in text and "camera/fps" in text and not window.notice.isHidden()
        # the model's banner no longer replaces it, loaded (demo) or not
        window._model_loaded(SimpleNamespace(name="demo_compact.pt", sha256="0" * 64, device="cpu", is_demo=True,
                                            path="demo_compact.pt"))
        assert window.banner.text() == DEMO_BANNER and not window.banner.isHidden()
        assert "camera/old_key" in window.notice.text() and not window.notice.isHidden()
        window._model_failed("weights file not found")
        assert "camera/old_key" in window.notice.text() and not window.notice.isHidden()
        # saving Settings rewrites the file with known keys only, and the notice goes
        window.apply_settings(window.settings)
        assert window.notice.isHidden()
        assert "old_key" not in Path(settings_path).read_text()
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


@pytest.mark.parametrize("kind", ["file", "no_parent", "relative"])
def test_the_dialog_refuses_a_data_folder_that_cannot_be_one(qtbot, tmp_path, kind: str) -> None:
    from app.pages.settings_dialog import SettingsDialog

    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    path, words = {"file": (str(a_file), "is a file, not a folder"),
                   "no_parent": (str(tmp_path / "unmounted_nas" / "palsy"), "does not exist (is a drive not connected?)"),
                   "relative": ("palsy-data", "is not a full path")}[kind]
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.data_folder.setText(path)
    dialog.accept()
    assert dialog.result_settings is None and words in dialog.error.text()
    for good in (tmp_path, tmp_path / "new_store", ""):  # existing, made at the next start, the default
        dialog.data_folder.setText(str(good) if good else "")
        dialog.accept()
        assert dialog.result_settings is not None and dialog.result_settings.clinic.data_folder == (str(good) if good else "")
        dialog.result_settings = None


def test_the_dialog_shows_the_folder_in_use(qtbot, tmp_path, monkeypatch) -> None:
    from app.pages.settings_dialog import SettingsDialog

    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    dialog = SettingsDialog(Settings(), folder_in_use=tmp_path / "store1")
    qtbot.addWidget(dialog)
    assert f"In use now: {tmp_path / 'store1'}" in dialog.folder_in_use.text() and not dialog.folder_in_use.isHidden()
    assert str(tmp_path / "home") in dialog.data_folder.placeholderText()


def test_the_data_folder_placeholder_says_where_its_folder_comes_from(qtbot, tmp_path, monkeypatch) -> None:
    # it said "the default: ..." for a folder PALSY_HOME named
    from app.pages.settings_dialog import SettingsDialog

    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert dialog.data_folder.placeholderText() == f"from PALSY_HOME: {tmp_path / 'home'}"
    monkeypatch.delenv("PALSY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    other = SettingsDialog(Settings())
    qtbot.addWidget(other)
    assert other.data_folder.placeholderText().startswith("the default: ")


def test_a_changed_data_folder_is_said_to_take_effect_at_the_next_start(qtbot, tmp_path, monkeypatch) -> None:
    # "Settings saved", while the records still went to the old folder until a restart (audit D4)
    from app.gateway_store import open_gateway
    from app.main_window import MainWindow, Services

    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    saved: list[Settings] = []
    window = MainWindow(Services(settings=Settings(), gateway=open_gateway(tmp_path / "store1"), save_settings=saved.append),
                        load_model_on_show=False)
    try:
        moved = tmp_path / "moved_store"
        window.apply_settings(replace(window.settings, clinic=replace(window.settings.clinic, data_folder=str(moved))))
        message = window.statusBar().currentMessage()
        assert message.startswith("Settings saved.") and "used from the next start" in message and str(moved) in message
        assert "Palsy Grader will ask before making it" in message
        assert window.gateway.folder == tmp_path / "store1" and saved[-1].clinic.data_folder == str(moved)
        assert "used from the next start" in window.notice.text() and not window.notice.isHidden()
        back = replace(window.settings, clinic=replace(window.settings.clinic, data_folder=str(tmp_path / "store1")))
        window.apply_settings(back)  # back to the folder in use: nothing waits for a restart
        assert window.statusBar().currentMessage() == "Settings saved" and window.notice.isHidden()
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


def test_settings_that_cannot_be_written_are_said_not_saved(qtbot, tmp_path: Path, data_folder: Path,
                                                          tiny_weights: Path) -> None:
    # a read-only settings file or folder (here: a file where its folder should be) said "Settings saved"
    (tmp_path / "not_a_folder").write_text("x")
    unwritable = open_qsettings(str(tmp_path / "not_a_folder" / "PalsyGrader.ini"))
    with pytest.raises(SettingsError, match="could not be written to .*PalsyGrader.ini .*this session only"):
        save_settings(unwritable, Settings())

    from tests.gui.gui_helpers import close_window, make_window

    window = make_window(qtbot, data_folder, tiny_weights, save_settings=lambda s: save_settings(unwritable, s))
    try:
        chosen = replace(window.settings, clinic=replace(window.settings.clinic, clinician="Dr. New"))
        window.apply_settings(chosen)
        message = window.statusBar().currentMessage()
        assert message.startswith("Settings NOT saved: the settings could not be written")
        assert window.settings.clinic.clinician == "Dr. New"  # used in this session all the same
        assert "NOT saved" in window.notice.text() and window.notice.isVisible()
    finally:
        close_window(window)


def test_only_a_live_camera_preview_is_mirrored() -> None:
    # a photo folder's raised brow showed on the other side in the preview than in the file
    # and on the results page
    assert CameraSettings(source="camera").preview_mirrored and CameraSettings(source="demo").preview_mirrored
    assert not CameraSettings(source="folder").preview_mirrored and not CameraSettings(source="video").preview_mirrored
    assert not CameraSettings(source="camera", mirror_preview=False).preview_mirrored


def test_the_settings_dialog_shows_only_the_chosen_sources_fields(qtbot) -> None:
    # every source's fields were shown at once (camera index, video file, demo patient...)
    from app.pages.settings_dialog import SettingsDialog

    dialog = SettingsDialog(replace(Settings(), camera=CameraSettings(source="folder")))
    qtbot.addWidget(dialog)
    dialog.show()
    visible = lambda w: w.isVisibleTo(dialog)  # noqa: E731
    assert visible(dialog.folder) and not visible(dialog.video) and not visible(dialog.index) and not visible(dialog.demo_seed)
    assert not visible(dialog.mirror)  # a stored photo is never mirrored
    dialog.source.setCurrentIndex(dialog.source.findData("camera"))
    assert visible(dialog.index) and visible(dialog.fps) and visible(dialog.mirror) and not visible(dialog.folder)
    dialog.source.setCurrentIndex(dialog.source.findData("demo"))
    assert visible(dialog.demo_seed) and not visible(dialog.index)
    assert visible(dialog.auto)  # auto-capture serves every source


def _printable(line: str) -> bool:
    return line.isprintable() and "\ufffd" not in line


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 12,  # random-looking bytes: control characters, invalid UTF-8
    b"\0" * 500,
    b"[camera]\nsource=\x01\x02demo\x7f\xff\nunknown\x1b[31m=1\n",
], ids=["bytes", "nul", "control-characters"])
def test_a_damaged_settings_file_gives_printable_problem_lines(settings_path: str, content: bytes) -> None:
    # audit: a settings file of random bytes gave a problem line of raw bytes and control characters
    Path(settings_path).write_bytes(content)
    settings, problems = load_settings(open_qsettings(settings_path))
    assert problems and all(_printable(line) for line in problems), problems
    assert all(len(line) < 400 for line in problems)
    assert settings.clinic == Settings().clinic  # the defaults stand in for what the file could not give


def _fake_torch(monkeypatch, available: bool, built_with: str | None) -> None:
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: available)
    monkeypatch.setattr(torch.version, "cuda", built_with)


def _cuda_item(dialog):
    from PySide6.QtCore import Qt

    from app.settings import DEVICES

    index = DEVICES.index("cuda")
    return dialog.device.model().item(index), dialog.device.itemData(index, Qt.ItemDataRole.ToolTipRole)


def test_cuda_is_disabled_where_pytorch_has_no_cuda(qtbot, monkeypatch) -> None:
    from app.pages.settings_dialog import SettingsDialog

    _fake_torch(monkeypatch, available=False, built_with=None)  # the bundle's CPU-only torch
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    item, tip = _cuda_item(dialog)
    assert not item.isEnabled() and tip == "this installation's PyTorch has no CUDA support"
    assert dialog.device.currentText() == "auto"


def test_cuda_stays_offered_by_a_cuda_build_without_a_gpu_now(qtbot, monkeypatch) -> None:
    from app.pages.settings_dialog import SettingsDialog

    _fake_torch(monkeypatch, available=False, built_with="12.4")
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    item, tip = _cuda_item(dialog)
    assert item.isEnabled() and tip == "no GPU found"
    dialog.device.setCurrentText("cuda")
    assert dialog.device.currentText() == "cuda"

    _fake_torch(monkeypatch, available=True, built_with="12.4")  # a GPU: nothing to say
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    item, tip = _cuda_item(dialog)
    assert item.isEnabled() and not tip
