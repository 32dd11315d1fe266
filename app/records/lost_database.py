"""A data folder whose database was lost: photos and reports (or the database's own write-ahead
log) are there, `palsy.db` is not, or is 0 bytes (deleted, or the folder copied without it).

Opening it as a store would start a new, empty database beside them: none of the photos
recorded, and crash recovery would move them all to recovered/. `Store.open` and the GUI's
start-up (`app.gui_main.missing_store_reason`) refuse it with the same message, which says how
to restore the database, what to move aside first, and how to start again without a backup.
"""

from __future__ import annotations

from pathlib import Path

from app.records.db import pending_changes, side_files
from app.records.errors import StorageError
from app.records.paths import ENV_VAR, DataLayout
from app.records.recovery import unnamed_files, walk_data_files

# How the data folder was chosen, for "if this is the wrong folder, check ...": the store is
# opened by the app and by the command line; the GUI names only its own ways.
CHOSEN_ANYWHERE = f"the data folder given with --data, in {ENV_VAR} or in Settings"
CHOSEN_IN_THE_GUI = f"the data folder in Settings or {ENV_VAR}"


def stray_files(layout: DataLayout) -> int:
    """How many photo and report files are under photos/ and reports/: those no empty database
    records (not temporary files, not the file browsers' .DS_Store, Thumbs.db...: `unnamed_files`)."""
    return len(unnamed_files(layout, walk_data_files(layout), set()))


def lost_database_error(layout: DataLayout, chosen: str = CHOSEN_ANYWHERE) -> StorageError | None:
    """The StorageError refusing `layout` when its database is missing or 0 bytes while photo or
    report files, or a non-empty palsy.db-wal (or -journal: SQLite would apply it to a new
    database), are there; None otherwise: a new or empty folder (a first start), or a database
    that is there, which costs one stat. `chosen` says where the folder was chosen.

    The database is looked at again after the files: one that appeared meanwhile is another
    program's new database with its first records (`Store.open` makes one whole, never 0 bytes),
    not a lost one."""
    db = layout.db_path
    what = _missing_or_empty(db)
    if what is None:
        return None
    pending = pending_changes(db)
    stray = stray_files(layout)
    if not stray and not pending:
        return None
    if _missing_or_empty(db) is None:
        return None  # made meanwhile
    sides = [p.name for p in side_files(db) if p.exists()]
    held = f"; {stray} photo or report file(s) beside it are recorded nowhere" if stray else ""
    if pending:
        held += f"; {_listed([p.name for p in pending])} beside it hold(s) part of the lost database"
    aside = (f"move {_listed(sides)} out of the folder first (left by the lost database: SQLite would apply "
             "them to the restored copy), then " if sides else "")
    folders = [f"{d.name}/" for d in (layout.photos_dir, layout.reports_dir) if d.is_dir()]
    return StorageError(
        f"the database {db} {what}{held}; nothing was created or moved. "
        f"Restore {db.name} from a backup: with every Palsy Grader window closed, {aside}copy the {db.name} "
        f"of a folder that `palsy records backup` made into {layout.root}. "
        f"With no backup, to start again with an empty database: move {_listed(folders + sides)} out of "
        f"{layout.root} (keep them: they hold the photos and reports) and start again. "
        f"If this is the wrong folder, check {chosen}."
    )


def _missing_or_empty(db: Path) -> str | None:
    """'is missing' or 'is empty (0 bytes)' for the database `db`; None when it holds something
    or cannot be looked at (opening it will say what is wrong)."""
    try:
        return None if db.stat().st_size > 0 else "is empty (0 bytes)"
    except FileNotFoundError:
        return "is missing"
    except OSError:
        return None


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return "".join(names) if len(names) < 2 else f"{', '.join(names[:-1])} and {names[-1]}"
