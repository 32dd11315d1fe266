"""Clean-up after a crash: temporary files of dead writers and photos never recorded.

A writer killed between `open(temp)` and `rename` leaves `.NAME.partial-PID-XXXX-HOST`; one
killed after the rename but before its row committed leaves a complete photo no row names (an
orphan). This computer's temporary files are removed when their process is gone (or after a
day, in case the PID was reused); another computer's (a shared data folder), or an earlier
release's that named no computer, once nothing was written to it for an hour as well
(`left_in_a_shared_folder`): its PID means nothing here. Orphans older than an hour (younger
ones may belong to a capture in progress in another process) are moved, never deleted, to
`recovered/` in the data folder at start-up, keeping their relative path, so the photo tree
holds only recorded files and nothing a crash left behind is lost. `remove_orphans` deletes
them instead (tools, tests).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.records.errors import StorageError, damaged_database_error
from app.records.files import (
    TEMP_MARK,
    fsync_dir,
    host_tag,
    remove_file,
    replace_file,
    temp_owner,
    temp_path_for,
)
from app.records.paths import DataLayout, ensure_private_dir
from models.clutter import is_clutter

log = logging.getLogger("palsy.records")
STALE_TEMP_AGE_S = 24 * 3600.0
# Another computer's staging folder in an export's or a backup's destination younger than this
# is never removed, whatever its PID: a run on another computer writing to the same shared folder
# has a PID this one does not know.
STAGING_MIN_AGE_S = 3600.0
ORPHAN_MIN_AGE_S = 3600.0
RECOVERED_DIR = "recovered"
# `.NAME.partial-PID-XXXXXXXX-HOST`: the staging folder of an export or a backup
# (`staging_path_for`), named as a temporary file is (`temp_path_for`); earlier releases' have no `-HOST`.
STAGING_NAME = re.compile(rf"\..+{re.escape(TEMP_MARK)}(\d+)-[0-9a-f]{{8}}(?:-([0-9a-f]{{8}}))?")


@dataclass
class RecoveryReport:
    """What `recover` did at start-up."""

    removed_temp_files: list[Path] = field(default_factory=list)
    # (where the orphan was, where it is now)
    recovered_orphans: list[tuple[Path, Path]] = field(default_factory=list)


    def summary(self, root: Path) -> str:
        """One line saying what was done in the data folder `root`, or "" when nothing was."""
        done = []
        if self.recovered_orphans:
            done.append(f"moved {len(self.recovered_orphans)} unrecorded photo or report file(s) to "
                        f"{root / RECOVERED_DIR} (kept, not deleted)")
        if self.removed_temp_files:
            done.append(f"removed {len(self.removed_temp_files)} temporary file(s) of an interrupted write")
        return f"crash recovery in {root}: {'; '.join(done)}" if done else ""


def recovered_copies(layout: DataLayout, relative: str) -> list[Path]:
    """The files in `recovered/` moved there under the name of the stored file `relative`
    ('photos/000001/...png'; a name taken there got a `.1`, `.2`... suffix, `quarantine_orphans`)."""
    first = layout.root / RECOVERED_DIR / Path(relative)
    found, candidate, n = [], first, 1
    while candidate.is_file():
        found.append(candidate)
        candidate = first.with_name(f"{first.stem}.{n}{first.suffix}")
        n += 1
    return found


# Windows: OpenProcess's access right, GetExitCodeProcess's "still running", OpenProcess's error
# for a PID no process has.
_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_STILL_ACTIVE = 259
_ERROR_INVALID_PARAMETER = 87


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _windows_process_alive(pid)
    if os.name != "posix":
        return True  # no cheap check: rely on the age rule
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_process_alive(pid: int) -> bool:
    """Whether the process `pid` runs, on Windows (`os.kill(pid, 0)` would end it there). When
    unsure (access denied: another user's process), alive: the age rule then applies."""
    try:
        import _winapi  # CPython's, on Windows only
    except ImportError:
        return True
    try:
        handle = _winapi.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    except OSError as exc:
        return getattr(exc, "winerror", None) != _ERROR_INVALID_PARAMETER  # that: no such process
    try:
        return _winapi.GetExitCodeProcess(handle) == _STILL_ACTIVE  # a handle may outlive its process
    except OSError:
        return True
    finally:
        _winapi.CloseHandle(handle)


def process_gone(pid: int) -> bool:
    """Whether no process of this computer has the ID `pid` (lock files name their holder's)."""
    return not _process_alive(pid)


def left_by_a_dead_writer(pid: int, age_s: float) -> bool:
    """The rule for a temporary file or folder named after its writer's process: it was left
    behind (safe to remove) when that process is gone or it is older than STALE_TEMP_AGE_S;
    otherwise it may be a write in progress. Used by the cleanup at open, `records check`
    and the export's staging sweep."""
    return process_gone(pid) or age_s > STALE_TEMP_AGE_S


def left_in_a_shared_folder(pid: int | None, age_s: float) -> bool:
    """The rule for a staging folder in a folder other computers may write to as well (a USB
    stick, a network share): left behind only when it is more than STAGING_MIN_AGE_S old (or
    dated that far ahead: a clock that was ahead) and `left_by_a_dead_writer` says so. A PID
    alone is judged on this computer, where another station's live run looks gone."""
    return abs(age_s) > STAGING_MIN_AGE_S and (pid is None or left_by_a_dead_writer(pid, age_s))


def staging_path_for(target: Path) -> Path:
    """A fresh staging folder's path beside `target` (`STAGING_NAME`): `temp_path_for`'s, which
    ends in this computer's `host_tag`, so that a killed run's folder is removed by the rerun
    here at once, while another computer's waits an hour (`remove_abandoned_staging`)."""
    return temp_path_for(target)


def _file_folders(layout: DataLayout) -> list[Path]:
    return [layout.root, layout.photos_dir, layout.reports_dir]


def walk_data_files(layout: DataLayout) -> list[Path]:
    """Files directly in the data folder and anywhere under photos/ and reports/."""
    return [Path(path) for path in walk_paths(layout)]


def walk_paths(layout: DataLayout) -> list[str]:
    """`walk_data_files` as text: a Path per file was most of opening a large store's time
    (0.4 s of 0.67 s for 40,000 photos); crash recovery makes Paths of the few files it acts on."""
    files: list[str] = []
    for folder in _file_folders(layout):
        if not folder.is_dir():
            continue
        depth_one = folder == layout.root
        for dirpath, dirnames, filenames in os.walk(folder):
            prefix = os.path.join(dirpath, "")  # os.path.join(dirpath, name) for every name, joined once
            files.extend(prefix + name for name in filenames)
            if depth_one:
                dirnames.clear()
    return files


def temp_candidates(files: list[str]) -> list[Path]:
    """The files among `files` named like a temporary file (`temp_owner_pid` judges them)."""
    return [Path(path) for path in files if TEMP_MARK in path and os.path.basename(path).startswith(".")]


def abandoned_temp_files(files: Sequence[Path], now: float) -> list[Path]:
    """The temporary files (`.NAME.partial-PID-XXXX-HOST`) among `files` that their writer left
    (`temp_left_behind`); one removed meanwhile finished its write and is not listed."""
    abandoned = []
    for path in files:
        owner = temp_owner(path)
        if owner is None:
            continue
        try:
            age = now - path.stat().st_mtime
        except OSError:
            continue
        if temp_left_behind(*owner, age):
            abandoned.append(path)
    return abandoned


def temp_left_behind(pid: int, host: str | None, age_s: float) -> bool:
    """Whether a temporary file of process `pid` on the computer `host` (`temp_owner`), written
    `age_s` ago, was left by a writer that stopped. This computer's is judged by its PID at once
    (`left_by_a_dead_writer`); another computer's, or one an earlier release named no computer
    in, by `left_in_a_shared_folder` (an hour): on a data folder several stations share, another
    station's live write has a PID this computer does not know. Another computer's file dated
    ahead of this clock is young, not old: its date comes from that station's (or the file
    server's) clock, an hour off for a time zone or summer time set wrong, and it may be a write
    in progress; only one dated more than STALE_TEMP_AGE_S ahead is taken for left behind."""
    if host == host_tag():
        return left_by_a_dead_writer(pid, age_s)
    if age_s < 0:
        return -age_s > STALE_TEMP_AGE_S
    return left_in_a_shared_folder(pid, age_s)


def remove_abandoned_staging(dest_root: Path) -> int:
    """Remove the staging folders (`STAGING_NAME`) that killed exports or backups left in
    `dest_root` (`staging_left_behind`): this computer's once their process is gone, another
    computer's (or one an earlier release named no computer in) once nothing was added to it
    for an hour and its process looks gone, or for a day. A live one's folder is left alone.
    Best effort: what cannot be removed stays. Returns how many were removed."""
    removed = 0
    now = time.time()
    try:
        folders = [(Path(e.path), match) for e in os.scandir(dest_root)
                   if (match := STAGING_NAME.fullmatch(e.name)) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return 0  # no destination yet (or unreadable: the writer itself will say so)
    for folder, match in folders:
        try:
            age = now - _last_change(folder)
        except OSError:
            continue  # gone meanwhile: its run finished
        if not staging_left_behind(match, age):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += not os.path.lexists(folder)
    if removed:
        log.info("removed %d unfinished export or backup folder(s) left by an interrupted run", removed)
    return removed


def staging_left_behind(name: re.Match[str], age_s: float) -> bool:
    """Whether the staging folder whose `STAGING_NAME` match is `name`, nothing added to it for
    `age_s`, was left by a killed run. One of this computer is judged by its PID at once
    (`left_by_a_dead_writer`): a killed run's must not end up inside the rerun's backup. Any
    other by `left_in_a_shared_folder`: its PID means nothing here."""
    pid = int(name.group(1))
    if name.group(2) == host_tag():
        return left_by_a_dead_writer(pid, age_s)
    return left_in_a_shared_folder(pid, age_s)


def _last_change(folder: Path) -> float:
    """When something was last added to `folder` or to a folder directly in it: an export
    writes its photos into photos/, a backup a folder per assessment there, so a copy that
    runs for hours stays young while it adds them. OSError when `folder` is gone."""
    times = [folder.stat().st_mtime]
    with os.scandir(folder) as entries:
        times += [e.stat(follow_symlinks=False).st_mtime for e in entries if e.is_dir(follow_symlinks=False)]
    return max(times)


def recover(layout: DataLayout, conn: sqlite3.Connection | None = None, *, now: float | None = None) -> RecoveryReport:
    """Remove temporary files whose writer died (or older than a day); with `conn`, also move
    old orphans to `recovered/` (`quarantine_orphans`). One walk over the files serves both."""
    report = RecoveryReport()
    now = time.time() if now is None else now
    files = walk_paths(layout)
    for path in abandoned_temp_files(temp_candidates(files), now):
        if remove_file(path):
            report.removed_temp_files.append(path)
    if report.removed_temp_files:
        log.info("removed %d unfinished temporary file(s) left by a crash", len(report.removed_temp_files))
    if conn is not None:
        report.recovered_orphans = quarantine_orphans(layout, conn, now=now, files=files)
    return report


def orphan_files(layout: DataLayout, conn: sqlite3.Connection, files: Sequence[str | Path] | None = None) -> list[Path]:
    """Complete photo/report files that no database row names (left by a crash before commit).

    `files`: the data folder's files (paths, or their text) when the caller has just walked it
    (else walked here).
    """
    # The stored names are compared as text with the walked files' names relative to the root:
    # resolving each stored name (a realpath per row) made opening a large clinic's store take
    # seconds (5 s of 8.7 s for 75,000 photos). Stored names are '/'-separated and relative.
    # Read from the tables themselves (NOT INDEXED): the names' unique indexes cover this query,
    # and a damaged index (which `PRAGMA quick_check` does not read) could hide a recorded file,
    # which would then be moved out of the data folder as an orphan.
    # UNION ALL: the set removes duplicates (UNION sorted all the names first to do it).
    recorded = {
        _normal_name(r[0])
        for r in conn.execute(
            "SELECT file_name FROM captures NOT INDEXED UNION ALL SELECT file_name FROM reports NOT INDEXED"
        )
    }
    return unnamed_files(layout, walk_paths(layout) if files is None else files, recorded)


def _normal_name(name: str) -> str:
    """`posixpath.normpath(name)`, without its cost for the names the store writes
    ('photos/000123/000123_rest_0123456789ab.png'), which it would return unchanged: no empty,
    '.' or '..' part and no trailing '/'."""
    if name and "//" not in name and "/." not in name and not name.startswith(".") and not name.endswith("/"):
        return name
    return posixpath.normpath(name)


def unnamed_files(layout: DataLayout, files: Sequence[str | Path], recorded: set[str]) -> list[Path]:
    """The complete photo and report files among `files` (walked from the data folder: paths, or
    their text) whose name relative to the folder, '/'-separated, is not in `recorded`, as
    paths. Files directly in the folder (the database, the GUI's lock), temporary files and
    file browsers' clutter (`models.clutter.is_clutter`: hidden, Thumbs.db...) are never
    listed. Compared as text: Path arithmetic per file cost a second at 75,000 photos."""
    start = len(os.path.join(str(layout.root), ""))  # "C:\\" for a drive root, not "C:\\\\"
    sep = os.sep
    unnamed = []
    for p in files:
        text = os.fspath(p)
        relative = text[start:]
        if sep not in relative:
            continue
        name = relative if sep == "/" else relative.replace(sep, "/")
        if name not in recorded and not is_clutter(relative):
            unnamed.append(Path(text) if isinstance(p, str) else p)
    return unnamed


def database_problems(conn: sqlite3.Connection, *, thorough: bool = False) -> list[str]:
    """SQLite's `PRAGMA quick_check` (the structure of every table and index, not the contents
    of indexes), or with `thorough` its `integrity_check` (also that every index holds exactly
    its table's rows; slower): empty when the database is sound. A check that cannot even run
    (the file is too damaged to read) is a problem too."""
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check" if thorough else "PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    if found == ["ok"]:
        return []
    # one problem a line; SQLite heads them with "*** in database main ***"
    return [line.strip() for row in found for line in row.splitlines() if line.strip() and not line.startswith("***")]


def require_sound_database(layout: DataLayout, conn: sqlite3.Connection, *, thorough: bool = False) -> None:
    """DatabaseDamagedError (naming the database and what to do) unless `database_problems` is empty."""
    problems = database_problems(conn, thorough=thorough)
    if problems:
        more = f"; {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
        raise damaged_database_error(layout.db_path, f"{problems[0][:200]}{more}")


def remove_orphans(layout: DataLayout, conn: sqlite3.Connection, *, min_age_s: float = ORPHAN_MIN_AGE_S) -> list[Path]:
    """Delete orphan files older than `min_age_s` (young ones may belong to a capture in progress);
    nothing while the database reports damage (DatabaseDamagedError)."""
    now = time.time()
    removed = []
    candidates = [path for path in orphan_files(layout, conn) if _old_enough(path, now, min_age_s)]
    if candidates:
        require_sound_database(layout, conn, thorough=True)
    for path in candidates:
        if remove_file(path):
            removed.append(path)
    if removed:
        log.info("removed %d unrecorded file(s) left by a crash", len(removed))
    return removed


def _old_enough(path: Path, now: float, min_age_s: float) -> bool:
    try:
        return now - path.stat().st_mtime >= min_age_s
    except OSError:
        return False


def quarantine_orphans(
    layout: DataLayout,
    conn: sqlite3.Connection,
    *,
    min_age_s: float = ORPHAN_MIN_AGE_S,
    now: float | None = None,
    files: list[Path] | None = None,
) -> list[tuple[Path, Path]]:
    """Move orphan files older than `min_age_s` to `recovered/` (same relative path); never delete.

    A name already taken there gets a numeric suffix. Files that cannot be moved stay where
    they are (logged); the next start tries again. Nothing is moved while the database reports
    damage (`PRAGMA integrity_check`): DatabaseDamagedError instead.
    """
    now = time.time() if now is None else now
    moved: list[tuple[Path, Path]] = []
    candidates = [path for path in orphan_files(layout, conn, files) if _old_enough(path, now, min_age_s)]
    if candidates:
        # A damaged database can return too few rows without an error: a recorded photo would
        # then look unrecorded and be moved. Checked only when something is to move (a crash
        # left a file behind), so the normal start pays nothing; thoroughly then (indexes'
        # contents too), as that is rare.
        require_sound_database(layout, conn, thorough=True)
    for path in candidates:
        target = layout.root / RECOVERED_DIR / path.relative_to(layout.root)
        n = 1
        while target.exists():
            target = target.with_name(f"{path.stem}.{n}{path.suffix}")
            n += 1
        try:
            # the folders it makes are flushed into their parents: the file moves out of photos/
            ensure_private_dir(target.parent)
            replace_file(path, target)
            fsync_dir(path.parent)
            fsync_dir(target.parent)
        except StorageError as exc:
            log.warning("could not move an unrecorded file to %s: %s", RECOVERED_DIR, exc)
            continue
        except OSError as exc:
            log.warning("could not move an unrecorded file to %s: %s", RECOVERED_DIR, exc.strerror or exc)
            continue
        moved.append((path, target))
    if moved:
        log.info("moved %d unrecorded file(s) left by a crash to %s/", len(moved), RECOVERED_DIR)
    return moved
