"""Errors of the record store. All are PalsyError, so the CLI prints one line and exits 2."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from models.errors import PalsyError

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}

# SQLite primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR = 3, 8, 10
_SQLITE_IOERR_SHMSIZE = _SQLITE_IOERR | (19 << 8)  # extended code 4874
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6

_NOTHING_LOST = "nothing saved before was lost"
NOTHING_LOST = _NOTHING_LOST  # for the callers that word their own hints (app.export)


class StorageError(PalsyError):
    """The data folder cannot be written or read: disk full, read-only, damaged, locked."""


class DatabaseDamagedError(StorageError):
    """SQLite reports the database file damaged (malformed, not a database): a check found a
    problem (`records check` exits 1), not a user's mistake; nothing is moved while it lasts."""


class ChecksumError(StorageError):
    """A stored file does not match the sha256 recorded for it (damaged or tampered with)."""


class RecordNotFoundError(PalsyError):
    """A patient, assessment or capture that was asked for does not exist."""


class DuplicateRecordError(PalsyError):
    """A record with the same identity (patient ID/MRN, export folder) already exists."""


class RecordStateError(PalsyError):
    """The operation does not fit the assessment's status (e.g. a capture on a confirmed one)."""


def failure_kind(exc: OSError | sqlite3.Error) -> str | None:
    """"full" (no space or quota), "read-only" (not writable here) or None, for an OSError (by
    its errno) or a SQLite error (by its result code, message text as a fallback)."""
    if isinstance(exc, OSError):
        return "full" if exc.errno in _FULL_ERRNOS else "read-only" if exc.errno in _READ_ONLY_ERRNOS else None
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    # SQLITE_IOERR_SHMSIZE: the WAL index (-shm) could not be sized, which on a first open
    # means a full disk (it said "the disk failed")
    if primary == _SQLITE_FULL or code == _SQLITE_IOERR_SHMSIZE or "disk is full" in text:
        return "full"
    if primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text or "read-only" in text:
        return "read-only"
    return None


def full_or_read_only_error(
    exc: OSError | sqlite3.Error, lead: str, folder: str, kept: str, *, full_hint: str, read_only_hint: str
) -> StorageError | None:
    """The StorageError for a write that failed on a full disk or a read-only `folder`: `lead`
    ("cannot export to X"), what was kept, and what to do; None for any other failure, which
    the caller words."""
    kind = failure_kind(exc)
    if kind == "full":
        return StorageError(f"{lead}: the disk is full; {kept}. {full_hint}")
    if kind == "read-only":
        return StorageError(f"{lead}: {folder} is read-only or not writable by this user; {kept}. {read_only_hint}")
    return None


# What to do about a data folder that cannot be one; the GUI's Settings names it "Data folder".
SET_A_FOLDER = "set PALSY_HOME (or --data, or Settings \u2192 Data folder) to a folder"


def file_in_the_way(path: Path | str) -> Path | None:
    """The file that stands where `path` or one of the folders above it should be, or None:
    "File exists" and "Not a directory" named neither the file nor what to do."""
    for place in (Path(path), *Path(path).parents):
        try:
            if place.exists() and not place.is_dir():
                return place
        except OSError:  # a component that cannot even be looked at: not ours to name
            return None
    return None


def not_a_folder_message(folder: Path | str, blocker: Path, what: str = "folder") -> str:
    """The line for a folder (`what`: the data folder, or one in it) that a file stands in the way of."""
    if Path(folder) == blocker:
        return f"the {what} {blocker} is a file, not a folder: {SET_A_FOLDER}."
    return f"{blocker} is a file, not a folder, so the {what} {folder} cannot be made: {SET_A_FOLDER}."


def storage_error_from_os(exc: OSError, action: str, path: Path | str, *, destination: bool = False) -> StorageError:
    """A StorageError with a clear message and hint for an OSError met while `action`-ing `path`;
    `destination`: `path` is a folder the user chose to write to (an export), not the data folder."""
    hint = "choose another destination" if destination else "set PALSY_HOME to a writable folder"
    error = full_or_read_only_error(
        exc, f"cannot {action} {path}", "the destination folder" if destination else "the data folder", _NOTHING_LOST,
        full_hint=f"Free some disk space (or choose {'another destination' if destination else 'another data folder'}) "
        "and try again.",
        read_only_hint=f"Check the folder's permissions or {hint}.",
    )
    if error is not None:
        return error
    if exc.errno in (errno.EEXIST, errno.ENOTDIR) and (blocker := file_in_the_way(path)) is not None:
        if destination:
            return StorageError(f"cannot {action} {path}: {blocker} is a file, not a folder; choose another destination.")
        if Path(path).suffix:  # a photo or report in the folder, not the data folder: the stray file is the fault
            return StorageError(f"cannot {action} {path}: {blocker} is a file where a folder should be; move or rename "
                                f"that file and try again ({_NOTHING_LOST}).")
        return StorageError(not_a_folder_message(path, blocker))
    if isinstance(exc, FileNotFoundError):
        return StorageError(f"cannot {action} {path}: the file or folder does not exist.")
    reason = exc.strerror or str(exc)
    return StorageError(f"cannot {action} {path}: {reason}.")


def damaged_database_error(db_path: Path | str, detail: str) -> DatabaseDamagedError:
    """The error for a damaged database file: its path, SQLite's words and what to do; the
    `*.bak` copies beside it (taken before each upgrade) are named only when there are some."""
    path = Path(db_path)
    try:
        backups = sorted(p.name for p in path.parent.glob(f"{path.name}*.bak"))
    except OSError:
        backups = []
    where = (f" ({', '.join(backups[:3])}{', ...' if len(backups) > 3 else ''} beside it "
             f"{'is a copy' if len(backups) == 1 else 'are copies'} taken before an upgrade)") if backups else ""
    return DatabaseDamagedError(f"the database {path} is damaged ({detail}). Restore it from a backup{where}.")


def storage_error_from_sqlite(exc: sqlite3.Error, db_path: Path | str, *, reading: bool = False) -> StorageError:
    """A StorageError for a SQLite failure, by its result code (message text as a fallback);
    `reading`: the database was opened read-only, so a failure to open it is not about writing
    (a full disk: SQLite found no room for its side files)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    kind = failure_kind(exc)
    if kind == "full" and reading:  # nothing was being saved: SQLite's side files found no room
        return StorageError(
            f"cannot read the database {db_path}: SQLite needs a little free space on that disk (about 64 KB) "
            "for its side files; nothing was changed. Free some disk space and try again."
        )
    if kind == "full":
        return StorageError(
            f"cannot save to the database {db_path}: the disk is full; {_NOTHING_LOST}. "
            "Free some disk space and try again."
        )
    if kind == "read-only":
        return StorageError(
            f"cannot save to the database {db_path}: it is read-only; {_NOTHING_LOST}. "
            "Check the data folder's permissions or set PALSY_HOME to a writable folder."
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return damaged_database_error(db_path, str(exc))
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        return StorageError(
            f"the database {db_path} is busy (locked by another program for too long); try again."
        )
    if primary == _SQLITE_CANTOPEN or "unable to open" in text:
        if reading:
            return StorageError(
                f"cannot open the database {db_path} for reading: check that it exists and that "
                "this user may read it and its folder."
            )
        return StorageError(
            f"cannot open the database {db_path}: check that the data folder exists and is writable."
        )
    if primary == _SQLITE_IOERR or "disk i/o" in text:
        return StorageError(f"the disk failed while using the database {db_path} ({exc}).")
    return StorageError(f"database error in {db_path}: {exc}")
