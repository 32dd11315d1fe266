"""What file browsers leave in the folders they show, never a photo, report or patient folder
(stdlib only: the record store and the data readers both use it)."""

from __future__ import annotations

import os

# Skipped like dot files (.DS_Store, ._rest.jpg), compared case-folded: Windows Explorer's file
# names, and folder names Windows and macOS leave beside the patients.
CLUTTER_FILES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini"})
CLUTTER_FOLDERS = frozenset({"__macosx", "$recycle.bin", "system volume information"})


def is_clutter(path: str | os.PathLike) -> bool:
    """Whether a file or folder (a path or a bare name) is the system's, not the clinic's: a dot
    file, Thumbs.db, desktop.ini, a `__MACOSX` folder (`CLUTTER_FILES`, `CLUTTER_FOLDERS`)."""
    name = os.path.basename(os.fspath(path))
    return name.startswith(".") or name.casefold() in CLUTTER_FILES | CLUTTER_FOLDERS
