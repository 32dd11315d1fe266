"""Opening a data folder for a command that only reads it (`palsy records patients`, `drafts`,
`verify`, `export`): nothing in the folder is created, upgraded or moved.

A database of an older schema is read as it is when every pending step only changes how
records are found by name (`migrations.records_read_as_latest`: step 4 rebuilt the search
terms, which these commands do not use). One that a pending step would change, or whose ID
lookup a step changes (step 5: every folder an earlier release wrote, versions 1 to 4), is copied with SQLite's online backup into a private temporary folder,
the copy upgraded and read, and the copy deleted afterwards: an archived backup stays openable
by the release that wrote it, and a folder on read-only media can be read. The temporary
folder is named after its process and computer (`palsy-reading-PID-HOST-XXXX`): a command
killed meanwhile left a full copy of the records (names, dates of birth, notes) there, and the
next reading command removes it once that process is gone (`remove_left_copies`).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.records.db import Database, decoded_text
from app.records.errors import StorageError, failure_kind, storage_error_from_sqlite
from app.records.lost_database import CHOSEN_ANYWHERE
from app.records.migrations import LATEST_VERSION, migrate, records_read_as_latest, schema_version
from app.records.recovery import (
    host_tag,
    left_by_a_dead_writer,
    left_in_a_shared_folder,
    require_sound_database,
)
from app.records.store import Store, online_copy

log = logging.getLogger("palsy.records")
COPY_PREFIX = "palsy-reading-"
# `palsy-reading-PID-HOST-XXXX`; an earlier release's `palsy-reading-XXXX` names neither
_COPY_NAME = re.compile(rf"{re.escape(COPY_PREFIX)}(\d+)-([0-9a-f]{{8}})-.+")


@contextmanager
def open_for_reading(folder: Path | str | None, chosen: str = CHOSEN_ANYWHERE) -> Iterator[Store]:
    """The store in an existing data folder, for reading only (`Store.open_existing`: a missing
    folder or database is a StorageError naming it, a newer schema is refused). A damaged
    database, found by SQLite's integrity check, is a DatabaseDamagedError. An older schema is
    never upgraded in place (see the module's docstring). `chosen` names where the folder came
    from, for the messages."""
    remove_left_copies(Path(tempfile.gettempdir()))
    store = Store.open_existing(folder, chosen)
    try:
        conn = store.db.connection()
        version = schema_version(conn)
        # A damaged database can answer a listing with rows missing and no error: SQLite's
        # integrity check first, which also reads the indexes' contents (a damaged index passes
        # the quick check and hides rows): 0.20 s (quick check: 0.15 s) for 10,000 patients with
        # 50,000 assessments, a 55 MB database.
        require_sound_database(store.layout, conn, thorough=True)
    except BaseException:
        store.close()
        raise
    if records_read_as_latest(version):
        with store:
            yield store
        return
    prefix = f"{COPY_PREFIX}{os.getpid()}-{host_tag()}-"
    with store, tempfile.TemporaryDirectory(prefix=prefix) as temp:  # 0o700
        copy = _upgraded_copy(store, Path(temp) / store.layout.db_path.name, version)
        with Store(store.layout, copy) as upgraded:  # photos and reports: the folder's own
            yield upgraded


class TemporaryCopyError(StorageError):
    """The upgraded copy an older database is read from could not be written in the temporary
    folder (full, read-only): the data folder itself is not at fault, and a command that can do
    without the copy (`records import` checks again after its upgrade) goes on without it."""


def _upgraded_copy(store: Store, target: Path, version: int) -> Database:
    """`store`'s database copied to `target` and upgraded there, opened read-only. A temporary
    folder that cannot hold it is a TemporaryCopyError naming that folder: "cannot save to the
    database /tmp/...: the disk is full; nothing saved before was lost" named a file the user
    never knew of."""
    try:
        online_copy(store.db.connection(), target)
        conn = sqlite3.connect(target, isolation_level=None)
        conn.text_factory = decoded_text  # a step that reads names must not fail on one bad byte
        try:
            migrate(conn)
        except StorageError as exc:  # a step's refusal (IDs that would open as one another): said as a read's
            raise StorageError(f"this version of Palsy Grader cannot read {store.layout.db_path}: {exc}") from exc
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        if isinstance(exc, OSError) or failure_kind(exc) is not None:
            raise _copy_not_written(store, target, version, exc) from exc
        raise storage_error_from_sqlite(exc, target) from exc
    log.info("read schema version %d from an upgraded temporary copy (version %d); the folder was not changed",
             version, LATEST_VERSION)
    return Database(target, read_only=True)


def _copy_not_written(store: Store, target: Path, version: int, exc: sqlite3.Error | OSError) -> TemporaryCopyError:
    """The TemporaryCopyError for the copy of `store` that `exc` stopped at `target`."""
    why = "it is full" if failure_kind(exc) == "full" else \
        getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return TemporaryCopyError(
        f"cannot read the records of {store.layout.db_path} (schema version {version}): they are read from "
        f"an upgraded copy in the temporary folder {target.parent.parent}, which could not be written ({why}). "
        "Free some space in the temporary folder (TMPDIR), or open the data folder once with "
        "Palsy Grader to upgrade it."
    )


def remove_left_copies(temp_root: Path) -> None:
    """Remove the upgraded copies (`COPY_PREFIX` folders) that killed reading commands left in
    `temp_root`, by the staging rule: this computer's once their process is gone, any other (a
    temporary folder other computers share, or an earlier release's name, without a process)
    once untouched for an hour and its process, where it names one, looks gone. Best effort:
    the system temporary folder is every account's, and another's copy cannot be removed."""
    now = time.time()
    removed = 0
    for old in temp_root.glob(COPY_PREFIX + "*"):
        with suppress(OSError):
            if old.is_symlink() or not old.is_dir():
                continue
            if _left_behind(old.name, now - old.stat().st_mtime):
                shutil.rmtree(old, ignore_errors=True)
                removed += not old.exists()
    if removed:
        log.info("removed %d upgraded temporary copies of records left by interrupted commands", removed)


def _left_behind(name: str, age_s: float) -> bool:
    """Whether the copy folder `name`, untouched for `age_s`, was left by a killed command."""
    match = _COPY_NAME.fullmatch(name)
    if match and match.group(2) == host_tag():
        return left_by_a_dead_writer(int(match.group(1)), age_s)
    return left_in_a_shared_folder(int(match.group(1)) if match else None, age_s)
