"""A data folder named in Settings that is gone for good no longer locks the user out: the
start question offers to choose another folder (checked as the Settings dialog checks it, then
saved in the settings file), and the refusal names the settings file and its line rather than
Settings (not reachable) or PALSY_HOME (not read while Settings names a folder). A folder whose
drive is not there is never offered to be made: that re-made the drive's mount point locally.

Message boxes and the folder picker are patched: no modal dialog ever opens in these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.gateway_store import open_gateway
from app.gui_main import (
    StartDeclined,
    build_window,
    declined_message,
    folder_question,
    question_text,
)
from app.settings_store import load_settings, open_qsettings
from tests.gui.start_helpers import close_window, naming_folder

YES, NO, OPEN = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No, QMessageBox.StandardButton.Open


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """The question answered from `answers`, the folder picker from `picked` (cancelled when
    none left), warnings recorded."""
    calls: dict[str, list] = {"asked": [], "answers": [], "picked": [], "warned": []}

    def question(parent, title, text, buttons, *args):  # noqa: ANN001, ANN202
        calls["asked"].append((text, buttons))
        return calls["answers"].pop(0) if calls["answers"] else NO

    def warning(parent, title, text, *args):  # noqa: ANN001, ANN202
        calls["warned"].append(text)
        return QMessageBox.StandardButton.Ok

    def pick(*args):  # noqa: ANN002, ANN202
        return calls["picked"].pop(0) if calls["picked"] else ""

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    monkeypatch.delenv("PALSY_HOME", raising=False)
    return calls




def test_another_folder_chosen_at_the_start_is_opened_and_saved_in_settings(
        qtbot, tmp_path: Path, settings_path: str, dialogs: dict) -> None:
    gone = tmp_path / "retired_share" / "PalsyData"
    records = tmp_path / "records"
    open_gateway(records).close()
    dialogs["answers"].append(OPEN)
    dialogs["picked"].append(str(records))
    window = build_window(settings_path=naming_folder(settings_path, gone))
    try:
        assert window.gateway.folder == records and len(dialogs["asked"]) == 1
        assert load_settings(open_qsettings(settings_path))[0].clinic.data_folder == str(records)
        assert window.settings.clinic.data_folder == str(records)
    finally:
        close_window(window)
    assert not gone.parent.exists()


def test_a_chosen_folder_the_settings_dialog_would_refuse_is_said_and_asked_again(
        qtbot, tmp_path: Path, settings_path: str, dialogs: dict) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    dialogs["answers"] += [OPEN, OPEN]  # a file picked, then the picker cancelled, then No
    dialogs["picked"].append(str(a_file))
    with pytest.raises(StartDeclined):
        build_window(settings_path=naming_folder(settings_path, tmp_path / "gone" / "PalsyData"))
    assert len(dialogs["asked"]) == 3
    assert dialogs["warned"][0].startswith(f"The data folder {a_file} is a file, not a folder")
    assert dialogs["warned"][1] == "No folder was chosen."


def test_the_refusal_names_the_settings_file_and_its_line_not_palsy_home(
        qtbot, tmp_path: Path, settings_path: str, dialogs: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "palsy_home"))  # not read: Settings names a folder
    gone = tmp_path / "gone"
    with pytest.raises(StartDeclined) as declined:
        build_window(settings_path=naming_folder(settings_path, gone))
    said = str(declined.value)
    assert f"have the line data_folder= under [clinic] in the settings file {settings_path} corrected" in said
    assert "choose another folder (Open) at the next start" in said and "PALSY_HOME" not in said
    text, buttons = dialogs["asked"][0]
    assert "Open: choose another data folder" in text and buttons & OPEN


def test_a_missing_palsy_home_is_corrected_where_it_is_set(tmp_path: Path) -> None:
    question = folder_question(tmp_path / "palsy", "PALSY_HOME", "/home/x/settings.ini")
    assert question is not None and question.can_create
    assert "or correct PALSY_HOME; then start again" in declined_message(question)


def test_a_folder_whose_drive_is_not_there_is_not_offered_to_be_made(tmp_path: Path) -> None:
    # the Settings dialog refuses this path ("is a drive not connected?"); the start made it
    on_stick = tmp_path / "media" / "USBSTICK" / "PalsyData"
    question = folder_question(on_stick, "settings", "/home/x/settings.ini")
    assert question is not None and not question.can_create
    assert (f"The drive or folder above it, {on_stick.parent}, is not there either (is a drive not connected?)"
            in question.reason)
    assert "Yes:" not in question_text(question) and "Open: choose another data folder" in question_text(question)


def test_yes_for_a_folder_whose_drive_is_not_there_makes_nothing(
        qtbot, tmp_path: Path, settings_path: str, dialogs: dict) -> None:
    on_stick = tmp_path / "media" / "USBSTICK" / "PalsyData"
    dialogs["answers"].append(YES)  # not offered; a stray Yes is no
    with pytest.raises(StartDeclined):
        build_window(settings_path=naming_folder(settings_path, on_stick))
    _, buttons = dialogs["asked"][0]
    assert not buttons & YES and not (tmp_path / "media").exists()
