"""SQLite connections: one per thread, WAL journal, foreign keys, explicit transactions.

Thread-safety: a `Database` (and the `Store` over it) may be shared by threads; each thread
gets its own `sqlite3.Connection`, opened on first use and kept in thread-local storage, so
no connection is ever used by two threads. WAL lets readers run while one writer writes;
writers queue on SQLite's lock (busy timeout). Other processes may open the same folder.

`write()` opens `BEGIN IMMEDIATE` (the write lock is taken at once, so two writers never
deadlock upgrading a read lock), then refuses with a StorageError when the database file is no
longer the one first opened (the data folder was moved or deleted while the program ran) or its
schema is newer than `newest_schema` (another station upgraded it), and commits at the end; nested `write()` blocks join the
outermost transaction. Callbacks registered with `after_commit`/`after_rollback` run when
the outermost transaction ends: file cleanup that must follow the database's fate.

A read-only `Database` (`palsy records check`, `drafts`) opens with SQLite's `mode=ro`. On
read-only media, or a disk too full for SQLite's 32 KiB WAL index, a WAL database's `-shm` cannot
be created; when no `-wal` holds pending changes it is then read with `immutable=1` (the main file
alone), else a StorageError says why not. A disk with less than `SIDE_FILE_ROOM` free and no
`-shm` there is read that way at once: the failed try would leave empty `-shm`/`-wal` files behind.

Every connection decodes text with `decoded_text`: a cell whose bytes are not valid UTF-8 (bit rot
inside a row, which SQLite's integrity check passes, or a tool that wrote another encoding) reads
with U+FFFD in place of its bad bytes instead of failing the whole query, so one damaged name
does not keep the window from starting nor `records check` and `backup` from running.
`records check` reads the stored bytes themselves and lists each such cell (`text_checks`).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlencode

from app.records.errors import StorageError, failure_kind, storage_error_from_sqlite
from app.records.paths import data_folder_gone

log = logging.getLogger("palsy.records")
BUSY_TIMEOUT_S = 10.0
# SQLite primary result codes of a read-only open that cannot make the -shm/-wal it wants.
_SIDE_FILE_FAILURES = {8, 14}  # SQLITE_READONLY (..._CANTINIT, ..._RECOVERY), SQLITE_CANTOPEN
# The same on a full disk: SQLITE_FULL (primary 13), or the -shm could not be created
# (SQLITE_IOERR_SHMOPEN, extended 4618) or sized (SQLITE_IOERR_SHMSIZE, extended 4874).
_NO_ROOM_FAILURES = {4618, 4874}
_SQLITE_FULL = 13
# Free space a mode=ro open needs beside the database: the 32 KiB -shm, with a margin.
SIDE_FILE_ROOM = 64 * 1024


def decoded_text(data: bytes) -> str:
    """A text cell as read by every records connection (`text_factory`): its UTF-8, with U+FFFD
    in place of bytes that are not valid UTF-8. SQLite's default raised "Could not decode to
    UTF-8 column ..." for the whole query. Only an explicit edit of that field writes the
    replacement back: the store writes the fields a user changed, not every field it read."""
    return data.decode("utf-8", "replace")


def _text_reader(path: Path) -> Callable[[bytes], str]:
    """A `Database`'s `text_factory`: `decoded_text`, saying once in the log (the window's log
    file; a command's stderr) that the database holds text that does not decode. A closure: a
    callable object's `__call__` cost a fifth more per cell."""
    said = False

    def read(data: bytes) -> str:
        nonlocal said
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            if not said:
                said = True
                log.warning("the database %s holds text that is not valid UTF-8 (it is damaged); it is shown with a "
                            "replacement character. Run `palsy records check` to find it.", path)
            return decoded_text(data)

    return read


def journal_files(path: Path) -> list[Path]:
    """The side files that may hold changes the main database file does not have yet."""
    return [path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-journal")]


def side_files(path: Path) -> list[Path]:
    """Every side file SQLite may keep beside the database `path`: the journals and the WAL index."""
    return [*journal_files(path), path.with_name(f"{path.name}-shm")]


def pending_changes(path: Path) -> list[Path]:
    """The journals beside `path` that hold something (changes the main file may lack)."""
    return [p for p in journal_files(path) if _non_empty(p)]


def side_files_failed(exc: sqlite3.Error) -> bool:
    """Whether `exc`, from the first read of a `mode=ro` connection, says SQLite could not
    create or size the side files it wanted (read-only media or folder, a full disk)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return False
    return (code & 0xFF) in _SIDE_FILE_FAILURES or (code & 0xFF) == _SQLITE_FULL or code in _NO_ROOM_FAILURES


def too_full_for_side_files(folder: Path) -> bool:
    """Whether the disk of `folder` has less than SIDE_FILE_ROOM free for this user; False when
    that is unknown (a network share that reports no size at all: free 0 of 0)."""
    try:
        if hasattr(os, "statvfs"):  # POSIX: the data folder's disk looked at directly
            st = os.statvfs(folder)
            total, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
        else:
            total, _, free = shutil.disk_usage(folder)
    except OSError:
        return False
    return total > 0 and free < SIDE_FILE_ROOM


def _non_empty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: assume it holds something


def sqlite_uri(path: str | os.PathLike, **params: str | int) -> str:
    """The SQLite URI (`file:` form, opened with `uri=True`) of the database file `path`, with
    the query `params` (mode="ro", immutable=1). The path is percent-encoded, so a folder named
    `Backup #2`, `100%41` or `a?b` is the folder, not the start of a query or fragment. SQLite
    accepts only an empty (or `localhost`) authority, so a Windows UNC path (`\\\\nas\\share`, also
    what `resolve()` makes of a mapped drive), whose `as_uri()` is `file://nas/share/...`, is
    given as `file:////nas/share/...`: an empty authority and the path `//nas/share/...`."""
    absolute = path if isinstance(path, PurePath) and path.is_absolute() else Path(path).absolute()
    uri = absolute.as_uri()  # percent-encodes '#', '%', '?' and spaces
    if not uri.startswith("file:///"):  # file://HOST/share/...: a UNC path
        uri = "file:////" + uri[len("file://"):]
    return f"{uri}?{urlencode(params)}" if params else uri


class _ThreadState(threading.local):
    def __init__(self) -> None:
        self.conn: sqlite3.Connection | None = None
        self.depth = 0
        self.on_commit: list[Callable[[], None]] = []
        self.on_rollback: list[Callable[[], None]] = []


class Database:
    """A SQLite file opened with one connection per thread."""

    def __init__(
        self, path: Path, *, busy_timeout_s: float = BUSY_TIMEOUT_S, read_only: bool = False,
        newest_schema: int | None = None,
    ) -> None:
        self.path = path
        # Writes are refused once the file's schema version is above this (another station
        # upgraded the folder while this program had it open); None: not checked.
        self.newest_schema = newest_schema
        # (device, inode) of the file when first opened: a write to a database file that was
        # since moved, deleted or replaced would be lost (`_check_before_writing`).
        self._identity: tuple[int, int] | None = None
        self.busy_timeout_s = busy_timeout_s
        # Read-only: SQLite refuses every write, and a missing file is an error, not a new database.
        self.read_only = read_only
        # Set when a read-only open could not create its side files (read-only media): _open_read_only.
        self.immutable = False
        self._local = _ThreadState()
        self._text = _text_reader(path)
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        if self._closed:
            raise RuntimeError("the record store is closed")
        conn = self._local.conn
        if conn is not None:
            return conn
        try:
            conn = self._open_read_only() if self.read_only else self._open(str(self.path))
            if not self.read_only:  # a reader takes the journal mode the file has
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise sqlite3.OperationalError(f"cannot switch the database to WAL mode (got {mode})")
                # FULL: a committed capture survives a power cut, not only a crash.
                conn.execute("PRAGMA synchronous = FULL")
                if sys.platform == "darwin":  # there a plain fsync stops at the drive's cache
                    conn.execute("PRAGMA fullfsync = ON")
        except sqlite3.Error as exc:
            raise storage_error_from_sqlite(exc, self.path, reading=self.read_only) from exc
        with self._lock:
            self._all.append(conn)
            if self._identity is None and not self.read_only:
                self._identity = self._file_identity()
        self._local.conn = conn
        return conn

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _check_before_writing(self, conn: sqlite3.Connection) -> None:
        """Inside a fresh write transaction: refuse when the database file is no longer the one
        opened (the data folder was moved or deleted: SQLite would write into an unlinked file
        and the work would vanish at exit), or when another program upgraded its schema beyond
        this one's (this program would write records in the older form)."""
        if self._identity is not None and self._file_identity() != self._identity:
            raise StorageError(data_folder_gone(self.path.parent))
        if self.newest_schema is not None:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > self.newest_schema:
                raise StorageError(
                    f"the data folder {self.path.parent} was upgraded by a newer Palsy Grader (records schema "
                    f"version {version}; this one knows up to {self.newest_schema}) while this program had it "
                    "open; nothing more was saved. Update Palsy Grader on this station and restart it."
                )

    def _open(self, target: str, *, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target,
            timeout=self.busy_timeout_s,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=False,  # only so close() may close it from another thread
            uri=uri,
        )
        try:
            conn.row_factory = sqlite3.Row
            conn.text_factory = self._text
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        """A `mode=ro` connection; on read-only media or a full disk, where SQLite cannot create
        the WAL index (-shm) a WAL database needs, an `immutable=1` one, which reads the main file
        alone. That is only right when no -wal (or rollback -journal) file holds changes the main
        file lacks: then the database cannot be read without writing beside it, and the
        StorageError says so."""
        if not self.immutable and self._read_alone_at_once():
            log.info("%s: its disk has no room for SQLite's side files; reading it as immutable", self.path)
            self.immutable = True
        if not self.immutable:
            conn = self._open(sqlite_uri(self.path, mode="ro"), uri=True)
            try:
                conn.execute("PRAGMA user_version").fetchone()  # the first read opens the -shm
                return conn
            except sqlite3.Error as exc:
                conn.close()
                if not side_files_failed(exc):
                    raise
                pending = pending_changes(self.path)
                if pending:
                    raise self._unreadable_without_side_files(exc, pending[0]) from exc
                # Nothing outside the main file: reading it as it is, without side files, is exact.
                log.info("%s: SQLite cannot create its side files beside it; reading it as immutable", self.path)
                self.immutable = True
        return self._open(sqlite_uri(self.path, immutable=1), uri=True)

    def _read_alone_at_once(self) -> bool:
        """Whether to read the main file alone without trying `mode=ro` first: its disk has no
        room for the -shm (a try would fail, leaving empty -shm/-wal files behind), none is there
        (no other program has the database open) and no journal holds changes the file lacks."""
        shm = self.path.with_name(f"{self.path.name}-shm")
        if os.path.lexists(shm) or pending_changes(self.path):
            return False
        return too_full_for_side_files(self.path.parent)

    def _unreadable_without_side_files(self, exc: sqlite3.Error, pending: Path) -> StorageError:
        """The StorageError for a read-only open that cannot create its side files while
        `pending` (the -wal) holds changes the main file lacks."""
        unwritten = (f"{pending.name} beside it holds changes not yet written into the database (the program "
                     "is running or stopped abruptly); nothing was changed.")
        if failure_kind(exc) == "full" or too_full_for_side_files(self.path.parent):
            return StorageError(
                f"cannot read the database {self.path}: SQLite needs a little free space on that disk (about "
                f"{SIDE_FILE_ROOM // 1024} KB) for its side files, and {unwritten} Free some space on that disk "
                f"(or copy the whole data folder, {pending.name} included, to another disk and run the command on "
                "the copy) and try again."
            )
        return StorageError(
            f"cannot read the database {self.path}: SQLite cannot create its side files "
            f"there (read-only media or folder), and {pending.name} beside it holds "
            "changes not yet written into the database (the program was running or "
            "stopped abruptly when this copy was made); nothing was changed. Copy the whole "
            "data folder to a writable disk and run the command on the copy."
        )

    def in_transaction(self) -> bool:
        """True inside a `write()` block on this thread."""
        return self._local.depth > 0

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the outermost transaction commits (at once when none is open)."""
        if self._local.depth == 0:
            callback()
        else:
            self._local.on_commit.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run `callback` if the outermost transaction rolls back."""
        if self._local.depth > 0:
            self._local.on_rollback.append(callback)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; SQLite errors become StorageError, IntegrityError passes through."""
        state = self._local
        conn = self.connection()
        if state.depth > 0:
            state.depth += 1
            try:
                yield conn
            finally:
                state.depth -= 1
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise storage_error_from_sqlite(exc, self.path) from exc
        try:
            self._check_before_writing(conn)
        except BaseException:
            self._rollback(conn)
            raise
        state.depth = 1
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            state.depth = 0
            self._rollback(conn)
            callbacks, state.on_rollback, state.on_commit = state.on_rollback, [], []
            for callback in reversed(callbacks):
                callback()
            if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                raise storage_error_from_sqlite(exc, self.path) from exc
            raise
        state.depth = 0
        callbacks, state.on_commit, state.on_rollback = state.on_commit, [], []
        for callback in callbacks:
            callback()

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                # SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing to undo.
                pass

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several queries (joins the write transaction if one is open)."""
        conn = self.connection()
        if self._local.depth > 0 or conn.in_transaction:
            yield conn
            return
        try:
            conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise storage_error_from_sqlite(exc, self.path) from exc
        try:
            yield conn
        except sqlite3.Error as exc:
            self._rollback(conn)
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise storage_error_from_sqlite(exc, self.path) from exc
        except BaseException:
            self._rollback(conn)
            raise
        else:
            self._rollback(conn)  # read-only: ending it either way releases the snapshot

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        """Run one read query and return all rows (StorageError on failure)."""
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise storage_error_from_sqlite(exc, self.path) from exc

    def query_each(self, sql: str, params: Any = ()) -> Iterator[sqlite3.Row]:
        """Run one read query and yield its rows one at a time (a scan of every stored result
        holds one row in memory, not all of them); StorageError on failure."""
        try:
            cursor = self.connection().execute(sql, params)
            while True:
                rows = cursor.fetchmany(256)
                if not rows:
                    return
                yield from rows
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise storage_error_from_sqlite(exc, self.path) from exc

    def release_thread(self) -> None:
        """Close this thread's connection (call at the end of a worker thread; reopened on next use)."""
        conn, self._local.conn = self._local.conn, None
        if conn is None:
            return
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        try:
            conn.close()
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close every thread's connection (checkpointing the WAL when this is the last user)."""
        with self._lock:
            conns, self._all = self._all, []
            self._closed = True
        for conn in conns:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local.conn = None


def stored_schema_version(path: Path) -> int | None:
    """The schema version (`PRAGMA user_version`) of the database file `path`, read without
    changing anything; None when there is none or it cannot be read."""
    if not path.is_file():
        return None
    db = Database(path, read_only=True)
    try:
        return int(db.connection().execute("PRAGMA user_version").fetchone()[0])
    except (sqlite3.Error, StorageError):
        return None
    finally:
        db.close()
