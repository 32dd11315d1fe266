"""A settings file naming a data folder this version does not use (not a full path, as an
older release saved it; a path read as a list) makes the start ask, even when the default
folder holds a database: opening that one silently showed another set of records, and a
comma's spacing cannot be told, so a folder beside the real one was offered.

Message boxes are patched: no modal dialog ever opens in these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.gui_main import StartDeclined, build_window
from app.records import Store


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
def default_with_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PALSY_HOME unset; the platform's data folder under tmp_path, holding a database."""
    import app.records.paths as paths

    monkeypatch.delenv("PALSY_HOME", raising=False)
    default = tmp_path / "default_data"
    monkeypatch.setattr(paths, "default_data_dir", lambda: default)
    with Store.open(default) as store:
        store.create_patient("OTHER-1")
    return default


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
    assert f"Yes: open the data folder {default_with_records}." in asked  # not "create a new, empty" one


def test_yes_opens_the_default_folder_it_named(qtbot, tmp_path: Path, default_with_records: Path, answers: dict,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    answers["given"].append(QMessageBox.StandardButton.Yes)
    window = build_window(settings_path=_settings(tmp_path, "data_folder=recs"))
    try:
        assert window.gateway.folder == default_with_records
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


def test_a_path_read_as_a_list_is_not_used(qtbot, tmp_path: Path, default_with_records: Path, answers: dict) -> None:
    real = tmp_path / "Clinic,North"
    with Store.open(real) as store:
        store.create_patient("MINE-1")
    with pytest.raises(StartDeclined):
        build_window(settings_path=_settings(tmp_path, f"data_folder={real}"))  # unquoted: Qt reads a list
    [asked] = answers["asked"]
    assert "which cannot be used" in asked and "Clinic, North does not exist" not in asked
    assert not (tmp_path / "Clinic, North").exists()
