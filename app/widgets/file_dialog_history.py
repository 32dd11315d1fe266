"""Qt's file dialogs keep the folders they visited (`history`, `lastVisited`) in the settings
file every Qt program shares (Linux: `~/.config/QtProject.conf`, readable by every account
under the usual umask), outside the program's own private settings. The folders chosen here
are often named after a patient (`Reports/Jane Doe/`): the dialogs are asked through
`without_folder_history`, which removes those two keys after each one. The program remembers
the folder it needs itself (Save a copy's last folder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QSettings

T = TypeVar("T")

QT_FILE_DIALOG_GROUP = "FileDialog"
VISITED_FOLDER_KEYS = ("history", "lastVisited")


def without_folder_history(ask: Callable[[], T]) -> T:
    """The answer of `ask` (a static QFileDialog helper, which writes Qt's settings as its dialog
    closes), after Qt's record of the folders visited is removed, whatever the answer."""
    try:
        return ask()
    finally:
        forget_visited_folders()


def forget_visited_folders() -> None:
    """Remove the visited folders from Qt's shared settings (another Qt program's ones too: the
    keys are shared). A key not there is not removed, so a file that did not exist is not made."""
    qt = QSettings(QSettings.Scope.UserScope, "QtProject")
    qt.beginGroup(QT_FILE_DIALOG_GROUP)
    for key in VISITED_FOLDER_KEYS:
        if qt.contains(key):
            qt.remove(key)
    qt.endGroup()
    qt.sync()
