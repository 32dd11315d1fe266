"""Qt's own file dialog records the folders it visited in the settings file every Qt program
shares (QtProject.conf, 0644 under umask 022). Save a copy of a report and the settings
dialog's pickers, whose folders are often named after a patient, leave no such record; the
real (widget) dialogs are driven offscreen and accepted."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from app.export import SavedReport
from app.pages.settings_dialog import SettingsDialog
from app.settings import Settings
from app.window_report import WindowReportMixin

FORMATS = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)


@pytest.fixture
def qt_settings(tmp_path: Path):
    """Qt's user settings in a folder of the test's (the user's own put back after): what Qt
    holds in its QtProject.conf, read afresh."""
    before = {fmt: str(Path(QSettings(fmt, QSettings.Scope.UserScope, "QtProject").fileName()).parent)
              for fmt in FORMATS}
    for fmt in FORMATS:
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qt-config"))
    yield lambda: QSettings(QSettings.Scope.UserScope, "QtProject")
    for fmt, folder in before.items():
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)


def accept_the_dialog_when_shown() -> list[list[str]]:
    """Accept the next file dialog shown (as a user pressing Save or Choose); what it offered."""
    offered: list[list[str]] = []

    def accept(tries: int = 100) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QFileDialog) and widget.isVisible():
                offered.append(widget.selectedFiles())
                widget.accept()
                return
        if tries:
            QTimer.singleShot(50, lambda: accept(tries - 1))

    QTimer.singleShot(50, accept)
    return offered


def visited(qt) -> dict[str, object]:
    return {key: qt.value(f"FileDialog/{key}") for key in ("history", "lastVisited") if qt.contains(f"FileDialog/{key}")}


class ReportHost(WindowReportMixin, QWidget):
    """The window's Save a copy, on a data folder of its own, its messages kept."""

    def __init__(self, data_folder: Path) -> None:
        super().__init__()
        self.gateway = SimpleNamespace(folder=data_folder)
        self.messages: list[str] = []

    def notify(self, text: str, *args: object, **kwargs: object) -> None:
        self.messages.append(text)


def test_save_a_copy_leaves_the_patients_folder_out_of_qts_settings(qtbot, tmp_path: Path, qt_settings) -> None:
    data = tmp_path / "data"
    (data / "reports").mkdir(parents=True)
    stored = data / "reports" / "000001_report.pdf"
    stored.write_bytes(b"%PDF-1.4 report")
    patient_folder = tmp_path / "copies" / "Zelda Quixotehide"
    patient_folder.mkdir(parents=True)
    host = ReportHost(data)
    qtbot.addWidget(host)
    host._last_copy_folder = str(patient_folder)
    offered = accept_the_dialog_when_shown()
    host.save_copy_of(SavedReport(1, stored, "MRN-2002_Zelda Quixotehide_HB-report.pdf"))
    assert offered and (patient_folder / "MRN-2002_Zelda Quixotehide_HB-report.pdf").read_bytes() == b"%PDF-1.4 report"
    assert visited(qt_settings()) == {}
    assert host._last_copy_folder == str(patient_folder)  # the program still starts the next copy there


@pytest.mark.parametrize("picker", ["_pick_folder", "_pick_data"])
def test_the_settings_folder_pickers_leave_no_folder_in_qts_settings(qtbot, tmp_path: Path, qt_settings,
                                                                     picker: str) -> None:
    patient_folder = tmp_path / "photos" / "Jane Secretname 1961-04-02"
    patient_folder.mkdir(parents=True)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    field = dialog.folder if picker == "_pick_folder" else dialog.data_folder
    field.setText(str(patient_folder))
    offered = accept_the_dialog_when_shown()
    getattr(dialog, picker)()
    assert offered and field.text() == str(patient_folder)
    assert visited(qt_settings()) == {}


def test_the_start_questions_folder_picker_leaves_no_folder_in_qts_settings(qtbot, tmp_path: Path, qt_settings,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from app.gui_main import ask_new_data_folder, folder_question

    chosen = tmp_path / "Records of Jane Secretname"
    chosen.mkdir()
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args: QMessageBox.StandardButton.Open))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(
        lambda *args: _visit(chosen) or str(chosen)))  # Qt's dialog records the folder as it closes
    assert ask_new_data_folder(folder_question(tmp_path / "gone" / "PalsyData", "settings", "/home/x/s.ini")) == chosen
    assert visited(qt_settings()) == {}


def _visit(folder: Path) -> None:
    """What Qt's own dialog writes on closing: the folder visited, in its shared settings."""
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.setValue("FileDialog/lastVisited", folder.as_uri())
    qt.setValue("FileDialog/history", [folder.as_uri()])
    qt.sync()
