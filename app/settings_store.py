"""QSettings persistence of `app.settings.Settings` (the only settings module that imports Qt)."""

from __future__ import annotations

import logging
import os
import stat
import weakref
from pathlib import Path
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
    path = path or _path_without_home()
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def _path_without_home() -> str | None:
    """The settings file where HOME is set but empty (a launcher or service unit that clears
    it), else None (Qt's own place). Qt looked it up at /.config, unwritable, and never read
    the user's own file; the data folder's rule (`home_folder`) takes the account's home."""
    if os.name != "posix" or os.environ.get("HOME", "x").strip() or os.environ.get("XDG_CONFIG_HOME", "").strip():
        return None
    from app.records.errors import StorageError
    from app.records.paths import home_folder

    try:
        home = home_folder()
    except StorageError:  # no home at all: Qt's place, and Save says it cannot write there
        return None
    return str(home / ".config" / ORGANISATION / f"{APPLICATION}.ini")


def load_settings(qsettings: QSettings) -> tuple[Settings, list[str]]:
    """Read settings: keys never written take their defaults; an unknown key is ignored and a
    bad value of a known key takes that key's default, each named in the returned problem lines
    (empty when the file was clean). One stale key never costs the other settings.

    A damaged file (random bytes, a binary file) gives one line only: the "setting names" its
    garbage yields are noise. What it still holds is used all the same: a file with one broken
    line keeps its data folder. A file that cannot be read (another account's, no read
    permission, a folder at its path) gives one line too: QSettings reads it as empty, and the
    defaults, another data folder among them, were used without a word."""
    settings, problems = Settings.from_flat_lenient(_flat(qsettings))
    _held[qsettings] = settings.to_flat()
    name = qsettings.fileName()
    if qsettings.status() == QSettings.Status.AccessError:
        problems = [f"the settings file {name} cannot be read (its permissions, or it is not a file); the default "
                    "settings are used for this session, and nothing is saved over it"]
    elif qsettings.status() == QSettings.Status.FormatError:
        kept = settings != Settings()
        used = "the settings it still holds are used, the defaults for the rest" if kept else "the default settings are used"
        problems = [f"the settings file {name} is damaged (not a settings file); {used}"]
    return settings, problems


def settings_notice(qsettings: QSettings, problems: list[str]) -> str:
    """The line the window shows about `load_settings`' problems ("" for none). A damaged or
    unreadable file's line names the file itself; the others are prefixed with it."""
    if not problems:
        return ""
    line = problems[0]
    if qsettings.status() == QSettings.Status.AccessError:
        return f"{line[:1].upper()}{line[1:]}."
    if qsettings.status() == QSettings.Status.FormatError:
        return f"{line[:1].upper()}{line[1:]}. Saving Settings replaces it."
    return f"Settings file {qsettings.fileName()}: {'; '.join(problems)}. Saving Settings rewrites the file without them."


def data_folder_unknown(qsettings: QSettings, settings: Settings) -> str:
    """Why the data folder the settings file may name is not known ("" when it is, or the file
    names none): the file could not be read, is damaged with no data folder left in it, or
    names one that cannot be used. The start then asks before making a new, empty database in
    the default folder, as for a folder chosen there: the records are likely elsewhere."""
    if settings.clinic.data_folder:
        return ""
    name = qsettings.fileName()
    if qsettings.status() == QSettings.Status.AccessError:
        return f"The settings file {name} cannot be read, so the data folder chosen in Settings is not known."
    if qsettings.status() == QSettings.Status.FormatError:
        return f"The settings file {name} is damaged, so the data folder chosen in Settings is not known."
    if refused_data_folder(qsettings, settings):
        return _refused_folder_reason(name, qsettings.value("clinic/data_folder"))
    return ""


def refused_data_folder(qsettings: QSettings, settings: Settings) -> bool:
    """Whether the settings file names a data folder that was not used (not a full path, read
    as a list, lost backslashes: the notice says which)."""
    return not settings.clinic.data_folder and qsettings.status() == QSettings.Status.NoError \
        and bool(qsettings.value("clinic/data_folder"))


def _refused_folder_reason(settings_file: str, raw: object) -> str:
    """Why the named data folder is not used, and, for a relative one that names a folder of
    records from where Palsy Grader was started (as an older release used it), that folder."""
    from app.records.paths import DB_NAME

    shown = ", ".join(map(str, raw)) if isinstance(raw, list) else str(raw)
    why = "it is not a full path" if isinstance(raw, str) and not Path(raw).expanduser().is_absolute() else \
        "it was changed by hand in a way that cannot be read back for sure"
    reason = f"The settings file {settings_file} names the data folder {shown!r}, which cannot be used: {why}."
    if isinstance(raw, str) and not Path(raw).expanduser().is_absolute():
        candidate = Path.cwd() / Path(raw).expanduser()
        if (candidate / DB_NAME).exists():
            reason += (f" {RECORDS_FROM_LAUNCH}, that is {candidate}, which holds records: choose it with Open "
                       "to keep using them.")
    return reason


RECORDS_FROM_LAUNCH = "From the folder Palsy Grader was started in"


def save_settings(qsettings: QSettings, settings: Settings) -> None:
    """Write the settings changed since `load_settings` (or the last save) read or wrote
    `qsettings` over the file as it is now, remove keys this version does not know (a stale or
    mistyped key is never carried on), and flush to disk.

    Two windows (each on its own data folder) share one settings file, and each holds what it
    loaded at its start: writing every key let the later "Settings saved" undo the other
    window's changes, a new data folder included. Keys with bad values in the file are written
    with the defaults they are read as. A `qsettings` never read or written here, or whose file
    is gone or empty now: every key."""
    _prepare_private(Path(qsettings.fileName()))
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


def _prepare_private(path: Path) -> None:
    """Make the settings file's missing folders owner-only (0700) and the file itself 0600
    before QSettings writes it: QSettings made them with the umask's modes (0775 and 0664 under
    umask 002), so each first save showed the file to the group until `_owner_only`, and anyone
    in the group could replace it. QSettings keeps an existing file's mode when it rewrites it.
    The folder named ORGANISATION is the program's own: one an older version made is tightened
    too. Only the group's and others' permissions are taken away (a read-only file stays
    read-only); what cannot be made or changed is left to the save, which says so."""
    try:
        _make_private_folders(path.parent)
        if path.parent.name == ORGANISATION:
            _owner_bits_only(path.parent)
        if path.exists():
            _owner_bits_only(path)
        else:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError as exc:
        log.debug("could not make %s owner-only before saving: %s", path, exc)


def _owner_bits_only(path: Path) -> None:
    os.chmod(path, stat.S_IMODE(path.stat().st_mode) & 0o700)


def _make_private_folders(folder: Path) -> None:
    """Create `folder` and its missing parents (a missing $XDG_CONFIG_HOME) owner-only, 0700,
    as the XDG base directory specification asks."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)


def _owner_only(path: str) -> None:
    """The settings name the clinician and the data and photo folders: readable by the user
    alone (0600), like the data folder's files. Set after each save as well, for a file whose
    mode could not be set before it (`_prepare_private`); where modes mean nothing (Windows,
    some network drives) it changes nothing."""
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        log.warning("could not make %s readable by its owner only: %s", path, exc)
