"""QSettings persistence of `app.settings.Settings` (the only settings module that imports Qt)."""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QSettings

from app.settings import Settings, SettingsError

ORGANISATION = "PalsyGrader"
APPLICATION = "PalsyGrader"

log = logging.getLogger(__name__)


def open_qsettings(path: str | None = None) -> QSettings:
    """The application's QSettings; an explicit INI `path` isolates tests and portable installs."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def load_settings(qsettings: QSettings) -> tuple[Settings, list[str]]:
    """Read settings: keys never written take their defaults; an unknown key is ignored and a
    bad value of a known key takes that key's default, each named in the returned problem lines
    (empty when the file was clean). One stale key never costs the other settings."""
    flat = {key: qsettings.value(key) for key in qsettings.allKeys()}
    settings, problems = Settings.from_flat_lenient(flat)
    if qsettings.status() == QSettings.Status.FormatError:  # random bytes, a binary file
        problems.insert(0, f"the settings file {qsettings.fileName()} is damaged (not a settings file); "
                           "the defaults are used for what it could not give")
    return settings, problems


def save_settings(qsettings: QSettings, settings: Settings) -> None:
    """Write every setting, remove keys this version does not know (a stale or mistyped key is
    never carried on), and flush to disk."""
    flat = settings.to_flat()
    for key in qsettings.allKeys():
        if key not in flat:
            qsettings.remove(key)
    for key, value in flat.items():
        qsettings.setValue(key, value)
    qsettings.sync()
    if qsettings.status() != QSettings.Status.NoError:  # a read-only file or folder, a full disk
        raise SettingsError(f"the settings could not be written to {qsettings.fileName()} "
                            "(read-only or full disk); they apply to this session only")
    _owner_only(qsettings.fileName())


def _owner_only(path: str) -> None:
    """The settings name the clinician and the data and photo folders: readable by the user
    alone (0600), like the data folder's files. QSettings writes a new file with the umask's
    mode on each save, so this runs after every save; where modes mean nothing (Windows, some
    network drives) it changes nothing."""
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("could not make %s readable by its owner only: %s", path, exc)
