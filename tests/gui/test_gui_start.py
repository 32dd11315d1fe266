"""Starting the GUI: a failure to open is a message box, a log record and exit 2 (it was one
stderr line, invisible in a windowed build: audit D2); a data folder named in Settings or
PALSY_HOME that is missing or empty is not made a new, empty store without asking (D3); the
data folder in use is shown in the status bar (D3).

Message boxes are patched: no modal dialog ever opens in these tests.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.gateway_store import open_gateway
from app.gui_main import build_window, main
from tests.gui.start_helpers import close_window, naming_folder

START_FAILED = 2  # the exit status when the window does not open


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Record QMessageBox.critical and .question calls; the question answers from `answers`."""
    calls: dict[str, list] = {"critical": [], "question": [], "answers": []}

    def critical(parent, title, text, *args):  # noqa: ANN001, ANN202
        calls["critical"].append((title, text))
        return QMessageBox.StandardButton.Ok

    def question(parent, title, text, *args):  # noqa: ANN001, ANN202
        calls["question"].append((title, text))
        return calls["answers"].pop(0) if calls["answers"] else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return calls


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PALSY_HOME unset, and the platform's data folder (used without PALSY_HOME) under tmp_path."""
    import app.records.paths as paths

    monkeypatch.delenv("PALSY_HOME", raising=False)
    default = tmp_path / "default_data"
    monkeypatch.setattr(paths, "default_data_dir",
                        lambda: Path(os.environ[paths.ENV_VAR]) if os.environ.get(paths.ENV_VAR) else default)
    return default




def _newer_store(folder: Path) -> Path:
    open_gateway(folder).close()
    with sqlite3.connect(folder / "palsy.db") as conn:
        conn.execute("PRAGMA user_version=9")
    conn.close()
    return folder


@pytest.mark.parametrize("damage", ["damaged", "malformed", "newer"])
def test_a_store_that_cannot_open_is_a_message_box_a_log_record_and_exit_2(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict, caplog, capsys, damage: str) -> None:
    folder = tmp_path / "store"
    if damage == "damaged":
        folder.mkdir()
        (folder / "palsy.db").write_bytes(b"\x13" * 8192)
        words = "is damaged"
    elif damage == "malformed":  # a sound header, random bytes over a table crash recovery reads
        from tests.records.records_helpers import damage_table

        open_gateway(folder).close()
        damage_table(folder / "palsy.db", "captures")
        words = f"the database {folder / 'palsy.db'} is damaged (database disk image is malformed). Restore it from a backup"
    else:
        _newer_store(folder)
        words = "schema version 9, newer than this program's"
    log_path = tmp_path / "palsy.log"  # as app/frozen_main.py configure_logging gives the bundle
    handler = logging.FileHandler(log_path, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    try:
        with caplog.at_level(logging.ERROR, logger="app.gui_main"):
            assert main([], settings_path=naming_folder(settings_path, folder)) == START_FAILED
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    [(title, text)] = boxes["critical"]
    assert title == "Palsy Grader cannot start" and words in text and f"Data folder: {folder}" in text
    assert f"Log: {log_path}" in text
    logged = log_path.read_text(encoding="utf-8")
    assert words in logged and "Traceback" in logged and ("StorageError" in logged or "DatabaseDamagedError" in logged)
    assert not boxes["question"]  # a folder that holds a database is never asked about
    [record] = [r for r in caplog.records if r.name == "app.gui_main" and r.levelno == logging.ERROR]
    assert words in record.getMessage() and str(folder) in record.getMessage() and record.exc_info
    assert capsys.readouterr().err.startswith(f"palsy: error: {text.splitlines()[0]}")


def test_an_unexpected_error_while_building_the_window_is_reported_too(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict, monkeypatch, caplog) -> None:
    import app.main_window

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the patient page could not be built")

    monkeypatch.setattr(app.main_window, "MainWindow", broken)
    folder = open_gateway(tmp_path / "store").folder
    with caplog.at_level(logging.ERROR, logger="app.gui_main"):
        assert main([], settings_path=naming_folder(settings_path, folder)) == START_FAILED
    [(_, text)] = boxes["critical"]
    # it said "RuntimeError: the patient page could not be built": the class and words are the log's
    # no palsy.log in this test (a run from source keeps none): the box does not send anyone to one
    assert text.startswith("something unexpected went wrong, and no log is being kept") and str(folder) in text
    assert "RuntimeError" not in text
    [record] = [r for r in caplog.records if r.exc_info and r.levelno == logging.ERROR]
    assert record.exc_info[0] is RuntimeError and "the patient page could not be built" in str(record.exc_info[1])


@pytest.mark.parametrize("named_by", ["settings", "PALSY_HOME"])
def test_a_missing_data_folder_is_asked_about_and_no_quits_without_making_it(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict, monkeypatch, capsys, named_by: str) -> None:
    # an unmounted network drive silently became a new, empty data folder (audit D3)
    missing = tmp_path / "unmounted_nas" / "palsy"
    missing.parent.mkdir()  # the share's mount point, empty (one not there is not offered to be made)
    if named_by == "settings":
        naming_folder(settings_path, missing)
    else:
        monkeypatch.setenv("PALSY_HOME", str(missing))
    assert main([], settings_path=settings_path) == START_FAILED
    [(title, text)] = boxes["question"]
    assert "data folder not found" in title and f"The data folder {missing} does not exist" in text
    assert f"create a new, empty data folder at {missing}" in text
    assert not missing.exists()
    assert not boxes["critical"]  # the user has answered: no second box
    assert "Not started, and no new database was made there" in capsys.readouterr().err


def test_yes_makes_the_new_data_folder_and_the_status_bar_shows_it(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict) -> None:
    missing = tmp_path / "new_store"
    boxes["answers"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=naming_folder(settings_path, missing))
    try:
        assert len(boxes["question"]) == 1 and (missing / "palsy.db").is_file()
        assert window.gateway.folder == missing
        assert window.data_label.toolTip() == f"Data folder in use: {missing}"
        assert window.data_label.text().startswith("data: ")
        assert window.data_label in window.statusBar().findChildren(type(window.data_label))
    finally:
        close_window(window)



def test_yes_for_a_missing_palsy_home_starts_the_log_the_bundle_put_off(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    # the bundle does not make a missing PALSY_HOME just to log in it: its file log starts once
    # the user has had the folder made
    import app.frozen_main as frozen_main

    missing = tmp_path / "palsy"
    monkeypatch.setenv("PALSY_HOME", str(missing))
    started = []
    monkeypatch.setattr(frozen_main, "start_deferred_log", lambda: started.append((missing / "palsy.db").is_file()))
    boxes["answers"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=settings_path)
    try:
        assert window.gateway.folder == missing and started == [True]  # once, after the folder was made
    finally:
        close_window(window)


def test_an_empty_named_folder_is_asked_about_too(qtbot, tmp_path: Path, settings_path: str, home: Path,
                                                  boxes: dict) -> None:
    # an unmounted drive's mount point is an empty folder (a logs folder may already be there)
    mount = tmp_path / "mnt"
    (mount / "logs").mkdir(parents=True)
    assert main([], settings_path=naming_folder(settings_path, mount)) == START_FAILED
    [(_, text)] = boxes["question"]
    assert f"The data folder {mount} is empty" in text and not (mount / "palsy.db").exists()


def test_the_first_run_in_the_default_folder_and_an_existing_store_are_silent(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict) -> None:
    window = build_window(settings_path=settings_path)  # no settings file: the platform's default folder
    try:
        assert window.gateway.folder == home and (home / "palsy.db").is_file()
        assert window.data_label.toolTip() == f"Data folder in use: {home}"
    finally:
        close_window(window)
    window = build_window(settings_path=naming_folder(settings_path, home))  # now named in Settings, and there
    try:
        assert window.gateway.folder == home
    finally:
        close_window(window)
    assert not boxes["question"] and not boxes["critical"]


def test_a_data_folder_of_another_account_is_one_clear_message(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict, monkeypatch, capsys) -> None:
    import app.gui_main

    folder = tmp_path / "shared"
    folder.mkdir()

    def denied(path: Path, explicit: bool) -> str | None:  # as (folder / "palsy.db").exists() raises
        raise PermissionError(13, "Permission denied", str(path / "palsy.db"))  # for a 0700 folder of uid 1001

    monkeypatch.setattr(app.gui_main, "missing_store_reason", denied)
    assert main([], settings_path=naming_folder(settings_path, folder)) == START_FAILED
    [(title, text)] = boxes["critical"]
    assert title == "Palsy Grader cannot start"
    assert f"The data folder {folder} cannot be read by this user account" in text
    assert "belongs to another account" in text and "PALSY_HOME" not in text  # not read while Settings names one
    assert f"data_folder= under [clinic] in the settings file {settings_path}" in text
    assert "Errno 13" not in text and "PermissionError" not in text
    assert "Errno" not in capsys.readouterr().err


def test_a_data_folder_that_lost_its_database_is_refused_at_once(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict) -> None:
    # it was first asked about ("holds files but no database ... Yes: create a new, empty data
    # folder"), and after Yes the store refused it in a second box
    folder = tmp_path / "clinic"
    open_gateway(folder).close()
    photo = folder / "photos" / "000001" / "000001_rest_0123456789ab.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG photo")
    for db in folder.glob("palsy.db*"):
        db.unlink()
    assert main([], settings_path=naming_folder(settings_path, folder)) == START_FAILED
    assert not boxes["question"]
    [(title, text)] = boxes["critical"]
    assert title == "Palsy Grader cannot start"
    assert f"the database {folder / 'palsy.db'} is missing; 1 photo or report file(s)" in text
    assert "check the data folder in Settings or PALSY_HOME" in text and "--data" not in text
    assert not (folder / "palsy.db").exists() and photo.is_file()


def _as_shown(text: str) -> str:
    """What a message box shows for `text` (Qt takes text that looks like HTML for HTML)."""
    from PySide6.QtGui import Qt as GuiQt
    from PySide6.QtGui import QTextDocument

    if not GuiQt.mightBeRichText(text):
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_start_up_boxes_show_a_folder_named_like_html_as_named(
        qtbot, tmp_path: Path, settings_path: str, home: Path, boxes: dict) -> None:
    # the two start-up boxes were the only ones left taking a path for HTML: '<b>…' was bold
    missing = tmp_path / "<b>NAS<i>"
    assert main([], settings_path=naming_folder(settings_path, missing)) == START_FAILED
    [(_, asked)] = boxes["question"]
    assert f"create a new, empty data folder at {missing}" in _as_shown(asked)
    folder = _newer_store(tmp_path / "<u>newer")
    assert main([], settings_path=naming_folder(settings_path, folder)) == START_FAILED
    [(_, said)] = boxes["critical"]
    assert f"Data folder: {folder}" in _as_shown(said)
