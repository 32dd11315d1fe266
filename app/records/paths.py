"""Where patient data live: the platform's application-data folder, or `PALSY_HOME`.

Folders are created with user-only permissions (0o700), files with 0o600: the data are
medical records. Layout under the data folder:

    palsy.db (+ -wal, -shm)     SQLite database
    photos/NNNNNN/...           captured photos, one folder per assessment
    reports/NNNNNN/...          PDF reports, one folder per assessment
"""

from __future__ import annotations

import logging
import os
import posixpath
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from app.records.errors import (
    StorageError,
    file_in_the_way,
    not_a_folder_message,
    storage_error_from_os,
)
from models.atomic_files import fsync_dir

log = logging.getLogger("palsy.records")
APP_FOLDER = "PalsyGrader"
ENV_VAR = "PALSY_HOME"
DIR_MODE = 0o700
FILE_MODE = 0o600
DB_NAME = "palsy.db"


def default_data_dir() -> Path:
    """The data folder: `PALSY_HOME` when set, else the platform's application-data location.
    A relative PALSY_HOME is refused, as a relative HOME is: it was read from whatever folder
    the program started in, so a desktop launcher and a terminal kept two sets of records."""
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        folder = Path(override).expanduser()
        if not folder.is_absolute():
            raise StorageError(f"{ENV_VAR} is {override!r}, not a full path: it would name another folder for "
                               f"each folder Palsy Grader is started from. Set {ENV_VAR} to the data folder's "
                               "full path.")
        return folder
    home = home_folder()
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
        return Path(base) / APP_FOLDER if base else home / "AppData" / "Local" / APP_FOLDER
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP_FOLDER
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else home / ".local" / "share") / APP_FOLDER.lower()


def home_folder() -> Path:
    """The user's home folder, an empty HOME counted as unset (the account's own home, as with
    no HOME at all): `HOME=''` put the data folder at /.local/share/palsygrader. StorageError
    saying what to set when there is none."""
    if os.name == "posix" and "HOME" in os.environ and not os.environ["HOME"].strip():
        try:
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError, OSError):
            home = ""
    else:
        try:
            home = str(Path.home())
        except RuntimeError:  # no HOME and no account entry
            home = ""
    if not home:
        raise StorageError(f"cannot tell where the data folder goes: HOME is empty or unset and this account has no "
                           f"home folder. Set {ENV_VAR} to the data folder (or HOME to the user's home folder).")
    if not Path(home).is_absolute():
        raise StorageError(f"cannot tell where the data folder goes: the home folder {home!r} is not a full path. "
                           f"Set {ENV_VAR} to the data folder (or HOME to the user's home folder, a full path).")
    return Path(home)


def ensure_private_dir(path: Path, *, inside: Path | None = None) -> Path:
    """Create `path` (and parents) if needed and make it user-only (0o700); StorageError if not possible.

    A folder this call makes is flushed into its parent's entry list (`fsync_dir` of the parent)
    before it returns: a row naming a file in it (an assessment's first photo or report) commits
    next, and on a file system that does not order a mkdir before later writes a power cut could
    otherwise lose the whole folder under a committed row. A folder already there costs nothing.

    `inside`: a folder that must already exist (the data folder): when it has gone (moved or
    deleted while the program runs) nothing is created, so a photo never lands in a silently
    re-created folder tree without its database."""
    if inside is not None and not inside.is_dir():
        raise StorageError(data_folder_gone(inside))
    try:
        missing = _missing_folders(path)
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if os.name == "posix" and (path.stat().st_mode & 0o777) != DIR_MODE:
            os.chmod(path, DIR_MODE)
        for made in reversed(missing):  # the outermost first
            _flush_entry(made)
    except OSError as exc:
        raise storage_error_from_os(exc, "create the folder", path) from exc
    return path


def _missing_folders(path: Path) -> list[Path]:
    """`path` and the folders above it that are not there yet, innermost first."""
    missing = []
    for place in (path, *path.parents):
        if os.path.lexists(place):
            break
        missing.append(place)
    return missing


def _flush_entry(folder: Path) -> None:
    """Flush the entry of the new `folder` in its parent (`fsync_dir`). Best effort: the folder
    is there and usable either way (a parent this user may write into but not read cannot even be
    opened), and each file written into it is flushed and read back on its own."""
    try:
        fsync_dir(folder.parent)
    except OSError as exc:
        log.warning("could not flush the new folder %s into %s: %s", folder.name, folder.parent, exc.strerror or exc)


def is_inside(folder: Path, path: Path) -> bool:
    """Whether `path` is `folder` or lies inside it (both resolved). Decided by the folders'
    identity as well as their spelling: on macOS's case- and accent-insensitive disks
    `~/library/application support/palsygrader/bak` is inside `~/Library/Application
    Support/PalsyGrader`, and a spelling comparison let a backup or a report copy in there."""
    if path == folder or folder in path.parents:
        return True
    try:
        held = os.stat(folder)
    except OSError:
        return False
    if not held.st_ino:  # a drive that numbers no file (sshfs-win, WebDAV): every folder looked alike
        return False
    for place in (path, *path.parents):
        try:
            seen = os.stat(place)
        except OSError:  # not there (yet): its parents decide
            continue
        if (seen.st_dev, seen.st_ino) == (held.st_dev, held.st_ino):
            return True
    return False


def data_folder_gone(root: Path) -> str:
    """The message for a data folder that was moved or deleted while the program had it open."""
    return (f"the data folder {root} was moved or deleted while Palsy Grader had it open; nothing "
            "more was saved. Put the folder back (or choose it in Settings) and restart Palsy Grader.")


def ensure_private_file(path: Path) -> Path:
    """Create an empty file with mode 0o600 if it is missing; tighten its mode if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
        os.close(fd)
        if os.name == "posix" and (path.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(path, FILE_MODE)
    except OSError as exc:
        raise storage_error_from_os(exc, "write" if path.exists() else "create", path) from exc
    return path


def create_private_file(path: Path) -> bool:
    """Like `ensure_private_file`; True when this call created `path` (it did not exist before)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        ensure_private_file(path)
        return False
    except OSError as exc:
        if path.exists():  # read-only media may answer EROFS before EEXIST
            raise storage_error_from_os(exc, "write", path) from exc
        raise storage_error_from_os(exc, "create", path) from exc
    os.close(fd)
    ensure_private_file(path)  # the umask may have narrowed the mode further: set it exactly
    return True


@dataclass(frozen=True)
class DataLayout:
    """Absolute paths of one data folder."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def photos_dir(self) -> Path:
        return self.root / "photos"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @classmethod
    def locate(cls, folder: Path | str | None = None) -> DataLayout:
        """The layout of `folder` (default: `default_data_dir()`); nothing is created.
        StorageError when a file stands where the folder (or one above it) should be: "there is
        no data folder X" beside a file X sent the user looking for a folder."""
        root = Path(folder).expanduser() if folder is not None else default_data_dir()
        blocker = file_in_the_way(root)
        if blocker is not None:
            raise StorageError(not_a_folder_message(root, blocker, "data folder"))
        return cls(root.resolve())

    @classmethod
    def create(cls, folder: Path | str | None = None) -> DataLayout:
        """The layout of `folder` (default: `default_data_dir()`), with its folders created privately."""
        layout = cls.locate(folder)
        for path in (layout.root, layout.photos_dir, layout.reports_dir):
            ensure_private_dir(path)
        return layout

    def resolve(self, relative: str) -> Path:
        """Absolute path of a file name stored in the database (always relative, '/'-separated)."""
        path = (self.root / relative).resolve()
        if self.root not in path.parents:
            raise StorageError(
                f"the database names a file outside the data folder ({relative!r}); "
                "the database may have been tampered with."
            )
        return path

    def resolver(self) -> NameResolver:
        """A `resolve` for many stored names in a row (a backup, the check of every file)."""
        return NameResolver(self)


def may_leave_the_folder(name: str) -> bool:
    """Whether a normalised stored file name could point outside the data folder: absolute,
    leading '..', the folder itself, or a Windows drive or backslash (never in names the store
    writes)."""
    return posixpath.isabs(name) or name in (".", "..") or name.startswith("../") or "\\" in name or ":" in name


class NameResolver:
    """`DataLayout.resolve` of many stored names, each the same path or the same StorageError,
    without a realpath per name: `resolve` checks every folder of the path for a link, one
    lstat per folder per name (6 realpaths per photo made a backup of 144,000 photos spend
    about 90 s on them). Here a name the store writes ('photos/000001/...png') is joined as
    text once its folders are known to be plain folders (looked at once each, then
    remembered) and the file itself is a plain file, no link (its folder's listing says, read
    once for the names of one folder; a name not listed there is looked at alone). A name
    with a link on its way, a '..', or one that could leave the folder otherwise
    (`may_leave_the_folder`) is resolved as before, and refused when it leads out."""

    def __init__(self, layout: DataLayout) -> None:
        self.layout = layout
        self._root = os.fspath(layout.root)
        # the shortcut holds only for a root that is its own real path, as `resolve` compares
        self._exact = os.path.realpath(self._root) == self._root
        self._plain: set[str] = set()  # folders (relative, '/'-separated) seen to be folders, not links
        self._files: dict[str, set[str]] = {}  # a few folders' plain files (not links), by folder

    def __call__(self, name: str) -> Path:
        relative = posixpath.normpath(name)
        if not self._exact or may_leave_the_folder(relative) or ".." in name.split("/"):
            return self.layout.resolve(name)
        parts = relative.split("/")
        folder = ""
        for part in parts[:-1]:
            folder = f"{folder}/{part}" if folder else part
            if folder in self._plain:
                continue
            kind = _kind(os.path.join(self._root, folder))
            if kind == "link":
                return self.layout.resolve(name)
            if kind == "folder":
                self._plain.add(folder)
        path = os.path.join(self._root, *parts)
        if parts[-1] not in self._plain_files(folder) and _kind(path) == "link":
            return self.layout.resolve(name)
        return Path(path)

    def _plain_files(self, folder: str) -> set[str]:
        """The names of the plain files (no links, no folders) in `folder` (relative; a folder
        seen to be plain), read once while the names of that folder come in a row; empty for
        the data folder itself or a folder that is not there or cannot be read."""
        files = self._files.get(folder)
        if files is None:
            files = set()
            if folder in self._plain:
                try:
                    with os.scandir(os.path.join(self._root, folder)) as entries:
                        files = {e.name for e in entries if e.is_file(follow_symlinks=False)}
                except OSError:
                    pass
            if len(self._files) >= _LISTED_FOLDERS:
                del self._files[next(iter(self._files))]  # the oldest: names come folder by folder
            self._files[folder] = files
        return files


# How many folders' listings `NameResolver` keeps (the names of one visit's folder mostly come
# in a row; the listings of every folder would hold every file's name at once).
_LISTED_FOLDERS = 32


_JUNCTION = getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", -1)  # Windows only


def _kind(path: str) -> str:
    """'link' (a symbolic link, or a Windows junction: `resolve` follows both), 'folder', or
    'other' (a file, or nothing there: `resolve` keeps a missing part as it is spelled)."""
    try:
        found = os.lstat(path)
    except (OSError, ValueError):
        return "other"
    if stat.S_ISLNK(found.st_mode) or getattr(found, "st_reparse_tag", 0) == _JUNCTION:
        return "link"
    return "folder" if stat.S_ISDIR(found.st_mode) else "other"
