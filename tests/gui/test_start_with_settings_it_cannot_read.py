"""A settings file that cannot be read (a folder at its path, no read permission) is said, and
so is one that is damaged; in both cases the data folder chosen in it is not known, so the
start asks before making a new, empty database in the default folder rather than opening one
silently (the therapist started creating patients in the wrong database).

Message boxes are patched: no modal dialog ever opens in these tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.gateway_store import open_gateway
from app.gui_main import StartDeclined, build_window
from app.records import Store
from app.settings import Settings
from app.settings_store import load_settings, open_qsettings, settings_notice
from tests.gui.start_helpers import close_window


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """QMessageBox.question recorded, answered from `answers["given"]` (No when none left)."""
    calls: dict[str, list] = {"asked": [], "given": []}

    def question(parent, title, text, *args):  # noqa: ANN001, ANN202
        calls["asked"].append(text)
        return calls["given"].pop(0) if calls["given"] else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return calls


@pytest.fixture
def default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PALSY_HOME unset; the platform's data folder under tmp_path."""
    import app.records.paths as paths

    monkeypatch.delenv("PALSY_HOME", raising=False)
    default = tmp_path / "default_data"
    monkeypatch.setattr(paths, "default_data_dir", lambda: default)
    return default



def test_a_folder_at_the_settings_path_is_said_to_be_unreadable(settings_path: str) -> None:
    # QSettings reads it as an empty file, even as root; a mode-000 file read by another account
    # gives the same AccessError (seen as uid 65534; CI runs as root, which reads any file)
    os.mkdir(settings_path)
    qsettings = open_qsettings(settings_path)
    settings, problems = load_settings(qsettings)
    assert settings == Settings()
    assert settings_notice(qsettings, problems) == (
        f"The settings file {settings_path} cannot be read (its permissions, or it is not a file); the default "
        "settings are used for this session, and nothing is saved over it.")


def test_unreadable_settings_ask_before_a_new_database_in_the_default_folder(
        qtbot, settings_path: str, default_folder: Path, answers: dict) -> None:
    os.mkdir(settings_path)
    with pytest.raises(StartDeclined) as declined:
        build_window(settings_path=settings_path)
    [asked] = answers["asked"]
    assert asked.startswith(f"The settings file {settings_path} cannot be read, so the data folder chosen in "
                            f"Settings is not known. The data folder {default_folder} does not exist.")
    assert (f"have the settings file {settings_path} made readable or corrected (its line data_folder= under "
            "[clinic] names the data folder)") in str(declined.value)
    assert not default_folder.exists()


def test_yes_opens_the_default_folder_and_the_notice_says_the_settings_were_not_read(
        qtbot, settings_path: str, default_folder: Path, answers: dict) -> None:
    os.mkdir(settings_path)
    answers["given"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=settings_path)
    try:
        assert window.gateway.folder == default_folder and (default_folder / "palsy.db").is_file()
        assert window.notice.text().startswith(f"The settings file {settings_path} cannot be read")
    finally:
        close_window(window)


def test_unreadable_settings_with_a_database_in_the_default_folder_open_it_with_the_notice(
        qtbot, settings_path: str, default_folder: Path, answers: dict) -> None:
    open_gateway(default_folder).close()
    os.mkdir(settings_path)
    window = build_window(settings_path=settings_path)
    try:
        assert not answers["asked"] and window.gateway.folder == default_folder
        assert "cannot be read" in window.notice.text()
    finally:
        close_window(window)


def test_a_damaged_settings_file_asks_before_a_new_database_in_the_default_folder(
        qtbot, settings_path: str, default_folder: Path, answers: dict) -> None:
    # a power cut left the file its length in NUL bytes: a "damaged" notice, then a new database
    Path(settings_path).write_bytes(b"\0" * 300)
    with pytest.raises(StartDeclined):
        build_window(settings_path=settings_path)
    [asked] = answers["asked"]
    assert asked.startswith(f"The settings file {settings_path} is damaged, so the data folder chosen in "
                            "Settings is not known.")
    assert not default_folder.exists()


def test_a_relative_data_folder_in_the_file_is_not_used_from_the_launch_folder(
        qtbot, tmp_path: Path, settings_path: str, default_folder: Path, answers: dict,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # started from another folder, it made a second, empty database there
    launch = tmp_path / "launched_here"
    launch.mkdir()
    monkeypatch.chdir(launch)
    Path(settings_path).write_text("[clinic]\ndata_folder=clinic_data\n")
    answers["given"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=settings_path)
    try:
        [asked] = answers["asked"]
        assert asked.startswith(f"The settings file {settings_path} names the data folder 'clinic_data', which cannot be used")
        assert window.gateway.folder == default_folder and not (launch / "clinic_data").exists()
        assert "clinic/data_folder: 'clinic_data' is not a full path; choose it again in Settings" in window.notice.text()
    finally:
        close_window(window)


# A data folder the settings file names but this version refuses (not a full path, as an older
# release saved it; a path read as a list): the start asks even when the default folder holds a
# database (opening that one silently showed another set of records), and a comma's spacing
# cannot be told, so a folder beside the real one was offered.
@pytest.fixture
def default_with_records(default_folder: Path) -> Path:
    """The platform's data folder (`default_folder`), holding a database."""
    with Store.open(default_folder) as store:
        store.create_patient("OTHER-1")
    return default_folder


def _settings(tmp_path: Path, line: str) -> str:
    path = tmp_path / "palsy.ini"
    path.write_text(f"[clinic]\n{line}\n", encoding="utf-8")
    return str(path)


def test_a_relative_data_folder_is_asked_about_and_its_records_named(
        qtbot, tmp_path: Path, default_with_records: Path, answers: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(tmp_path / "recs") as store:
        store.create_patient("MINE-1")
    monkeypatch.chdir(tmp_path)
    settings = _settings(tmp_path, "data_folder=recs")
    with pytest.raises(StartDeclined):
        build_window(settings_path=settings)
    [asked] = answers["asked"]
    assert "names the data folder 'recs', which cannot be used" in asked
    assert f"that is {tmp_path / 'recs'}, which holds records: choose it with Open" in asked
    assert f"Yes: use the data folder {default_with_records} as it is." in asked  # not "create a new, empty" one
    assert "which cannot be used: it is not a full path." in asked
    assert "connect the drive" not in asked  # no drive is missing here


def test_yes_opens_the_default_folder_it_named(qtbot, tmp_path: Path, default_with_records: Path, answers: dict,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    answers["given"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=_settings(tmp_path, "data_folder=recs"))
    try:
        assert window.gateway.folder == default_with_records
    finally:
        close_window(window)


def test_a_path_read_as_a_list_is_not_used(qtbot, tmp_path: Path, default_with_records: Path, answers: dict) -> None:
    real = tmp_path / "Clinic,North"
    with Store.open(real) as store:
        store.create_patient("MINE-1")
    with pytest.raises(StartDeclined):
        build_window(settings_path=_settings(tmp_path, f"data_folder={real}"))  # unquoted: Qt reads a list
    [asked] = answers["asked"]
    assert "which cannot be used" in asked and "Clinic, North does not exist" not in asked
    assert not (tmp_path / "Clinic, North").exists()


def test_the_folder_picker_opens_where_the_question_points(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.gui_main import FolderQuestion, _picker_start
    from app.settings_store import RECORDS_FROM_LAUNCH

    monkeypatch.chdir(tmp_path)
    named = FolderQuestion(tmp_path / "default" / "data", f"... {RECORDS_FROM_LAUNCH}, that is ...", "refused", "s.ini", True)
    assert _picker_start(named) == str(tmp_path)  # the records the question names are there
    (tmp_path / "drive").mkdir()
    missing = FolderQuestion(tmp_path / "drive" / "PalsyData", "does not exist", "settings", "s.ini", True)
    assert _picker_start(missing) == str(tmp_path / "drive")
