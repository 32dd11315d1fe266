"""Values in a hand-edited or copied settings file are never silently mangled: an unquoted
comma (read by QSettings as a list) is joined back and named; bytes, a file not in UTF-8, a
Windows path whose backslashes were eaten and a relative path are named and not used. The
app's own writes still read back as written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.settings import ClinicSettings, ModelSettings, Settings
from app.settings_store import load_settings, open_qsettings, save_settings, settings_notice


def _load(settings_path: str, content: bytes) -> tuple[Settings, list[str], str]:
    Path(settings_path).write_bytes(content)
    qsettings = open_qsettings(settings_path)
    settings, problems = load_settings(qsettings)
    return settings, problems, settings_notice(qsettings, problems)


def test_an_unquoted_comma_is_joined_back_and_named(settings_path: str) -> None:
    # "Smith, John" went onto the reports as "['Smith', 'John']"
    settings, problems, notice = _load(settings_path, b"[clinic]\nclinician=Smith, John\n"
                                                      b"clinic_name=St Mary's Hospital, Physiotherapy\n")
    assert settings.clinic.clinician == "Smith, John"
    assert settings.clinic.clinic_name == "St Mary's Hospital, Physiotherapy"
    assert "clinic/clinician: 'Smith, John' was read as a list (write values with commas in quotes)" in problems
    assert notice.startswith(f"Settings file {settings_path}: ")


def test_bytes_are_not_text_and_take_the_default(settings_path: str) -> None:
    settings, problems, _ = _load(settings_path, b"[clinic]\nclinic_name=@ByteArray(Mercy)\n")
    assert settings.clinic.clinic_name == ""
    [line] = problems
    assert line.startswith("clinic/clinic_name: '") and line.endswith("' is not text; the default '' is used")


def test_a_file_not_in_utf8_is_named_not_shown_with_replacement_characters(settings_path: str) -> None:
    settings, problems, _ = _load(settings_path, "[clinic]\nclinic_name=Clínica São José\n".encode("latin-1"))
    assert settings.clinic.clinic_name == ""
    [line] = problems
    assert "the settings file is not UTF-8" in line and "\ufffd" not in line


def test_a_windows_path_that_lost_its_backslashes_is_named(settings_path: str) -> None:
    settings, problems, _ = _load(settings_path, b"[model]\nweights_path=C:\\Palsy\\weights\\clinic.pt\n")
    assert settings.model.weights_path == ""
    [line] = problems
    assert line.startswith("model/weights_path: 'C:") and "a Windows path that lost its backslashes" in line


def test_relative_paths_are_not_used_from_the_launch_folder(settings_path: str) -> None:
    settings, problems, _ = _load(settings_path, b"[model]\nweights_path=weights/clinic.pt\n"
                                                 b"[clinic]\nlogo_path=logo.png\ndata_folder=clinic_data\n"
                                                 b"[camera]\nvideo_path=v.mp4\nfolder_path=photos\n")
    assert settings == Settings()
    assert len(problems) == 5 and all("is not a full path; choose it again in Settings" in p for p in problems)


def test_the_apps_own_values_with_commas_and_backslashes_read_back_as_written(settings_path: str, tmp_path) -> None:
    written = replace(Settings(), clinic=ClinicSettings(clinic_name="St Mary's, Physio", clinician="Smith, John",
                                                        data_folder=str(tmp_path / "a, b")),
                      model=ModelSettings(weights_path=str(tmp_path / "w\\x.pt")))
    save_settings(open_qsettings(settings_path), written)
    assert load_settings(open_qsettings(settings_path)) == (written, [])
