"""QSettings persistence of `app.settings.Settings` (the only settings module that imports Qt)."""

from __future__ import annotations

import logging
import os
import weakref
from typing import Any

from PySide6.QtCore import QSettings

from app.settings import Settings, SettingsError

ORGANISATION = "PalsyGrader"
APPLICATION = "PalsyGrader"

log = logging.getLogger(__name__)
# The settings the program holds for each settings file: what `load_settings` read or
# `save_settings` wrote; a save writes only what changed since (another window's save is kept).
_held: weakref.WeakKeyDictionary[QSettings, dict[str, Any]] = weakref.WeakKeyDictionary()


def open_qsettings(path: str | None = None) -> QSettings:
    """The application's QSettings; an explicit INI `path` isolates tests and portable installs."""
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def load_settings(qsettings: QSettings) -> tuple[Settings, list[str]]:
    """Read settings: keys never written take their defaults; an unknown key is ignored and a
    bad value of a known key takes that key's default, each named in the returned problem lines
    (empty when the file was clean). One stale key never costs the other settings.

    A damaged file (random bytes, a binary file) gives one line only: the "setting names" its
    garbage yields are noise. What it still holds is used all the same: a file with one broken
    line keeps its data folder."""
    settings, problems = Settings.from_flat_lenient(_flat(qsettings))
    _held[qsettings] = settings.to_flat()
    if qsettings.status() == QSettings.Status.FormatError:
        kept = settings != Settings()
        used = "the settings it still holds are used, the defaults for the rest" if kept else "the default settings are used"
        problems = [f"the settings file {qsettings.fileName()} is damaged (not a settings file); {used}"]
    return settings, problems


def settings_notice(qsettings: QSettings, problems: list[str]) -> str:
    """The line the window shows about `load_settings`' problems ("" for none). A damaged file's
    line names the file itself; the others are prefixed with it."""
    if not problems:
        return ""
    if qsettings.status() == QSettings.Status.FormatError:
        line = problems[0]
        return f"{line[:1].upper()}{line[1:]}. Saving Settings replaces it."
    return f"Settings file {qsettings.fileName()}: {'; '.join(problems)}. Saving Settings rewrites the file without them."


def save_settings(qsettings: QSettings, settings: Settings) -> None:
    """Write the settings changed since `load_settings` (or the last save) read or wrote
    `qsettings` over the file as it is now, remove keys this version does not know (a stale or
    mistyped key is never carried on), and flush to disk.

    Two windows (each on its own data folder) share one settings file, and each holds what it
    loaded at its start: writing every key let the later "Settings saved" undo the other
    window's changes, a new data folder included. Keys with bad values in the file are written
    with the defaults they are read as. A `qsettings` never read or written here, or whose file
    is gone or empty now: every key."""
    qsettings.sync()  # the file as another window may have saved it
    # a file gone or emptied meanwhile (a roaming profile, IT cleaning up) has nothing to merge
    # with: only the changed keys left its data folder and clinic name at their defaults
    held = _held.get(qsettings) if qsettings.allKeys() else None
    changed = {key: value for key, value in settings.to_flat().items() if held is None or held.get(key) != value}
    on_file, _ = Settings.from_flat_lenient(_flat(qsettings))
    flat = {**on_file.to_flat(), **changed}
    for key in qsettings.allKeys():
        if key not in flat:
            qsettings.remove(key)
    for key, value in flat.items():
        qsettings.setValue(key, value)
    qsettings.sync()
    if not _written(qsettings):  # a read-only file or folder, a full disk
        raise SettingsError(f"the settings could not be written to {qsettings.fileName()} "
                            "(read-only or full disk); they apply to this session only")
    _owner_only(qsettings.fileName())
    _held[qsettings] = settings.to_flat()


def _flat(qsettings: QSettings) -> dict[str, Any]:
    return {key: qsettings.value(key) for key in qsettings.allKeys()}


def _written(qsettings: QSettings) -> bool:
    """Whether the last `sync` reached the file. QSettings keeps the first error it met, so one
    that read a damaged file still says FormatError after saving over it: the file is then
    read again (the notice's "Saving Settings replaces it" was followed by "could not be
    written", and the file kept the umask's mode)."""
    status = qsettings.status()
    if status == QSettings.Status.FormatError:
        return QSettings(qsettings.fileName(), QSettings.Format.IniFormat).status() == QSettings.Status.NoError
    return status == QSettings.Status.NoError


def _owner_only(path: str) -> None:
    """The settings name the clinician and the data and photo folders: readable by the user
    alone (0600), like the data folder's files. QSettings writes a new file with the umask's
    mode on each save, so this runs after every save; where modes mean nothing (Windows, some
    network drives) it changes nothing."""
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("could not make %s readable by its owner only: %s", path, exc)
