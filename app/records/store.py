"""The patient record store: SQLite rows plus atomically written, checksummed files.

Typical use (GUI and `palsy assess`):

    store = Store.open()                      # PALSY_HOME or the platform data folder
    store.create_patient("MRN-001", name=..., birth_date="1970-01-31", affected_side="left")
    a = store.start_assessment("MRN-001")
    store.save_capture(a.id, "rest", rgb_array, quality={...})   # photo on disk first
    store.record_results(a.id, assessment_json, model_grade="III", measured_grade="III")
    store.confirm_grade(a.id, "IV", clinician="Dr Who", notes="...")  # audited override
    store.save_report(a.id, pdf_bytes)
    for draft in store.unfinished_assessments(): ...               # offer to resume at start
    store.imported_drafts()   # drafts another station began (an import brought them): kept, not resumed here

Rules that keep data safe: a photo is written (temp, fsync, rename, verify) before its row is
committed, so every recorded photo exists; a retake gets a new file name and the old file is
deleted only after the new row commits; every change of a grade, note, status or patient
field is written to the append-only audit trail in the same transaction. Logs carry patient
IDs and assessment numbers, never names. See `db` for the threading rules.

`Store.open_existing` opens a store read-only for `palsy records check`: it creates, upgrades
and moves nothing, and refuses a missing folder or database instead of making a new one.

This module opens and closes the store and groups calls in transactions; the methods live in
the parts `Store` combines: `store_patients`, `store_assessments`, `store_files` (photos and
reports) and `store_checks` (audit trail, integrity, file checksums), on `store_base`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from app.records.db import Database, pending_changes, side_files, sqlite_uri
from app.records.errors import (
    StorageError,
    failure_kind,
    storage_error_from_os,
    storage_error_from_sqlite,
)
from app.records.files import fsync_dir, fsync_file, remove_file, replace_file, temp_path_for
from app.records.lost_database import CHOSEN_ANYWHERE, lost_database_error
from app.records.migrations import LATEST_VERSION, SchemaUpgrade, migrate, schema_version
from app.records.paths import FILE_MODE, DataLayout, create_private_file
from app.records.recovery import RecoveryReport, host_tag, process_gone, recover
from app.records.schema_check import schema_problems, trigger_problem
from app.records.store_assessments import AssessmentsMixin
from app.records.store_base import (
    _audit as _audit,  # re-exported: import_folder.py imports it from here
)
from app.records.store_checks import ChecksMixin
from app.records.store_files import FilesMixin
from app.records.store_patients import SEARCH_LIMIT as SEARCH_LIMIT
from app.records.store_patients import PatientsMixin
from models.atomic_files import rename_file

log = logging.getLogger("palsy.records")
# Without hard links a new database is renamed into place under a lock file (`_rename_new`):
# its name's suffix, how long a program finding it taken waits for the holder's database, and
# the age at which it is a killed program's (it is held for microseconds).
CREATION_LOCK_SUFFIX = ".creating"
CREATION_WAIT_S = 10.0
STALE_CREATION_LOCK_S = 30.0
# On Windows a lock file being deleted while any handle is open on it (the waiter's own look,
# an antivirus scan) stays "delete pending" on FAT, exFAT and SMB until that handle closes; made
# or looked at meanwhile it says PermissionError (access denied), not that it exists or is gone.
# How long that is waited out before the folder is reported not writable.
DELETE_PENDING_WAIT_S = 2.0
_WINDOWS = os.name == "nt"


@contextmanager
def _closed_on_error(db: Database) -> Iterator[None]:
    """Close `db` when the block fails; a SQLite failure becomes a StorageError naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        db.close()
        raise storage_error_from_sqlite(exc, db.path) from exc
    except BaseException:
        db.close()
        raise


class Store(PatientsMixin, AssessmentsMixin, FilesMixin, ChecksMixin):
    """Patients, assessments, captures, reports and the audit trail in one data folder."""

    def __init__(self, layout: DataLayout, db: Database) -> None:
        self.layout = layout
        self.db = db
        self.recovery: RecoveryReport | None = None
        self.upgrade: SchemaUpgrade | None = None  # set by `open` when it upgraded the database

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, folder: Path | str | None = None, *, recover_files: bool = True) -> Store:
        """Open (creating or upgrading as needed) the store in `folder` (default: data folder).

        Upgrading first copies the database to `palsy.db.vN.bak`, keeping an earlier copy of that
        name under its UTC time (see `_backup`); `upgrade` then says so. With
        `recover_files`, the temporary files of writers that died are deleted and photos no row
        names (a crash between writing and recording) are moved to `recovered/` (see `recovery`).
        A first open that fails (a full disk) removes the database it created while that still
        holds nothing, and the empty folders it made: no empty store that looks damaged is left.
        A folder whose database is missing (or 0 bytes) but that holds photos or reports, or the
        lost database's write-ahead log, is refused with a StorageError (`lost_database`),
        nothing created or moved. A new database appears whole (`_create_database`), so another
        program opening the new folder at the same moment is not refused as if it were lost.
        """
        located = DataLayout.locate(folder)
        _refuse_lost_database(located)
        new_folders = [p for p in (located.root, located.photos_dir, located.reports_dir) if not p.exists()]
        created = False
        try:
            layout = DataLayout.create(folder)
            created = _create_database(layout.db_path)
            db = Database(layout.db_path, newest_schema=LATEST_VERSION)
            with _closed_on_error(db):
                conn = db.connection()
                version = schema_version(conn)
                # Before anything is written (an upgrade included): a trigger that is not the
                # program's own changes data as it is written (`schema_check`).
                problems = schema_problems(conn)  # none at version 0: nothing to compare yet
                refused = trigger_problem(problems)
                if refused:
                    raise StorageError(f"the database {layout.db_path} was changed outside Palsy Grader: {refused}")
                backup = layout.root / f"{layout.db_path.name}.v{version}.bak"
                if 0 < version < LATEST_VERSION:
                    _check_room_to_upgrade(conn, layout.root, version)
                    _backup(conn, backup, version)
                applied = migrate(conn)
        except BaseException:
            _remove_unused_new_store(located.db_path if created else None, new_folders)
            raise
        upgrade = SchemaUpgrade(version, LATEST_VERSION, backup) if applied and version > 0 else None
        # Said as a sentence by the window and `records import` (`SchemaUpgrade.summary`); logged
        # at INFO, which the window's log file keeps: a warning was echoed raw by the command line.
        if upgrade:
            log.info("database schema upgraded to version %d (applied %s); %s kept", LATEST_VERSION, applied,
                        backup.name)
        with _closed_on_error(db):
            for _, problem in schema_problems(db.connection()) if applied else problems:  # tables, indexes: no record changes
                log.warning("%s; run `palsy records check`", problem)
        store = cls(layout, db)
        store.upgrade = upgrade
        # Search terms an older release's station wrote into an upgraded folder (`stale_search_terms`).
        # Best effort: a folder busy with another station's long write still opens (the next start
        # tries again; a search typed with the accents finds them meanwhile).
        try:
            store.rebuild_stale_search_terms()
        except StorageError as exc:
            log.warning("could not rebuild the old-style name search terms (%s); the next start tries again", exc)
        except BaseException:
            db.close()
            raise
        if recover_files:
            # A damaged database fails here first (the rows crash recovery compares the files
            # with): a StorageError naming it, the store closed, no file moved.
            with _closed_on_error(db):
                store.recovery = recover(layout, db.connection())
        return store

    @classmethod
    def open_existing(cls, folder: Path | str | None = None, chosen: str = CHOSEN_ANYWHERE) -> Store:
        """Open the store in `folder` read-only, for checking: nothing is created, upgraded or moved.
        `chosen` names where the folder came from, for the messages' "check ...".

        StorageError (naming the path) when the folder or its database is missing, or the
        database is empty: a check must not mistake a wrong or damaged folder for a new store.
        A folder that never held records (no database, photo or report: a fresh install, where
        palsy demo and palsy assess store nothing) is said to be one, not sent to a backup.
        """
        layout = DataLayout.locate(folder)
        if not layout.root.is_dir():
            raise StorageError(
                f"there is no data folder {layout.root}; nothing was created. "
                f"Check {chosen}."
            )
        _refuse_lost_database(layout)  # photos beside no database: how to restore it
        restore = f"Restore {layout.db_path.name} from a backup, or check {chosen}."
        if not layout.db_path.exists():  # and no photo, report or -wal: nothing was ever stored here
            raise StorageError(
                f"no patient records yet: the app creates {layout.db_path} when it first saves a patient "
                f"(palsy demo and palsy assess store nothing); nothing was created. If the records are elsewhere, "
                f"check {chosen}."
            )
        if not layout.db_path.is_file():
            raise StorageError(f"the database {layout.db_path} is missing; nothing was created. {restore}")
        db = Database(layout.db_path, read_only=True)
        with _closed_on_error(db):
            version = schema_version(db.connection())
        if version == 0:
            db.close()
            raise StorageError(f"the database {layout.db_path} is empty (it holds no records). {restore}")
        if version > LATEST_VERSION:  # this program cannot judge it: a check would report "0 problems"
            db.close()
            raise StorageError(f"the database {layout.db_path} has schema version {version}, newer than this program's "
                               f"{LATEST_VERSION}; check it with the newer Palsy Grader that wrote it.")
        return cls(layout, db)

    def close(self) -> None:
        """Close all connections. The store cannot be used afterwards."""
        self.db.close()

    def release_thread(self) -> None:
        """Close the calling thread's connection; worker threads call this before they end."""
        self.db.release_thread()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def root(self) -> Path:
        """The data folder."""
        return self.layout.root

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several store calls in one transaction (all or nothing); used for bulk work."""
        with self.db.write():
            yield


def _refuse_lost_database(layout: DataLayout) -> None:
    """Raise `lost_database_error`'s StorageError when `layout`'s database was lost."""
    error = lost_database_error(layout)
    if error is not None:
        raise error


def _create_database(path: Path) -> bool:
    """Make the new, empty database `path` unless a file has that name; True when this call made it.

    The database is built under a temporary name and appears whole (`_write_empty_database`).
    Made in place, it was a 0-byte file beside a -journal for a moment, which is what a lost
    database looks like (`lost_database`): another program opening the folder at that moment
    was refused. When another program's new database took the name first, that one is used.
    """
    if os.path.lexists(path):
        return create_private_file(path)  # False; a 0-byte file left there is opened in place
    temp = temp_path_for(path)
    try:
        _write_empty_database(temp, path)
        created = _publish_new(temp, path)
        if created:
            fsync_dir(path.parent)  # records are written into it: its name must survive a power cut
    except OSError as exc:
        raise storage_error_from_os(exc, "create", path) from exc
    finally:
        _remove_with_side_files(temp)
    return created


def _write_empty_database(temp: Path, path: Path) -> None:
    """Write an empty database into the new file `temp`: 0o600 (SQLite gives -wal/-shm the same
    mode), its header page written, in WAL mode. OSError, or a StorageError naming `path` (the
    database it becomes) for a SQLite failure."""
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE))
    os.chmod(temp, FILE_MODE)  # exactly: the umask may have narrowed it
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")  # writes the header page
        finally:
            conn.close()  # the last connection folds the -wal into the file and removes it
    except sqlite3.Error as exc:
        raise storage_error_from_sqlite(exc, path) from exc


def _publish_new(temp: Path, path: Path) -> bool:
    """Give the file `temp` the name `path` as well, unless a file has it: True when it did. A hard
    link never replaces a file; on a drive without hard links (FAT, exFAT, SMB), a rename under
    the creation lock (`_rename_new`)."""
    try:
        os.link(temp, path)
        return True
    except FileExistsError:
        return False
    except OSError:
        return _rename_new(temp, path)


def _rename_new(temp: Path, path: Path) -> bool:
    """Rename `temp` to `path` unless a file has that name: True when it did. On POSIX a rename
    replaces a database another program published after the look, whose records would then go
    to an unlinked file; so the look and the rename are made while holding the lock file
    `.palsy.db.creating` (`_take_creation_lock`). A program that finds it taken waits up to
    CREATION_WAIT_S for the holder's database and uses it. StorageError when none appears."""
    lock = path.with_name(f".{path.name}{CREATION_LOCK_SUFFIX}")
    deadline = time.monotonic() + CREATION_WAIT_S
    while not _take_creation_lock(lock):
        if os.path.lexists(path):
            return False
        if time.monotonic() > deadline:
            raise StorageError(
                f"cannot create {path}: another program has been creating it for {CREATION_WAIT_S:.0f} s "
                f"and it has not appeared. Try again; if no other Palsy Grader is running, delete {lock}.")
        time.sleep(0.05)
    try:
        if os.path.lexists(path):
            return False
        try:
            rename_file(temp, path)
        except FileExistsError:  # Windows refuses an existing name
            return False
        return True
    finally:
        remove_file(lock)


def _take_creation_lock(lock: Path) -> bool:
    """`_try_creation_lock`, where on Windows a PermissionError is first waited out for up to
    DELETE_PENDING_WAIT_S: it is the holder deleting the lock file as this program looks at it,
    not a folder this program cannot write to (it has just written its temporary database)."""
    deadline = time.monotonic() + DELETE_PENDING_WAIT_S
    while True:
        try:
            return _try_creation_lock(lock)
        except PermissionError:
            if not _WINDOWS or time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def _try_creation_lock(lock: Path) -> bool:
    """Make the lock file `lock` (O_EXCL: one program gets it), naming this process and computer:
    True when this call did. One left by a program killed while holding it (which takes
    microseconds) is removed, to be taken at the next try: at once when it names a process of
    this computer that is gone (a killed creator's lock froze the next start for 10 s and then
    failed it), else once it is older than STALE_CREATION_LOCK_S (or dated that far ahead).
    OSError when it cannot be made."""
    try:
        handle = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        with contextlib.suppress(FileNotFoundError):  # dropped meanwhile: free at the next try
            if _left_by_a_killed_creator(lock):
                remove_file(lock)
        return False
    try:
        os.write(handle, f"{os.getpid()} {host_tag()}".encode("ascii"))
    finally:
        os.close(handle)
    return True


def _left_by_a_killed_creator(lock: Path) -> bool:
    """Whether the creation lock `lock` was left by a program that is gone. FileNotFoundError
    when it was dropped meanwhile."""
    if abs(time.time() - lock.stat().st_mtime) > STALE_CREATION_LOCK_S:
        return True
    try:
        pid, host = lock.read_text(encoding="ascii").split()
        return host == host_tag() and process_gone(int(pid))
    except (ValueError, UnicodeDecodeError):  # being written, or not ours: the age decides
        return False


_BACKUP_ACTION = "write the backup copy"


def _backup(conn: sqlite3.Connection, target: Path, version: int) -> None:
    """Copy the live database (at schema `version`) to `target` (0o600) before an upgrade.

    The copy is always taken afresh: a `target` left by an earlier upgrade from the same version
    may be older than the records (a clinic went back to it, worked with the old release, and
    upgrades again). An existing complete copy (`_copy_version`) that differs from the fresh one
    is kept beside it under its own UTC time (`palsy.db.v3.20261206T073800Z.bak`,
    `_keep_aside`), never overwritten; one with the same bytes (an upgrade that stopped after its
    copy) is simply kept; anything else (a 0-byte or half-written file left by a full disk or a
    crash) is replaced. The copy is made with SQLite's online backup into a temporary file beside
    `target` (named like every temporary file of the store, so a crash leaves nothing the next
    start does not clean up), switched to a plain rollback journal so it is one self-contained
    file, fsynced, checked, then renamed over `target` and the folder fsynced. A failure is a
    StorageError naming `target`; the database is then not upgraded.
    """
    complete = _copy_version(target) == version
    kept: Path | None = None
    page_count, page_size = (conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    size_mb = max(1, -(-page_count * page_size // 1_000_000))
    if target.exists() and not complete:
        log.warning("%s is not a complete copy of the version-%d database; taking it again", target.name, version)
    temp = temp_path_for(target)
    try:
        online_copy(conn, temp)
        copied = _copy_version(temp)
        if copied != version:
            if copied is not None and copied > version:
                # Another process upgraded meanwhile, after taking this backup itself.
                _remove_with_side_files(temp)
                return
            raise StorageError(
                f"the backup copy {target} taken before upgrading the database did not read back as "
                "a complete database; the database was not upgraded. The disk may be failing: check "
                "it and try again."
            )
        if complete and _same_pages(target, temp):
            _remove_with_side_files(temp)  # the same records: one copy is enough
            return
        for side in side_files(target):  # a stale journal must never be applied to the new copy
            side.unlink(missing_ok=True)
        if complete:
            kept = _keep_aside(target)
            log.info("kept the earlier copy %s as %s; taking a fresh one", target.name, kept.name)
        replace_file(temp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        _remove_with_side_files(temp)
        if kept is not None and not os.path.lexists(target):  # the earlier copy keeps its name
            with contextlib.suppress(OSError):
                replace_file(kept, target)
        if isinstance(exc, (OSError, sqlite3.Error)):
            raise _backup_error(exc, target, size_mb) from exc
        raise


# SQLite's file header: counters that every write (a switch to WAL included) bumps, not records.
_SQLITE_HEADER_BYTES = 100


def _same_pages(a: Path, b: Path) -> bool:
    """Whether two database copies hold the same pages, their 100-byte file headers aside (a copy
    of an unchanged database differs there only in SQLite's change counters)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        fa.seek(_SQLITE_HEADER_BYTES)
        fb.seek(_SQLITE_HEADER_BYTES)
        while True:
            chunk = fa.read(1 << 20)
            if chunk != fb.read(1 << 20):
                return False
            if not chunk:
                return True


def _keep_aside(target: Path) -> Path:
    """Rename the complete earlier copy `target` (`palsy.db.vN.bak`) to a free name carrying the
    UTC time it was taken (its modification time): `palsy.db.vN.20261206T073800Z.bak`, `...-2.bak`
    when that is taken. The sorted names are then the copies in the order they were taken."""
    taken = datetime.fromtimestamp(target.stat().st_mtime, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    stem = target.name[: -len(".bak")]
    aside = target.with_name(f"{stem}.{taken}.bak")
    n = 1
    while os.path.lexists(aside):
        n += 1
        aside = target.with_name(f"{stem}.{taken}-{n}.bak")
    replace_file(target, aside)
    return aside


def online_copy(conn: sqlite3.Connection, temp: Path) -> None:
    """Copy the database behind `conn` into the new file `temp` (0o600, must not exist) with
    SQLite's online backup: one consistent snapshot of everything committed, the write-ahead log
    included, while other connections keep working. The copy is switched to a plain rollback
    journal (one self-contained file) and fsynced. OSError or sqlite3.Error on failure; the
    caller removes `temp`."""
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
    os.close(fd)
    dest = sqlite3.connect(temp, isolation_level=None)
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")  # no -wal/-shm: the copy is one file
    finally:
        dest.close()
    fd = os.open(temp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        fsync_file(fd)
    finally:
        os.close(fd)


def _check_room_to_upgrade(conn: sqlite3.Connection, root: Path, version: int) -> None:
    """StorageError before anything is written when the disk cannot hold an upgrade: the backup
    copy (the database's size) and the steps' write-ahead log (up to about the size again, for a
    step that rebuilds a table). A step that met a full disk left the database at its last
    complete version, but said only "free some disk space", without how much."""
    page_count, page_size = (conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    needed = 2 * page_count * page_size + 16 * 1024 * 1024
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        return  # cannot tell: the backup's own checks stand
    if free < needed:
        raise StorageError(
            f"upgrading the database in {root} from schema version {version} needs about "
            f"{-(-needed // 1_000_000)} MB free (a backup copy and room to rebuild its tables); "
            f"{free // 1_000_000} MB are free. Nothing was changed; free some disk space and start again."
        )


def _backup_error(exc: OSError | sqlite3.Error, target: Path, size_mb: int) -> StorageError:
    """The StorageError for a failure while writing the backup copy `target` (`size_mb` large)."""
    kind = failure_kind(exc)
    what = f"cannot {_BACKUP_ACTION} {target} that is taken before upgrading the database"
    kept = "the database was not upgraded and nothing saved before was lost"
    if kind == "full":
        return StorageError(
            f"{what}: the disk is full; {kept}. Free some disk space (the copy needs about "
            f"{size_mb} MB) and try again."
        )
    if kind == "read-only":
        return StorageError(
            f"{what}: the data folder is read-only or not writable by this user; {kept}. "
            "Check the folder's permissions or set PALSY_HOME to a writable folder."
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StorageError(f"{what} ({reason}); {kept}.")


def _remove_with_side_files(path: Path) -> None:
    """Best-effort removal of a SQLite file and its journals (the next start cleans up the rest)."""
    for p in (path, *side_files(path)):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _read_alone(path: Path) -> sqlite3.Connection:
    """A connection that reads the file `path` exactly as it is: no locks, no side files made or
    read (`immutable=1`). Callers make sure no journal beside it holds changes."""
    return sqlite3.connect(sqlite_uri(path, immutable=1), uri=True)


def _copy_version(path: Path) -> int | None:
    """The schema version of the SQLite file `path` when it is a complete, sound database on its
    own (opens, passes `PRAGMA integrity_check`, no journal beside it holds changes); else None."""
    try:
        if not path.is_file() or pending_changes(path):
            return None
        conn = _read_alone(path)
        try:
            if [r[0] for r in conn.execute("PRAGMA integrity_check")] != ["ok"]:
                return None
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return None


def _remove_unused_new_store(db_path: Path | None, new_folders: list[Path]) -> None:
    """After a failed first open: remove the database this call created (`db_path`, None when it
    created none) and the folders it made, while they hold nothing. Best effort: anything that
    might hold data is left alone.

    The database counts as unused when no -wal or -journal beside it holds anything and the file
    is empty or holds no schema at all (version 0, no tables): SQLite writes its header page
    before the first table exists.
    """
    made = [folder for folder in new_folders if os.path.lexists(folder)]  # the rest were never created
    if db_path is None and not made:
        return  # nothing was created (an unwritable home folder): nothing to remove, nothing to say
    try:
        if db_path is not None:
            if pending_changes(db_path):
                return
            if db_path.stat().st_size > 0:
                conn = _read_alone(db_path)
                try:
                    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                    objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                finally:
                    conn.close()
                if version or objects:
                    return
            for p in (db_path, *side_files(db_path)):
                p.unlink(missing_ok=True)
            log.info("removed the unused new database %s after a failed open", db_path)
        for folder in reversed(made):  # children first; rmdir refuses a folder that is not empty
            folder.rmdir()
        anchor = made[0] if made else db_path
        if anchor is not None:  # the removals survive a power cut
            fsync_dir(next(p for p in anchor.parents if p.exists()))
    except (OSError, sqlite3.Error):
        log.warning("could not remove all of the unused new store after a failed open")
