"""Files that are either the old version or the new one, never half of one (no Qt, no app).

`replace_when_done(path)` hands out a temporary file beside `path`; when the block ends
without an error it takes `path`'s place with one `os.replace`, otherwise it is removed.
Checkpoints, PNGs, a recipe's state.json and a synthetic set's labels.csv are written
through it. (The patient records have their own `app.records.files.atomic_write`, which
also verifies the bytes and fsyncs the folder.)

`replace_file` is the one `os.replace` of both (and of every rename of a file just written:
results, a demo patient, a clinic checkpoint; `rename_file` where nothing may be replaced): on
Windows it retries briefly while another program (antivirus, the search indexer) holds the file. `fsync_file` is the one fsync: on
macOS `F_FULLFSYNC`, since there `fsync` does not reach the disk's platters. `fsync_dir` flushes a
folder's entry list: a rename into it, or a folder made in it, survives a power cut.
"""

from __future__ import annotations

import errno
import os
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# On Windows, a file just written is often opened for a moment by an antivirus scanner or the
# search indexer, and a rename then fails with "access denied" (PermissionError): it is tried
# again REPLACE_TRIES times in all, about half a second, before the error is raised.
REPLACE_TRIES = 5
REPLACE_WAIT_S = 0.05  # waits of 0.05, 0.1, 0.15, 0.2 s


def replace_file(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """`os.replace(source, target)`, retried on Windows while PermissionError says another
    program holds one of them (bounded: REPLACE_TRIES); elsewhere, or once spent, it raises."""
    _retried(os.replace, source, target)


def rename_file(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """`os.rename(source, target)` (which, unlike `replace_file`, never takes the place of an
    existing `target` on Windows), retried there as `replace_file` is."""
    _retried(os.rename, source, target)


def _retried(move, source: str | os.PathLike, target: str | os.PathLike) -> None:  # noqa: ANN001 - os.replace / os.rename
    """`move(source, target)`, again after a short wait while Windows says access denied."""
    for attempt in range(1, REPLACE_TRIES + 1):
        try:
            move(source, target)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == REPLACE_TRIES:
                raise
            time.sleep(REPLACE_WAIT_S * attempt)


def fsync_file(fd: int) -> None:
    """Flush the open file `fd` to the disk. On macOS `os.fsync` only hands the data to the
    drive, whose cache a power cut loses; `F_FULLFSYNC` asks the drive to write it (where the
    file system cannot, plain fsync is what is left)."""
    if sys.platform == "darwin":
        import fcntl

        full = getattr(fcntl, "F_FULLFSYNC", None)
        if full is not None:
            try:
                fcntl.fcntl(fd, full)
                return
            except OSError:
                pass
    os.fsync(fd)


def fsync_dir(folder: str | os.PathLike) -> None:
    """Flush a folder's entry list to disk so a rename survives a power cut (no-op on Windows)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems cannot fsync a directory; the data themselves are already synced.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


@contextmanager
def replace_when_done(path: str | os.PathLike, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write `path`'s new content into (created with the process's umask,
    as `open` would); `fsync` flushes it to the disk before it replaces `path`."""
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(temp, "xb") as handle:
            yield handle
            if fsync:
                handle.flush()
                fsync_file(handle.fileno())
        replace_file(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
