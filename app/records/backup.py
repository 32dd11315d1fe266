"""`palsy records backup`: a consistent copy of a data folder, taken while the app may be running.

The database is copied with SQLite's online backup (`store.online_copy`, as for the `.vN.bak`
copy taken before an upgrade): one snapshot of everything committed, the write-ahead log
(palsy.db-wal) included. Copying palsy.db alone with a file copy loses whatever is still only in
the -wal file. Then the photos and reports the copy's rows name are copied, each one's sha256
compared with the row's while it is copied. A photo retaken meanwhile is deleted from the data
folder before the backup reaches it: then the database is copied again with the files it names
now (`_copy_into`); when that keeps happening the backup stops, saving nothing. The new folder
is private (0o700 folders, 0o600 files), like a data folder; restoring is pointing PALSY_HOME
or --data at it.

The copy is built in a hidden staging folder (`.NAME.partial-PID-XXXXXXXX-HOST`, as an export's) and
takes its place only when complete and checked. A new `out` is staged beside it and renamed. An
empty folder given as `out` (a mount point: an empty USB stick) is staged inside it, on its own
disk, and the staged entries are then renamed up into it, the database last: a rename cannot
replace a mount point, and its parent is another disk, often not writable. A backup killed or
stopped by a full disk leaves no copy under the final names, only its staging folder: removed
at once on a failure, and a killed one's by the next backup (or export) into the same place:
at once when this computer made it and its process is gone, else once nothing was added to it
for an hour (`recovery.remove_abandoned_staging`: a younger one may be another computer's
backup into the same shared folder); the rerun goes ahead beside it. Before anything is copied
the size of what the backup copies (the database and the files its rows name) is compared with
the destination disk's free space (`check_room`): a backup that cannot fit is refused at once,
not found out by filling the disk, which for a large clinic took an hour of copying.

Files of the data folder that no row names (`Store.unrecorded_files`: what a visit lost with an
older palsy.db leaves behind) are not copied: the backup counts them as a problem of its report
(`_with_unrecorded`), so it does not say "checks clean" while they are in no backup.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.records.db import decoded_text, sqlite_uri
from app.records.errors import (
    StorageError,
    failure_kind,
    file_in_the_way,
    full_or_read_only_error,
    storage_error_from_os,
)
from app.records.files import fsync_dir, fsync_file, replace_file
from app.records.paths import (
    DB_NAME,
    DIR_MODE,
    FILE_MODE,
    DataLayout,
    NameResolver,
    ensure_private_dir,
    is_inside,
)
from app.records.recovery import STAGING_NAME, remove_abandoned_staging, staging_path_for
from app.records.store import Store, online_copy
from models.atomic_files import rename_file
from models.clutter import is_system_entry
from models.errors import InputError

log = logging.getLogger("palsy.records")
_CHUNK = 1024 * 1024
# How many times the database is copied again when photos it names were retaken before the
# backup reached them (a therapist retaking photos all through a long backup).
SNAPSHOT_TRIES = 3
# `FileProblem.problem` of a photo or report file that no row names, older than an hour.
UNRECORDED = "unrecorded"


@dataclass
class BackupResult:
    """What `backup_data_folder` copied."""

    folder: Path
    patients: int = 0
    assessments: int = 0
    files: int = 0
    bytes: int = 0
    mismatched: list[str] = field(default_factory=list)  # rows whose file's sha256 differs
    missing: list[str] = field(default_factory=list)  # rows whose file is not in the data folder
    # photo and report files of the data folder that no row names (`Store.unrecorded_files`,
    # older than an hour): in no backup, so the backup says so (`UNRECORDED`)
    unrecorded: list[str] = field(default_factory=list)
    report: Any = None  # what `check` returned for the copy (its paths naming `folder`)


def refuse_out(out: Path) -> None:
    """InputError (exit 2) when `out` exists and is a file or a folder that is not empty. The
    hidden staging folder a killed backup left inside it does not count: the rerun removes it.
    Nor does what the system keeps on an empty USB stick or leaves in a folder it showed
    (`System Volume Information`, `$RECYCLE.BIN`, `.Spotlight-V100`, `.DS_Store`: `is_system_entry`);
    the backup leaves those as they are."""
    if out.exists() and (not out.is_dir() or any(not _ignored_in_out(e.name) for e in out.iterdir())):
        raise InputError(f"{out} already exists and is not an empty folder; give a new folder for the backup")


def _ignored_in_out(name: str) -> bool:
    """An entry of `out` that does not make it a folder with content: a killed backup's staging
    folder, or what the file system or a file browser made (`is_system_entry`: an "empty" USB
    stick's System Volume Information, .Spotlight-V100, .DS_Store). A user's own hidden files
    (.bashrc, .git) are content: the backup does not mix with them or make their folder private."""
    return STAGING_NAME.fullmatch(name) is not None or is_system_entry(name)


def backup_data_folder(store: Store, out: Path, check: Callable[[Store], Any] | None = None) -> BackupResult:
    """Copy the data folder of `store` into the new folder `out` (see the module's text).

    `check(copy)` is run on the finished copy (a read-only `Store`) in its staging folder; its
    result, with the staging folder's path replaced by `out`, is `result.report`. A failure (a
    full disk: a StorageError naming `out`) leaves no staging folder and nothing in `out`: a
    new `out` is not made, an empty one given stays empty.
    """
    out = out.expanduser().resolve()
    refuse_out(out)
    if is_inside(store.root, out):
        raise InputError(f"{out} is inside the data folder {store.root}; give a folder outside it")
    inside = out.is_dir()  # an empty folder (a mount point): staged in it, on its own disk
    where = out if inside else out.parent
    remove_abandoned_staging(where)  # those of killed backups or exports: patient data
    needed = size_to_copy(store)
    check_room(out, needed)
    with _writing_to(out, needed):
        if inside:
            _make_private(out)
        else:
            out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # an existing folder keeps its mode
        staging = where / staging_path_for(out).name
        os.mkdir(staging, 0o700)
    try:
        result = _copy_into(store, DataLayout(staging), out, needed)
        result.unrecorded = [p.file_name for p in store.unrecorded_files() if p.problem == UNRECORDED]
        if check is not None:
            with Store.open_existing(staging) as copy:
                result.report = _with_unrecorded(_moved(check(copy), str(staging), str(out)), store, result.unrecorded)
        with _writing_to(out, needed):
            refuse_out(out)  # filled meanwhile: not replaced
            if inside:
                _move_up(staging, out)
            else:
                replace_file(staging, out)  # a new name (POSIX: also over an empty folder made meanwhile)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:  # the copy is complete under its name: a failure to flush the rename is no failed backup
        fsync_dir(where)
    except OSError as exc:
        log.warning("could not flush the folder %s after the backup: %s", where, exc.strerror or exc)
    return result


def _with_unrecorded(report: Any, store: Store, unrecorded: list[str]) -> Any:
    """The copy's check `report` with one file problem more when the data folder holds files
    that no row names (`unrecorded`): the backup copies only the files its rows name, so those
    are in no backup, and a backup that "checks clean" (exit 0) let them be forgotten (a
    visit lost with an older palsy.db leaves its photos so; the next start moves them to
    recovered/). A report of another shape (not `records check`'s) is returned as it is."""
    if not unrecorded or not isinstance(report, dict) or not isinstance(report.get("file_problems"), list):
        return report
    some = ", ".join(unrecorded[:3]) + (", ..." if len(unrecorded) > 3 else "")
    detail = (f"{len(unrecorded)} photo or report file(s) in the data folder {store.root} ({some}) are recorded in "
              "no database row, so they were not copied and are in no backup: run `palsy records check` on the "
              "data folder, and keep the older backups until they are sorted out (an older palsy.db may hold "
              "their visits).")
    return {**report, "file_problems": [*report["file_problems"],
                                        {"file_name": "", "problem": "not backed up", "detail": detail}]}


def size_to_copy(store: Store) -> int:
    """Bytes a backup of `store` copies: its database (every page of it, as the online copy
    writes them) and each file a row names (a file that cannot be looked at counts as none)."""
    conn = store.db.connection()
    page_count, page_size = (conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    tables = [t for t in ("captures", "reports")
              if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()]
    names = {row[0] for t in tables for row in conn.execute(f"SELECT file_name FROM {t}")}
    total = page_count * page_size
    resolve = store.layout.resolver()
    for name in names:
        try:
            total += os.stat(resolve(name)).st_size
        except (OSError, StorageError):  # missing or outside the folder: the copy says so
            continue
    return total


def check_room(out: Path, needed: int) -> None:
    """StorageError before anything is written when the disk `out` would be on (that of its
    nearest existing folder) has less than `needed` bytes free. Nothing is said when the free
    space cannot be read, or the disk reports no size at all (0 bytes, 0 free: a GVFS or FUSE
    share that does not tell): a full disk met while copying is said then."""
    place = next((p for p in (out, *out.parents) if p.exists()), None)
    if place is None:
        return
    try:
        usage = shutil.disk_usage(place)
    except OSError:
        return
    free = usage.free
    if usage.total == 0 and free == 0:  # a share that reports no size (GVFS smb://, some FUSE): unknown
        return
    if free < needed:
        raise StorageError(
            f"cannot write the backup to {out}: it needs {_megabytes(needed)} MB, {free // 1_000_000} MB free on "
            f"{place}; nothing was written. Free some space on that disk, or give another --out folder, and try again."
        )


def _megabytes(size: int) -> int:
    """`size` bytes in whole MB, rounded up (a backup of 0.2 MB needs 1 MB, not 0)."""
    return max(1, -(-size // 1_000_000))


def _make_private(out: Path) -> None:
    """Make the empty folder `out` user-only (0o700), as a data folder is, where its disk allows
    (a FAT-formatted USB stick has no permissions; a mount point may belong to another user)."""
    if os.name == "posix" and (out.stat().st_mode & 0o777) != DIR_MODE:
        try:
            os.chmod(out, DIR_MODE)
        except OSError as exc:
            log.info("could not make the backup folder %s private: %s", out, exc.strerror or exc)


def _move_up(staging: Path, out: Path) -> None:
    """Rename the checked copy's entries from `staging` (inside `out`) into `out`, palsy.db last:
    a run killed in between leaves no database under `out`, so no folder that passes for a
    backup (opening it is refused: photos beside no database). On a failure the entries moved
    so far are moved back, and the caller removes the staging folder with them."""
    names = sorted(os.listdir(staging), key=lambda name: name == DB_NAME)
    moved: list[str] = []
    try:
        for name in names:
            rename_file(staging / name, out / name)
            moved.append(name)
    except OSError:
        for name in reversed(moved):
            try:
                rename_file(out / name, staging / name)
            except OSError as exc:
                log.warning("could not move %s back after a failed backup: %s", out / name, exc.strerror or exc)
        raise
    try:  # empty now; one left (a full folder table?) is removed by the next backup into `out`
        os.rmdir(staging)
    except OSError as exc:
        log.warning("could not remove the empty staging folder %s: %s", staging, exc.strerror or exc)


def _copy_into(store: Store, layout: DataLayout, out: Path, needed: int) -> BackupResult:
    """Copy the database, then every file its rows name, into the staging folder `layout`
    (`out` names the destination in errors, `needed` what the backup needs in a full disk's).

    A photo retaken (or withdrawn) after the database was copied is deleted from the data folder
    before the backup reaches it: then the database is copied again and the files its rows name
    now, the ones already copied kept (a file's name holds its checksum), up to SNAPSHOT_TRIES
    times. Only a file missing while the live database still names it is a missing file.
    """
    with _writing_to(out, needed):
        for folder in (layout.photos_dir, layout.reports_dir):
            ensure_private_dir(folder)
    copied: dict[str, tuple[str, Path]] = {}  # name -> sha256 and path of the copy made of it
    source = store.layout.resolver()  # each name's path looked at once, not a realpath per use
    for attempt in range(1, SNAPSHOT_TRIES + 1):
        result, names = _copy_snapshot(store, source, layout, out, copied, needed)
        vanished = [name for name in result.missing if not _still_named(store, name)]
        if not vanished:
            break
        log.info("%d file(s) were replaced in the data folder while the backup copied them (try %d of %d)",
                 len(vanished), attempt, SNAPSHOT_TRIES)
    else:
        raise StorageError(
            f"the data folder {store.root} was being written while the backup ran (photos retaken or "
            f"withdrawn during each of {SNAPSHOT_TRIES} tries); nothing was saved to {out}. "
            "Run the backup again, best when no photos are being taken."
        )
    with _writing_to(out, needed):
        _remove_unnamed([copied[name][1] for name in set(copied) - names])
        # each copy's own folder (an assessment's) holds its name: flushed, like the folders above it
        visits = sorted({copied[name][1].parent for name in names if name in copied})
        for folder in (*visits, layout.photos_dir, layout.reports_dir, layout.root):
            fsync_dir(folder)
    return result


def _copy_snapshot(store: Store, source: NameResolver, layout: DataLayout, out: Path,
                   copied: dict[str, tuple[str, Path]], needed: int) -> tuple[BackupResult, set[str]]:
    """Copy the database (over an earlier try's copy), then each file its rows name that is not
    in `copied` yet (`source` gives its path in the data folder); return what the copy holds and
    the names of its files."""
    with _writing_to(out, needed):
        if layout.db_path.exists():
            os.remove(layout.db_path)
        try:
            online_copy(store.db.connection(), layout.db_path)
        except sqlite3.Error as exc:
            if failure_kind(exc) is not None:  # a full or read-only destination
                raise
            raise StorageError(f"cannot copy the database {store.layout.db_path} for the backup to {out}: {exc}; "
                               "nothing was written there.") from exc
    result = BackupResult(out, bytes=layout.db_path.stat().st_size)
    conn = sqlite3.connect(sqlite_uri(layout.db_path, mode="ro"), uri=True)
    conn.text_factory = decoded_text  # a damaged name is the check's finding, not the copy's end
    try:
        result.patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        result.assessments = conn.execute("SELECT count(*) FROM assessments").fetchone()[0]
        tables = [t for t in ("captures", "reports")
                  if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()]
        rows = [r for t in tables for r in conn.execute(f"SELECT file_name, sha256 FROM {t}")]
    finally:
        conn.close()
    dest = layout.resolver()
    for name, sha256 in rows:
        if name not in copied:
            target = dest(name)
            digest = _copy_file(source(name), target, out, needed)
            if digest is None:
                result.missing.append(name)
                continue
            copied[name] = (digest, target)
        result.files += 1
        result.bytes += copied[name][1].stat().st_size
        if sha256 and copied[name][0] != sha256:
            result.mismatched.append(name)
    return result, {name for name, _ in rows}


def _still_named(store: Store, name: str) -> bool:
    """Whether a row of the live database names the file `name` (a retake since the snapshot
    replaced the row and deleted the file: then not)."""
    return bool(store.db.query("SELECT 1 FROM captures WHERE file_name = ? UNION ALL "
                               "SELECT 1 FROM reports WHERE file_name = ? LIMIT 1", (name, name)))


def _remove_unnamed(targets: list[Path]) -> None:
    """Remove the copies an earlier try made of files the final database copy no longer names
    (photos retaken meanwhile), and their assessment's folder when that is left empty."""
    for target in targets:
        os.remove(target)
        with contextlib.suppress(OSError):
            target.parent.rmdir()  # refuses a folder that is not empty


def _copy_file(src: Path, target: Path, out: Path, needed: int) -> str | None:
    """Copy one recorded file `src` to `target`, hashing it on the way; return the copy's
    sha256, or None when the source file is missing. A failure to read the source names the
    source, one to write names `out`."""
    digest = hashlib.sha256()
    try:
        handle = open(src, "rb")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise storage_error_from_os(exc, "read the file", src) from exc
    with handle, _writing_to(out, needed):
        ensure_private_dir(target.parent)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
        with os.fdopen(fd, "wb") as copy:
            while True:
                try:
                    chunk = handle.read(_CHUNK)
                except OSError as exc:
                    raise _SourceError(storage_error_from_os(exc, "read the file", src)) from exc
                if not chunk:
                    break
                digest.update(chunk)
                copy.write(chunk)
            copy.flush()
            fsync_file(copy.fileno())
    return digest.hexdigest()


class _SourceError(Exception):
    """Carries a StorageError about the data folder through `_writing_to` unchanged."""

    def __init__(self, error: StorageError) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def _writing_to(out: Path, needed: int) -> Iterator[None]:
    """Turn a failure to write the backup (OSError, SQLite's "disk is full", a StorageError
    from an OSError) into one line naming `out`: the destination the user chose, not the data
    folder (whose errors advise choosing another data folder). `needed`: the bytes the backup
    copies (`size_to_copy`), said when the disk is full."""
    try:
        yield
    except _SourceError as exc:
        raise exc.error from exc.__cause__
    except (OSError, sqlite3.Error) as exc:
        raise _destination_error(exc, out, needed) from exc
    except StorageError as exc:
        if isinstance(exc.__cause__, OSError):
            raise _destination_error(exc.__cause__, out, needed) from exc.__cause__
        raise


def _destination_error(exc: OSError | sqlite3.Error, out: Path, needed: int) -> StorageError:
    """The StorageError for a failure to write the backup into `out` (or its staging folder
    beside it): names `out`, says nothing was left there and what to do (on a full disk, how
    much room the backup needs: `needed` bytes)."""
    kept = "the data folder was not changed and no partial copy was left"
    error = full_or_read_only_error(
        exc, f"cannot write the backup to {out}", "the folder", kept,
        full_hint=f"Free some space on that disk (the backup needs about {_megabytes(needed)} MB), "
        "or give another --out folder, and try again.",
        read_only_hint="Check its permissions or give another --out folder.",
    )
    if error is not None:
        return error
    blocker = file_in_the_way(out) if isinstance(exc, OSError) and exc.errno in (errno.EEXIST, errno.ENOTDIR) else None
    if blocker is not None:  # "File exists" named neither the file nor what to do
        return StorageError(f"cannot write the backup to {out}: {blocker} is a file, not a folder; {kept}. "
                            "Give another --out folder.")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return StorageError(f"cannot write the backup to {out} ({reason}); {kept}.")


def _moved(value: Any, staging: str, out: str) -> Any:
    """`value` (a check report: dicts, lists, text) with the staging folder's path replaced by
    `out`, the name the copy has once renamed."""
    if isinstance(value, str):
        return value.replace(staging, out)
    if isinstance(value, dict):
        return {k: _moved(v, staging, out) for k, v in value.items()}
    if isinstance(value, list):
        return [_moved(v, staging, out) for v in value]
    return value
