"""The notice for a damaged settings file says so once: no garbage "setting names", the path
said once. A file with a stale key or a bad value keeps its own wording."""

from __future__ import annotations

from pathlib import Path

from app.gateway_store import open_gateway
from app.gui_main import build_window
from app.settings import Settings
from app.settings_store import load_settings, open_qsettings, settings_notice


def _notice(settings_path: str) -> tuple[Settings, str]:
    qsettings = open_qsettings(settings_path)
    settings, problems = load_settings(qsettings)
    return settings, settings_notice(qsettings, problems)


def test_a_file_of_random_bytes_is_said_to_be_damaged_and_nothing_else(settings_path: str) -> None:
    # it listed "unknown setting(s) \ufffd0\ufffd..." and named the file twice
    Path(settings_path).write_bytes(bytes(range(256)) * 12)
    settings, notice = _notice(settings_path)
    assert notice == (f"The settings file {settings_path} is damaged (not a settings file); "
                      "the default settings are used. Saving Settings replaces it.")
    assert settings == Settings()


def test_a_damaged_file_still_gives_the_settings_it_holds(settings_path: str) -> None:
    # a data folder lost to one broken line would open another, empty data folder
    Path(settings_path).write_bytes(b"[clinic]\ndata_folder=/srv/palsy\n" + bytes(range(256)))
    settings, notice = _notice(settings_path)
    assert settings.clinic.data_folder == "/srv/palsy"
    assert notice == (f"The settings file {settings_path} is damaged (not a settings file); the settings it "
                      "still holds are used, the defaults for the rest. Saving Settings replaces it.")


def test_a_stale_key_and_a_bad_value_keep_their_wording(settings_path: str) -> None:
    Path(settings_path).write_text("[camera]\nbogus=1\n[model]\ndevice=tpu\n")
    _, notice = _notice(settings_path)
    assert notice == (f"Settings file {settings_path}: unknown setting(s) camera/bogus ignored; model/device: "
                      "'tpu' is not one of auto, cpu, cuda; the default 'auto' is used. "
                      "Saving Settings rewrites the file without them.")
    assert _notice(_clean(settings_path))[1] == ""


def _clean(settings_path: str) -> str:
    Path(settings_path).write_text("[camera]\nindex=1\n")
    return settings_path


def test_the_window_shows_the_damaged_files_notice_once(qtbot, tmp_path: Path, settings_path: str) -> None:
    folder = tmp_path / "store"
    open_gateway(folder).close()
    Path(settings_path).write_bytes(bytes(range(256)) * 12)
    window = build_window(settings_path=settings_path, data=str(folder))
    try:
        shown = window.notice.text()
        assert shown.startswith(f"The settings file {settings_path} is damaged") and shown.count(settings_path) == 1
        assert "unknown setting" not in shown
    finally:
        window.close()
        window.gateway.close()
        window.deleteLater()


def test_saving_replaces_a_damaged_file_owner_only(settings_path: str) -> None:
    # QSettings keeps the FormatError of the damaged file it read: the save that replaced the
    # file was reported as "could not be written" and left it readable by others.
    import os
    import stat
    import sys

    from app.settings_store import save_settings

    Path(settings_path).write_bytes(bytes(range(256)) * 12)
    qsettings = open_qsettings(settings_path)
    settings, _ = load_settings(qsettings)
    save_settings(qsettings, settings)
    again, problems = load_settings(open_qsettings(settings_path))
    assert problems == [] and again == settings
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(settings_path).st_mode) == 0o600
