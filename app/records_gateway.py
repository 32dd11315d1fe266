"""What the GUI needs from the records store, as a Protocol and plain dataclasses (no Qt).

`StoreGateway` adapts `app.records.store.Store`; tests of headless logic use an in-memory
one (`tests/doubles.py`). Keeping the GUI on this narrow interface means a change in the store's
API touches one adapter, not every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.records.patient_identity import alike

DISCARD_REASON = "discarded at resumption"  # the Discard button of the unfinished-assessment bar
EMPTY_DRAFT_REASON = "left before any photo was taken"


@dataclass(frozen=True)
class PatientInfo:
    """A patient as the GUI edits it."""

    patient_id: str
    name: str = ""
    birth_date: str = ""
    sex: str = ""
    affected_side: str = "unknown"
    notes: str = ""


@dataclass
class AssessmentInfo:
    """An assessment with its captures (expression -> photo path) and stored result."""

    assessment_id: int
    patient_id: str
    status: str  # draft / analysed / confirmed
    created: str
    model_grade: str | None = None
    measured_grade: str | None = None
    confirmed_grade: str | None = None
    clinician: str = ""
    notes: str = ""
    result: dict = field(default_factory=dict)
    captures: dict[str, str] = field(default_factory=dict)
    updated: str = ""  # when the record last changed (a report checks it was not confirmed again meanwhile)
    captured_at: dict[str, str] = field(default_factory=dict)  # expression -> when its photo was taken (UTC)


@dataclass(frozen=True)
class AuditEntry:
    who: str
    when: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class RecordChange:
    """One audited change: to a patient (`entity_id` its ID) or to an assessment (its number)."""

    entity: str
    entity_id: str
    field: str


class RecordsGateway(Protocol):
    """The store as the GUI uses it."""

    folder: Path

    def search_patients(self, text: str, limit: int | None = None) -> list[PatientInfo]:
        """Patients whose ID or name starts with `text`, then (`text` 3 or more digits alone) those
        whose ID holds it, at most `limit` (None: the store's cap)."""
        ...

    def get_patient(self, patient_id: str) -> PatientInfo: ...

    def save_patient(self, info: PatientInfo, is_new: bool) -> PatientInfo: ...

    def start_assessment(self, patient_id: str) -> int: ...

    def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> Any: ...

    def withdraw_capture(self, assessment_id: int, expression: str) -> bool:
        """Take a rejected photo off the record (row, audited, then file); False when none was stored."""
        ...

    def load_photo(self, assessment_id: int, expression: str) -> np.ndarray: ...

    def capture_qualities(self, assessment_id: int) -> dict[str, dict]:
        """The quality record stored with each photo at capture, by expression."""
        ...

    def assessment(self, assessment_id: int) -> AssessmentInfo: ...

    def unfinished(self, patient_id: str | None = None) -> list[AssessmentInfo]:
        """Drafts, oldest first: all of them, or only `patient_id`'s (the Resume question asks
        for one patient's alone; reading every draft of the clinic for it grew with the years)."""
        ...

    def offered_draft(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        """The draft the patients page's bar offers (`offer_order`'s first) and how many other
        drafts there are, `exclude` (the one being analysed) left out of both: the bar reads
        these alone, not every draft of the clinic with its photos."""
        ...

    def offered_review(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        """The analysed visit whose grade awaits confirmation that the patients page offers (the
        newest analysed, its photos not listed) and how many others await one, `exclude` (the
        visit on screen) left out of both."""
        ...

    def last_visit(self, patient_id: str) -> AssessmentInfo | None:
        """The patient's newest analysed or confirmed visit (by when it began), photos not
        listed; None when they have none."""
        ...

    def newest_visit_time(self) -> str | None:
        """The latest time any visit was begun or changed, as stored (UTC), or None without any:
        a new start stamped before it means this computer's clock went back."""
        ...

    def recovered_files(self) -> list[Path]:
        """Unrecorded photos a crash left behind, moved aside when the store opened."""
        ...

    def discard(self, assessment_id: int, reason: str = DISCARD_REASON) -> None: ...

    def withdraw(self, assessment_id: int, reason: str) -> None:
        """Mark an analysed or confirmed visit entered in error (`Store.withdraw_assessment`)."""
        ...

    def withdrawn_count(self, patient_id: str) -> int:
        """How many of the patient's visits were marked entered in error (not drafts discarded)."""
        ...

    def begun_elsewhere(self, assessment_id: int) -> bool:
        """Whether the assessment was begun at another station (an import copied it): an
        unfinished one is not resumed here (`Store.begun_elsewhere`)."""
        ...

    def same_person_candidates(self, info: PatientInfo) -> list[str]:
        """The IDs of other patients with `info`'s name and date of birth (none when it has no date)."""
        ...

    def record_results(self, assessment_id: int, model_grade: str, measured_grade: str | None, result: dict) -> None: ...

    def confirm(self, assessment_id: int, grade: str, clinician: str, notes: str) -> None: ...

    def history(self, patient_id: str, photos: bool = True) -> list[AssessmentInfo]:
        """The patient's visits, oldest first, not those discarded; with `photos` False, their
        captures left empty: the history page and a report's grade history read grades and
        results alone, and listing a 500-visit patient's 3,000 photos took four fifths of the
        read (30 of 38 ms on the GUI thread)."""
        ...

    def graded_visits(self, patient_id: str) -> list[AssessmentInfo]:
        """The patient's visits given a confirmed grade, those marked entered in error since
        included, without results or photos: which of them a saved report's grade history
        printed (`app.export.changed_since`)."""
        ...

    def changes_since_report(self, assessment_id: int, patient_id: str) -> list[RecordChange]:
        """The audited changes to the patient and to its visits made after the newest report of
        `assessment_id` was stored; none when it has no report."""
        ...

    def audit(self, assessment_id: int) -> list[AuditEntry]: ...

    def report_path(self, assessment_id: int) -> Path: ...

    def saved_reports(self, assessment_id: int) -> list[tuple[str, Path]]:
        """(when it was saved, where it is) for each stored report of the assessment, oldest first."""
        ...

    def close(self) -> None: ...


def same_person_ids(info: PatientInfo, found: Iterable[PatientInfo]) -> list[str]:
    """The IDs among `found` of patients with `info`'s date of birth and name as the store
    compares names (`patient_identity.name_key`: case, accents and spacing aside), `info`'s own
    ID excepted: perhaps the same person under another ID, as `Store.same_person_candidates`
    finds them in the database (the tests' in-memory records find them here). None when the date of birth is blank."""
    return alike(info.patient_id, info.name, info.birth_date, ((p.patient_id, p.name, p.birth_date) for p in found))


def offer_order(draft: AssessmentInfo) -> tuple[bool, str]:
    """Sort key of the draft to offer for resumption, the greatest first: the newest with
    photos (one left before its first photo hid a real one). `Store.offered_draft` orders the
    same in SQL."""
    return bool(draft.captures), draft.created
