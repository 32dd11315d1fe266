"""`palsy records backup`: a consistent copy of a data folder, taken while the app may be running.

The database is copied with SQLite's online backup (`store.online_copy`, as for the `.vN.bak`
copy taken before an upgrade): one snapshot of everything committed, the write-ahead log
(palsy.db-wal) included. Copying palsy.db alone with a file copy loses whatever is still only in
the -wal file. Then the photos and reports the copy's rows name are copied, each one's sha256
compared with the row's while it is copied. The new folder is private (0o700 folders, 0o600
files), like a data folder; restoring is pointing PALSY_HOME or --data at it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from app.records.errors import StorageError, storage_error_from_os
from app.records.files import fsync_dir, temp_path_for
from app.records.paths import FILE_MODE, DataLayout, ensure_private_dir
from app.records.store import Store, online_copy
from models.errors import InputError

_CHUNK = 1024 * 1024


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


def refuse_out(out: Path) -> None:
    """InputError (exit 2) when `out` exists and is a file or a folder that is not empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} already exists and is not an empty folder; give a new folder for the backup")


def backup_data_folder(store: Store, out: Path) -> BackupResult:
    """Copy the data folder of `store` into the new folder `out` (see the module's text)."""
    out = out.expanduser().resolve()
    refuse_out(out)
    if store.root == out or store.root in out.parents:
        raise InputError(f"{out} is inside the data folder {store.root}; give a folder outside it")
    layout = DataLayout(out)
    for folder in (layout.root, layout.photos_dir, layout.reports_dir):
        ensure_private_dir(folder)
    temp = temp_path_for(layout.db_path)
    try:
        online_copy(store.db.connection(), temp)
        os.replace(temp, layout.db_path)
    except (OSError, sqlite3.Error) as exc:
        temp.unlink(missing_ok=True)
        raise StorageError(f"cannot copy the database {store.layout.db_path} to {layout.db_path}: {exc}") from exc
    result = BackupResult(out, bytes=layout.db_path.stat().st_size)
    conn = sqlite3.connect(f"file:{layout.db_path}?mode=ro", uri=True)
    try:
        result.patients = conn.execute("SELECT count(*) FROM patients").fetchone()[0]
        result.assessments = conn.execute("SELECT count(*) FROM assessments").fetchone()[0]
        tables = [t for t in ("captures", "reports")
                  if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()]
        rows = [r for t in tables for r in conn.execute(f"SELECT file_name, sha256 FROM {t}")]
    finally:
        conn.close()
    for name, sha256 in rows:
        _copy_file(store.layout, layout, name, sha256, result)
    for folder in {layout.root, layout.photos_dir, layout.reports_dir}:
        fsync_dir(folder)
    return result


def _copy_file(source: DataLayout, dest: DataLayout, name: str, sha256: str | None, result: BackupResult) -> None:
    """Copy one recorded file, hashing it on the way; a missing source file is noted, not fatal
    (the check of the copy reports it)."""
    src = source.resolve(name)
    target = dest.resolve(name)
    ensure_private_dir(target.parent)
    digest = hashlib.sha256()
    try:
        with open(src, "rb") as handle:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
            with os.fdopen(fd, "wb") as copy:
                for chunk in iter(lambda: handle.read(_CHUNK), b""):
                    digest.update(chunk)
                    copy.write(chunk)
                copy.flush()
                os.fsync(copy.fileno())
    except FileNotFoundError:
        result.missing.append(name)
        return
    except OSError as exc:
        raise storage_error_from_os(exc, "copy the file", src) from exc
    result.files += 1
    result.bytes += target.stat().st_size
    if sha256 and digest.hexdigest() != sha256:
        result.mismatched.append(name)

