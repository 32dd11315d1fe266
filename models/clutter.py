"""What file browsers leave in the folders they show, never a photo, report or patient folder
(stdlib only: the record store and the data readers both use it)."""

from __future__ import annotations

import os

# Skipped like dot files (.DS_Store, ._rest.jpg), compared case-folded: Windows Explorer's file
# names, and folder names Windows and macOS leave beside the patients.
CLUTTER_FILES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini"})
CLUTTER_FOLDERS = frozenset({"__macosx"})
# What Windows and macOS keep at the top of a disk (a USB stick, a network share): an "empty"
# stick holds some of these. The macOS ones are dot folders, named here so they stay clutter
# whatever the dot rule becomes.
VOLUME_FOLDERS = frozenset({
    "$recycle.bin", "system volume information",  # Windows
    ".spotlight-v100", ".fseventsd", ".trashes", ".temporaryitems", ".documentrevisions-v100",  # macOS
})


def is_clutter(path: str | os.PathLike) -> bool:
    """Whether a file or folder (a path or a bare name) is the system's, not the clinic's: a dot
    file, Thumbs.db, desktop.ini, a `__MACOSX` folder, a disk's `System Volume Information` or
    `.Spotlight-V100` (`CLUTTER_FILES`, `CLUTTER_FOLDERS`, `VOLUME_FOLDERS`)."""
    name = os.path.basename(os.fspath(path))
    return name.startswith(".") or name.casefold() in _ALL_CLUTTER


_ALL_CLUTTER = CLUTTER_FILES | CLUTTER_FOLDERS | VOLUME_FOLDERS


def is_system_entry(path: str | os.PathLike) -> bool:
    """Whether an entry is one the operating system or a file browser made by name: the named
    clutter above, `.DS_Store` and macOS's `._name` files. Narrower than `is_clutter`, which
    takes every dot file: a folder holding a user's `.ssh` or `.git` is not empty."""
    name = os.path.basename(os.fspath(path))
    folded = name.casefold()
    return folded in _ALL_CLUTTER or folded == ".ds_store" or name.startswith("._")
