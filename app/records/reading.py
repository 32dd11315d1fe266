"""Opening a data folder for a command that only reads it (`palsy records patients`, `drafts`,
`verify`, `export`): nothing in the folder is created, upgraded or moved.

A database of an older schema is read as it is when every pending step only changes how
records are found (`migrations.records_read_as_latest`: a version-3 folder, whose step 4
rebuilt the search terms, which these commands do not use). One that a pending step would
change (version 1 or 2) is copied with SQLite's online backup into a private temporary folder,
the copy upgraded and read, and the copy deleted afterwards: an archived backup stays openable
by the release that wrote it, and a folder on read-only media can be read.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.records.db import Database
from app.records.errors import StorageError, storage_error_from_sqlite
from app.records.migrations import LATEST_VERSION, migrate, records_read_as_latest, schema_version
from app.records.recovery import require_sound_database
from app.records.store import Store, online_copy

log = logging.getLogger("palsy.records")


@contextmanager
def open_for_reading(folder: Path | str | None) -> Iterator[Store]:
    """The store in an existing data folder, for reading only (`Store.open_existing`: a missing
    folder or database is a StorageError naming it, a newer schema is refused). A damaged
    database, found by SQLite's integrity check, is a DatabaseDamagedError. An older schema is
    never upgraded in place (see the module's docstring)."""
    store = Store.open_existing(folder)
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
    with store, tempfile.TemporaryDirectory(prefix="palsy-reading-") as temp:  # 0o700
        copy = _upgraded_copy(store, Path(temp) / store.layout.db_path.name, version)
        with Store(store.layout, copy) as upgraded:  # photos and reports: the folder's own
            yield upgraded


def _upgraded_copy(store: Store, target: Path, version: int) -> Database:
    """`store`'s database copied to `target` and upgraded there, opened read-only."""
    try:
        online_copy(store.db.connection(), target)
        conn = sqlite3.connect(target, isolation_level=None)
        try:
            migrate(conn)
        except StorageError as exc:  # a step's refusal (IDs that would open as one another): said as a read's
            raise StorageError(f"this version of Palsy Grader cannot read {store.layout.db_path}: {exc}") from exc
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise storage_error_from_sqlite(exc, target) from exc
    except OSError as exc:
        raise StorageError(
            f"cannot read the records of {store.layout.db_path} (schema version {version}): they are read from "
            f"an upgraded copy in {target.parent}, which could not be written ({exc.strerror or exc}). "
            "Free some space in the temporary folder (TMPDIR), or open the data folder once with "
            "Palsy Grader to upgrade it."
        ) from exc
    log.info("read schema version %d from an upgraded temporary copy (version %d); the folder was not changed",
             version, LATEST_VERSION)
    return Database(target, read_only=True)

