"""QSettings persistence of `app.settings.Settings` (the only settings module that imports Qt)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from app.settings import Settings

ORGANISATION = "PalsyGrader"
APPLICATION = "PalsyGrader"


def open_qsettings(path: str | None = None) -> QSettings:
    """The application's QSettings; an explicit INI `path` isolates tests and portable installs."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def load_settings(qsettings: QSettings) -> Settings:
    """Read settings; keys never written take their defaults; unknown keys raise SettingsError."""
    flat = {key: qsettings.value(key) for key in qsettings.allKeys()}
    return Settings.from_flat(flat)


def save_settings(qsettings: QSettings, settings: Settings) -> None:
    """Write every setting and flush to disk."""
    for key, value in settings.to_flat().items():
        qsettings.setValue(key, value)
    qsettings.sync()
