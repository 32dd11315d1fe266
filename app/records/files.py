"""Atomic, verified file writes and checksummed reads.

A write goes to a temporary file in the same folder, is fsynced, renamed over the target and
the folder is fsynced, so a crash leaves either the old file or the complete new one, never a
half-written file under the real name. Temporary names carry the writer's process ID and its
computer (`host_tag`) so the next start can delete those left by a process of this computer
that died, and leave another computer's live write alone in a shared folder (see `recovery`).
After the rename the file is read back and its sha256 compared with what was meant to be
written.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import stat
from pathlib import Path

from app.records.errors import ChecksumError, StorageError, storage_error_from_os
from app.records.paths import FILE_MODE
from models.atomic_files import fsync_dir, fsync_file, replace_file

# One chunked file digest for the records and the weights (models/resources.py is torch-free).
from models.resources import sha256_of as sha256_file

TEMP_MARK = ".partial-"
_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """Hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def host_tag() -> str:
    """This computer in a temporary file's or a staging folder's name: 8 hex digits of its host
    name's sha256 (a host name may hold characters a file name cannot)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_path_for(target: Path) -> Path:
    """A fresh temporary name beside `target`: `.NAME.partial-PID-RANDOM-HOST` (`host_tag`)."""
    return target.parent / f".{target.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}-{host_tag()}"


def temp_owner(path: Path) -> tuple[int, str | None] | None:
    """The process ID and the `host_tag` written into a temporary file's name (`temp_path_for`;
    a side file SQLite adds, `-journal`, keeps them), or None when it is not one of ours. The
    host is None in an earlier release's name, which had none (`.NAME.partial-PID-RANDOM`)."""
    name = path.name
    if not name.startswith(".") or TEMP_MARK not in name:
        return None
    parts = name.rsplit(TEMP_MARK, 1)[1].split("-")
    if not parts[0].isdigit():
        return None
    host = parts[2] if len(parts) > 2 and _is_tag(parts[2]) else None
    return int(parts[0]), host


def _is_tag(text: str) -> bool:
    return len(text) == 8 and all(c in "0123456789abcdef" for c in text)


def temp_owner_pid(path: Path) -> int | None:
    """The process ID written into a temporary file's name, or None when it is not one of ours."""
    owner = temp_owner(path)
    return None if owner is None else owner[0]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _remove_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        # Cleanup of a temporary file is best effort; the next start removes leftovers.
        pass


def atomic_write(target: Path, data: bytes, *, verify: bool = True, private: bool = True) -> str:
    """Write `data` to `target` atomically (temp file, fsync, rename, fsync folder); return its sha256.

    `private`: the records' own files are owner-only (FILE_MODE). A file the user places
    elsewhere (`private=False`, a report's copy) gets what any program's would: a file it
    replaces keeps its permissions, a new one the umask's default (a copy for the front desk
    was readable by its writer alone).

    A `target` that already holds exactly `data` (files are named after their content: the same
    photo or report saved again) is not written at all, only its time refreshed. Raises
    StorageError (disk full, read-only folder...) with no temporary file left behind and the
    previous content of `target`, if any, untouched; ChecksumError when the file does not read
    back identically (failing disk): a file this call created is then removed, one that was
    there before is left (a row may name it; `palsy records check` judges it).
    """
    digest = sha256_bytes(data)
    existed = _holds(target, digest, private)
    if existed is True:
        return digest
    temp = temp_path_for(target)
    fd: int | None = None
    kept_mode = None if private else _file_mode(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     FILE_MODE if private else 0o666)  # either less the umask
        if kept_mode is not None:
            os.fchmod(fd, kept_mode)
        _write_all(fd, data)
        fsync_file(fd)
        os.close(fd)
        fd = None
        replace_file(temp, target)
        fsync_dir(target.parent)
    except BaseException as exc:  # Ctrl-C too: a temporary file left behind fails `records check`
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        _remove_quietly(temp)
        if isinstance(exc, OSError):
            raise storage_error_from_os(exc, "write", target) from exc
        raise
    if verify:
        try:
            actual = sha256_file(target)
        except OSError as exc:
            raise storage_error_from_os(exc, "read back", target) from exc
        if actual != digest:
            if existed is None:  # never delete a file that was there before: a row may name it
                _remove_quietly(target)
            kept = "; the file was kept, as it was there before (run `palsy records check`)" if existed is False else ""
            raise ChecksumError(
                f"{target} did not read back as written (sha256 {actual[:12]}... instead of "
                f"{digest[:12]}...){kept}; the disk may be failing. Check it and try again."
            )
    return digest


def _file_mode(target: Path) -> int | None:
    """The permissions of the file at `target` (links followed), or None: none there, not a
    file, or not on a POSIX system (whose modes a write keeps)."""
    try:
        found = os.stat(target)
    except OSError:
        return None
    return stat.S_IMODE(found.st_mode) if os.name == "posix" and stat.S_ISREG(found.st_mode) else None


def _holds(target: Path, digest: str, private: bool = True) -> bool | None:
    """Whether `target` holds the content of sha256 `digest`: True (left as a write would leave
    it: mode FILE_MODE when `private`, else its own, and its time refreshed, so that crash
    recovery in another program does not take it for an old unrecorded file before its row
    commits), False (there, but different, unreadable, a link, or its mode or time cannot be
    set) or None (not there, or gone meanwhile): in both cases it is written as usual."""
    if not os.path.lexists(target):
        return None
    if os.path.islink(target):  # a write replaces the link by a file of our own
        return False
    try:
        if sha256_file(target) != digest:
            return False
        if private and os.name == "posix" and (os.stat(target).st_mode & 0o777) != FILE_MODE:
            os.chmod(target, FILE_MODE)
        os.utime(target)
    except OSError:  # unreadable, a folder, not ours, or gone meanwhile: written (over it) as usual
        return False if os.path.lexists(target) else None
    return True


PHOTO_HINT = "Restore it from a backup or retake the photo."
REPORT_HINT = "Restore it from a backup, or export the report again from its assessment."


def read_verified(path: Path, expected_sha256: str, hint: str = PHOTO_HINT) -> bytes:
    """The bytes of `path`, after checking them against the recorded sha256.

    Raises StorageError when the file is missing or unreadable and ChecksumError when its content
    does not match: a damaged photo is reported, never silently used. `hint` says what to do
    about it (a photo is retaken, a report exported again: REPORT_HINT).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(f"{path} is missing from the data folder. {hint}") from exc
    except OSError as exc:
        raise storage_error_from_os(exc, "read", path) from exc
    actual = sha256_bytes(data)
    if actual != expected_sha256:
        raise ChecksumError(
            f"{path} is damaged: its sha256 {actual[:12]}... does not match the recorded "
            f"{expected_sha256[:12]}.... {hint}"
        )
    return data


def remove_file(path: Path) -> bool:
    """Delete `path` if present and fsync its folder; False (no error) when that fails."""
    try:
        os.unlink(path)
        fsync_dir(path.parent)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


__all__ = [
    "TEMP_MARK",
    "atomic_write",
    "fsync_dir",
    "host_tag",
    "read_verified",
    "remove_file",
    "replace_file",
    "fsync_file",
    "sha256_bytes",
    "sha256_file",
    "temp_owner",
    "temp_owner_pid",
    "temp_path_for",
]
