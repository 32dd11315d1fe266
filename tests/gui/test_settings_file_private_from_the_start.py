"""The settings file (the default clinician, the photo and data folders) is never readable by
the group, not even while it is written, and its folders are created owner-only, under a
umask that shares with the group (002, the default of many Linux systems)."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.settings import Settings
from app.settings_store import ORGANISATION, save_settings

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


class WatchedSettings(QSettings):
    """QSettings noting the file's mode right after each write, before anything else runs."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), QSettings.Format.IniFormat)
        self.modes: list[int] = []

    def sync(self) -> None:
        super().sync()
        if os.path.exists(self.fileName()):
            self.modes.append(_mode(Path(self.fileName())))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_002():
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_the_file_is_owner_only_as_qsettings_writes_it_and_its_folders_too(tmp_path: Path, umask_002) -> None:
    config = tmp_path / "config"  # a missing $XDG_CONFIG_HOME
    path = config / ORGANISATION / f"{ORGANISATION}.ini"
    qsettings = WatchedSettings(path)
    settings = replace(Settings(), clinic=replace(Settings().clinic, clinician="Dr Who"))
    for name in ("North", "South"):
        save_settings(qsettings, replace(settings, clinic=replace(settings.clinic, clinic_name=name)))
    assert qsettings.modes and set(qsettings.modes) == {0o600}
    assert (_mode(config), _mode(config / ORGANISATION)) == (0o700, 0o700)
    assert QSettings(str(path), QSettings.Format.IniFormat).value("clinic/clinic_name") == "South"


def test_a_folder_and_file_an_older_version_left_open_are_tightened_before_writing(tmp_path: Path, umask_002) -> None:
    folder = tmp_path / ORGANISATION
    folder.mkdir(mode=0o775)
    path = folder / f"{ORGANISATION}.ini"
    path.write_text("[clinic]\nclinic_name=North\n")
    path.chmod(0o664)
    qsettings = WatchedSettings(path)
    save_settings(qsettings, Settings())
    assert set(qsettings.modes) == {0o600} and _mode(folder) == 0o700

