"""One Palsy Grader window per data folder: a lock file, `palsy-gui.lock`, in the data folder.

Two windows on one folder each offered the other's capture in progress as an "unfinished
assessment", and one click on Discard there broke the other's next photo (audit F3). The GUI
takes this lock before it opens its data folder and holds it until it closes; a second
instance is refused with the holder's process and host (`FolderInUse`).

`QLockFile` (QtCore, no widgets) does the work on every platform: the file names the holder's
process ID, program and host; one left by a process that is gone (a crash, a power cut) is
taken over. The age rule is off (`setStaleLockTime(0)`): a window open all day keeps its lock.
Where such a leftover lock cannot be taken over because the folder is not writable (a window
closed after the folder became read-only could not remove its own), the start is refused with
`FolderNotWritable`, which says so, not with "already open" for a process that has exited.
A lock left by another computer (a data folder on a network drive) cannot be checked from
here and stays until that computer's Palsy Grader closes or someone deletes the file.

The command line (`palsy records ...`) takes no lock: the store is safe for several processes;
the lock is about one person's capture wizard and another's unfinished-assessment bar.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QSysInfo

from app.records.recovery import process_gone
from models.errors import PalsyError

log = logging.getLogger(__name__)

LOCK_NAME = "palsy-gui.lock"
# A lock file naming no process (empty or garbled) older than this is taken over.
UNREADABLE_LOCK_AGE_S = 60.0
# Windows cuts a longer computer name to this length in the NetBIOS name QLockFile records there.
NETBIOS_NAME_LENGTH = 15


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lock, as its file says."""

    pid: int
    host: str
    program: str = ""


class FolderInUse(PalsyError):  # noqa: N818 - the name says what the user is told
    """Another live Palsy Grader holds the data folder's lock; `holder` names it (None when its
    file could not be read)."""

    def __init__(self, folder: Path, holder: LockHolder | None) -> None:
        self.folder = folder
        self.holder = holder
        super().__init__(in_use_message(folder, holder))


def in_use_message(folder: Path, holder: LockHolder | None) -> str:
    """What the second instance says: who has the folder open and what to do."""
    who = f" (process {holder.pid} on {holder.host or 'an unknown computer'})" if holder else ""
    return (f"Palsy Grader is already open on this data folder{who}. Close it first, or choose another "
            f"data folder. If that Palsy Grader is no longer running (it was on another computer that "
            f"stopped), delete {Path(folder) / LOCK_NAME} and start again.")


class FolderNotWritable(PalsyError):  # noqa: N818 - the name says what the user is told
    """The lock file a closed Palsy Grader left in the data folder cannot be taken over: the
    folder is read-only or not writable for this account."""

    def __init__(self, folder: Path, holder: LockHolder) -> None:
        self.folder = folder
        self.holder = holder
        super().__init__(
            f"The data folder {folder} is read-only or not writable for this user account: the lock file "
            f"{LOCK_NAME} that a Palsy Grader which has closed (process {holder.pid}) left there cannot be "
            "removed. Have the folder made writable (check its permissions, or whether its drive is "
            "read-only or full) and start again, or choose another data folder."
        )


class InstanceLock:
    """The lock of one data folder. `acquire` takes it or raises FolderInUse; `release` (also
    safe when not held) gives it back and removes the file."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._lock = QLockFile(str(self.path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age

    @property
    def held(self) -> bool:
        return self._lock.isLocked()

    def acquire(self) -> bool:
        """Take the lock: True when held now; False when the file cannot be made at all (a
        read-only or missing folder: opening the store then names the problem). FolderInUse
        when another live process holds it; FolderNotWritable when the file names a process of
        this computer that has ended (Qt takes such a lock over wherever it can remove it)."""
        if self._lock.isLocked():
            return True
        if self._lock.tryLock(0):
            log.info("holding %s", self.path)
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            holder = self.holder()
            if holder is None and self._unreadable_and_old() and self._lock.removeStaleLockFile() and self._lock.tryLock(0):
                # An empty or garbled file names nobody Qt could check, so it never went stale
                # (a power cut just after the file was made): taken over once it is a minute old.
                log.warning("took over %s, which named no process", self.path)
                return True
            if holder is not None and _ended_on_this_computer(holder):
                raise FolderNotWritable(self.folder, holder)
            raise FolderInUse(self.folder, holder)
        log.warning("could not make the lock file %s (%s); another Palsy Grader on this folder would not be "
                    "noticed", self.path, self._lock.error().name)
        return False

    def _unreadable_and_old(self) -> bool:
        """The lock file exists, is over UNREADABLE_LOCK_AGE_S old, and names no holder (a
        writer in the middle of making it has it for milliseconds). A file dated more than
        UNREADABLE_LOCK_AGE_S in the future counts as old too: it was written while the clock
        was ahead, and waiting for it to age would lock the folder until that date."""
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return False
        return abs(age) > UNREADABLE_LOCK_AGE_S

    def holder(self) -> LockHolder | None:
        """Who the lock file names (None: no file, or not readable)."""
        return read_holder(self.path)

    def release(self) -> None:
        if self._lock.isLocked():
            self._lock.unlock()
            log.info("released %s", self.path)


def _ended_on_this_computer(holder: LockHolder) -> bool:
    """Whether `holder` was a process of this computer that is gone. Age counts for nothing (a
    window open for days keeps its lock); another computer's processes cannot be checked."""
    return same_computer(holder.host, QSysInfo.machineHostName()) and process_gone(holder.pid)


def same_computer(recorded: str, here: str) -> bool:
    """Whether the host name a lock file records is `here`, this computer's
    QSysInfo.machineHostName(). On Windows the two are written differently: QLockFile records
    the COMPUTERNAME variable (qtbase qlockfile.cpp, `machineName()`), the NetBIOS name, upper
    case and cut to 15 characters ("CLINIC-RECEPTIO"), while machineHostName() is the DNS host
    name ("Clinic-Reception-01"); elsewhere both are gethostname(), with or without a domain.
    So the first DNS labels are compared, ignoring case, and a 15-character label also matches
    a longer one it begins. An empty name matches nothing: it names no computer."""
    shorter, longer = sorted((name.split(".", 1)[0].casefold() for name in (recorded, here)), key=len)
    if not shorter:
        return False
    return shorter == longer or (len(shorter) == NETBIOS_NAME_LENGTH and longer.startswith(shorter))


def read_holder(path: Path) -> LockHolder | None:
    """The holder a lock file names, or None when there is none or it cannot be read."""
    info = QLockFile(str(path)).getLockInfo()  # (pid, host, program); (0, "", "") when unreadable
    try:
        pid, host, program = info
        pid = int(pid)
    except (TypeError, ValueError):
        return None
    return LockHolder(pid, str(host or ""), str(program or "")) if pid > 0 else None


def folder_in_use(folder: Path | str) -> FolderInUse | None:
    """FolderInUse (naming the holder) when another live Palsy Grader holds `folder` now, else
    None. Takes nothing: a free lock is taken and given back at once. For Settings' notice."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    probe = InstanceLock(folder)
    try:
        probe.acquire()
    except FolderInUse as exc:
        return exc
    except FolderNotWritable:
        return None  # nobody has it open; its next start says the folder is read-only
    finally:
        probe.release()
    return None
