"""Which data folder a `palsy records` command works on, and what named it: the one the window
opens (`app.gui_main.build_window`), by the same rules. The command cannot ask as the window
does, so what the window would ask about is said, and a new data folder is never made there."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataFolderChoice:
    """`folder`, and what named it (`app.gui_main.FolderQuestion.named_by`: "given" with --data,
    "settings", "PALSY_HOME", "default", "unread": the default as the settings file could not be
    read, "refused": the default as the settings file names a folder this version does not use).
    `unknown` says why the data folder chosen in Settings is not known ("" when it is, or none
    is chosen); `settings_file` is the settings file's path ("" with --data)."""

    folder: Path
    named_by: str
    unknown: str = ""
    settings_file: str = ""


def choose_data_folder(given: str | None) -> DataFolderChoice:
    """The data folder for `given` (--data), else the window's: Settings, else PALSY_HOME, else
    the platform's. Settings that cannot be read (no Qt, a damaged or unreadable file, a folder
    named that this version refuses) leave `unknown` saying so: the command used another folder
    without a word while the window named the problem."""
    if given is not None:
        return DataFolderChoice(Path(given), "given")
    from app.settings import resolve_data_folder

    try:
        from app.settings_store import load_settings, open_qsettings
    except ImportError as exc:  # a headless image without a working Qt
        unknown = f"The settings cannot be read ({exc}), so the data folder chosen in Settings is not known."
        return DataFolderChoice(resolve_data_folder(""), folder_named_by("", unknown, refused=False), unknown)
    qsettings = open_qsettings()
    settings, _problems = load_settings(qsettings)
    return settings_choice(qsettings, settings)


def settings_choice(qsettings, settings) -> DataFolderChoice:  # noqa: ANN001 - QSettings, Settings: Qt kept lazy
    """The data folder the settings file `qsettings` (read as `settings`) names, else PALSY_HOME,
    else the platform's, and what named it: the window's choice and the records commands'."""
    from app.settings import resolve_data_folder
    from app.settings_store import data_folder_unknown, refused_data_folder

    configured = settings.clinic.data_folder
    unknown = data_folder_unknown(qsettings, settings)
    named_by = folder_named_by(configured, unknown, refused_data_folder(qsettings, settings))
    return DataFolderChoice(resolve_data_folder(configured), named_by, unknown, qsettings.fileName())


def folder_named_by(configured: str, unknown: str, refused: bool) -> str:
    """What names the data folder (see `DataFolderChoice.named_by`), for the window and the
    records commands alike; `refused`: the settings file names a data folder this version does
    not use."""
    from app.records.paths import ENV_VAR

    if configured:
        return "settings"
    if os.environ.get(ENV_VAR, "").strip():
        return "PALSY_HOME"
    if refused:
        return "refused"
    return "unread" if unknown else "default"


def named_how(choice: DataFolderChoice) -> str:
    """Where the data folder came from, as a phrase ("given with --data", "named in PALSY_HOME",
    "chosen in Settings: the line ..."). A message saying "check the folder given with --data or in PALSY_HOME" sent the
    user to look where nothing was written when Settings had chosen it."""
    from app.records.paths import ENV_VAR

    if choice.named_by == "given":
        return "given with --data"
    if choice.named_by == "settings":
        return f"chosen in Settings: the line data_folder= under [clinic] in {choice.settings_file}"
    if choice.named_by == "PALSY_HOME":
        return f"named in {ENV_VAR}"
    return f"the platform's default: none was given with --data or in {ENV_VAR}, and Settings name none"


def used_folder_line(choice: DataFolderChoice) -> str:
    """The stderr line naming the folder used when the one chosen in Settings is not known
    ("" when it is known)."""
    if not choice.unknown:
        return ""
    return f"{choice.unknown} The data folder {choice.folder} is used ({named_how(choice)})."


def new_folder_refusal(choice: DataFolderChoice, export_folder: str) -> str:
    """Why `records import` of `export_folder`, which may make a new, empty database, is refused
    in the chosen folder ("" when it may go on; a StorageError for a folder whose database was
    lost). By the window's rule (`app.gui_main.folder_question`), a folder that Settings or
    PALSY_HOME name, or the default one while the settings file could not tell, that is missing
    or empty is often a drive that is not connected: never made silently. With --data it is."""
    if choice.named_by == "given":
        return ""
    from app.gui_main import folder_question
    from app.records.lost_database import lost_database_error
    from app.records.paths import DataLayout

    lost = lost_database_error(DataLayout.locate(choice.folder), chosen=f"the data folder ({named_how(choice)})")
    if lost is not None:  # said as the store says it, with where the folder came from
        raise lost
    question = folder_question(choice.folder, choice.named_by, choice.settings_file, choice.unknown)
    if question is None:
        return ""
    return (f"{question.reason} The data folder is {named_how(choice)}. Nothing was imported. Connect the drive, "
            f"or, to make a new data folder there, give it with --data: palsy records --data "
            f"\"{choice.folder}\" import \"{export_folder}\"")
