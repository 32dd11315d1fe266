"""Unconfirmed review forms kept in the data folder (no Qt): the grade ticked, the clinician and
the notes typed on the results page survive a crash, a power cut or a session end as the photos
do, and come back when the analysed visit is opened again.

One owner-only JSON file per assessment, `review_drafts/NNNNNN.json` in the data folder (never
elsewhere: a form is not shown over another folder's visits), written atomically
(`app.records.files.atomic_write`). The folder is neither the staging folder `tmp/` nor under
`photos/` or `reports/`, which crash recovery sweeps for unrecorded files. Each file names its
visit (patient and start time): a database restored or replaced reuses assessment numbers, and
another patient's visit of the same number must never show the form. A damaged, unreadable or
foreign file is ignored and logged (by number only: logs carry no names), never in the way of
opening the visit. Nothing here is audited or part of the record until Confirm stores it.
A form that cannot be written says why, in plain words (`Saved.reason`): the window's notice
that it is lost if Palsy Grader closes gives that reason.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.records.errors import ChecksumError, RecordNotFoundError, StorageError, failure_kind
from app.records.files import atomic_write, remove_file
from app.records.paths import ensure_private_dir
from app.records.recovery import abandoned_temp_files
from app.records.validate import MAX_TEXT_LEN
from models.errors import PalsyError
from models.labels import GRADES

log = logging.getLogger(__name__)

DRAFTS_DIR = "review_drafts"  # in the data folder
DRAFT_VERSION = 1
MAX_DRAFT_BYTES = 1 << 20  # far above a form the store would take (10,000 characters of notes)

# why a form was not kept, in the words of the window's notice ("... could not be kept in the
# data folder (REASON): it is lost if Palsy Grader closes"); no path, no name: logged as said
DISK_FULL = "the disk is full"
READ_ONLY = "the data folder is read-only or not writable by this user"
FOLDER_GONE = "the data folder was moved or deleted"
DISK_FAILING = "the file did not read back as written: the disk may be failing"
TOO_LONG = f"the notes are too long: shorten them to at most {MAX_TEXT_LEN:,} characters"  # as the store takes
VISIT_NOT_FOUND = "its visit is not in the database"
VISIT_UNREAD = "its visit could not be read from the database"


@dataclass(frozen=True)
class ReviewForm:
    """The review form as the clinician left it: the ticked grade (None: none), clinician, notes."""

    grade: str | None
    clinician: str
    notes: str


@dataclass(frozen=True)
class Saved:
    """What `ReviewDrafts.save` did: true when the form is kept, else false with the `reason`
    it was not, in plain words (`DISK_FULL`, `TOO_LONG`...)."""

    reason: str = ""

    def __bool__(self) -> bool:
        return not self.reason


def unwritten_reason(exc: StorageError | OSError, root: Path) -> str:
    """The plain reason a write into the data folder `root` failed: a full disk, a folder
    read-only or gone (`app.records.errors.failure_kind` of the OSError behind `exc`), a disk
    that returned other bytes, or the system's own words for anything else."""
    cause = exc if isinstance(exc, OSError) else exc.__cause__
    kind = failure_kind(cause) if isinstance(cause, OSError) else None
    if kind == "full":
        return DISK_FULL
    try:
        gone = not root.is_dir()
    except OSError:  # a share gone stale (EIO, ESTALE) or a parent made unreadable: not there to us
        gone = True
    if gone:
        return FOLDER_GONE
    if kind == "read-only":
        return READ_ONLY
    if isinstance(exc, ChecksumError):
        return DISK_FAILING
    if isinstance(cause, OSError) and cause.strerror:
        return f"the file could not be written: {cause.strerror}"
    return "the file could not be written"


def visit_key(patient_id: str, created: str) -> str:
    """Which visit a draft belongs to, beyond its number: its patient and when it began."""
    return f"{patient_id}\n{created}"


class ReviewDrafts:
    """The unconfirmed review forms of the data folder `folder`, by assessment number.

    `visit_of(assessment_id)` names the visit (`visit_key`; None or a PalsyError when it cannot
    be read): a draft is written with it and brought back only to the same visit."""

    def __init__(self, folder: Path, visit_of: Callable[[int], str | None]) -> None:
        self.root = Path(folder)
        self.folder = self.root / DRAFTS_DIR
        self._visit_of = visit_of
        self._visits: dict[int, str] = {}  # read once per assessment: it never changes

    def path(self, assessment_id: int) -> Path:
        return self.folder / f"{int(assessment_id):06d}.json"

    def _visit(self, assessment_id: int) -> str | None:
        return self._visit_or_why(assessment_id)[0]

    def _visit_or_why(self, assessment_id: int) -> tuple[str | None, str]:
        """(the visit, "") or (None, why it could not be read)."""
        if assessment_id not in self._visits:
            try:
                visit = self._visit_of(assessment_id)
            except RecordNotFoundError as exc:  # an older database restored, say
                log.warning("review draft of assessment %d: the visit could not be read: %s", assessment_id, exc)
                return None, VISIT_NOT_FOUND
            except (PalsyError, OSError, sqlite3.Error) as exc:  # a store closed or damaged meanwhile too
                log.warning("review draft of assessment %d: the visit could not be read: %s", assessment_id, exc)
                return None, VISIT_UNREAD
            if not visit:
                return None, VISIT_UNREAD
            self._visits[assessment_id] = visit
        return self._visits[assessment_id], ""

    def save(self, assessment_id: int, form: ReviewForm) -> Saved:
        """Keep `form` for the assessment (replacing the one kept). False (logged), with the
        reason in plain words, when it could not be written: the form stays on screen and in
        memory, only a crash would lose it."""
        visit, why = self._visit_or_why(assessment_id)
        if visit is None:
            return Saved(why)
        data = json.dumps({"version": DRAFT_VERSION, "assessment": int(assessment_id), "visit": visit,
                           "grade": form.grade, "clinician": form.clinician, "notes": form.notes},
                          ensure_ascii=False, indent=1).encode("utf-8")
        if len(data) > MAX_DRAFT_BYTES:
            log.warning("review draft of assessment %d not kept: %d bytes is too long", assessment_id, len(data))
            return Saved(TOO_LONG)
        try:
            ensure_private_dir(self.folder, inside=self.root)
            atomic_write(self.path(assessment_id), data)
        except (StorageError, OSError) as exc:
            log.warning("review draft of assessment %d not kept: %s", assessment_id, exc)
            return Saved(unwritten_reason(exc, self.root))
        return Saved()

    def load(self, assessment_id: int) -> ReviewForm | None:
        """The form kept for the assessment, or None: none kept, or one that cannot be used
        (damaged, unreadable, another visit's; logged and left where it is)."""
        path = self.path(assessment_id)
        try:
            if not path.is_file():
                return None
            if path.stat().st_size > MAX_DRAFT_BYTES:
                raise ValueError("too large")
            draft = json.loads(path.read_bytes().decode("utf-8"))
            form = _form_of(draft, assessment_id)
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            log.warning("review draft of assessment %d ignored: %s", assessment_id, exc)
            return None
        visit = self._visit(assessment_id)
        if visit is None or draft.get("visit") != visit:
            log.warning("review draft of assessment %d ignored: it was typed for another visit "
                        "(a database restored or replaced since?)", assessment_id)
            return None
        return form

    def remove_leftovers(self) -> int:
        """Remove the temporary files a write cut short by a crash left in the drafts' folder
        (crash recovery sweeps the records' folders only); how many were removed."""
        try:
            files = [path for path in self.folder.iterdir() if path.is_file()] if self.folder.is_dir() else []
        except OSError as exc:
            log.warning("review drafts' folder not read: %s", exc)
            return 0
        return sum(remove_file(path) for path in abandoned_temp_files(files, time.time()))

    def kept_for(self, assessment_id: int, visit: str) -> bool:
        """Whether the form kept for the assessment was typed for `visit` (`visit_key`); True
        when none is kept or its file cannot be read (nothing to tell: left as it is)."""
        try:
            draft = json.loads(self.path(assessment_id).read_bytes().decode("utf-8"))
        except (OSError, ValueError):
            return True
        return not isinstance(draft, dict) or draft.get("visit") in (None, visit)

    def remove_settled(self, awaits_review: Callable[[int], bool]) -> int:
        """Remove the forms of visits that no longer await review (`awaits_review(number)` False:
        confirmed or marked entered in error from another station or the command line while this
        one was closed), so typed notes do not linger beside the record; a visit that cannot be
        read now keeps its form. How many were removed."""
        try:
            numbers = [int(path.stem) for path in self.folder.glob("[0-9]*.json") if path.stem.isdigit()]
        except OSError as exc:
            log.warning("review drafts' folder not read: %s", exc)
            return 0
        removed = 0
        for number in sorted(numbers):
            try:
                settled = not awaits_review(number)
            except (PalsyError, OSError, sqlite3.Error) as exc:
                log.warning("review draft of assessment %d kept: the visit could not be read: %s", number, exc)
                continue
            removed += settled and self.remove(number)
        return removed

    def remove(self, assessment_id: int) -> bool:
        """Forget the form kept for the assessment (confirmed, discarded); False (logged) when
        its file could not be removed."""
        path = self.path(assessment_id)
        if not path.is_file() and not path.is_symlink():
            return True
        if remove_file(path):
            return True
        log.warning("review draft of assessment %d could not be removed", assessment_id)
        return False


def _form_of(draft: object, assessment_id: int) -> ReviewForm:
    """The form a draft file holds; ValueError when it is not one of ours for the assessment."""
    if not isinstance(draft, dict) or draft.get("version") != DRAFT_VERSION:
        raise ValueError("not a review draft of this version")
    if draft.get("assessment") != assessment_id:
        raise ValueError("it names another assessment")
    grade, clinician, notes = draft.get("grade"), draft.get("clinician"), draft.get("notes")
    if grade is not None and grade not in GRADES:
        raise ValueError("no House-Brackmann grade")
    if not isinstance(clinician, str) or not isinstance(notes, str):
        raise ValueError("the clinician or the notes are not text")
    return ReviewForm(grade, clinician, notes)
