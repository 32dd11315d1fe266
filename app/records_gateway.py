"""What the GUI needs from the records store, as a Protocol and plain dataclasses (no Qt).

`StoreGateway` adapts `app.records.store.Store`; tests of headless logic may use
`MemoryRecords`. Keeping the GUI on this narrow interface means a change in the store's
API touches one adapter, not every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.records.patient_identity import alike
from app.records.store_patients import is_digit_run
from models.errors import InputError

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
    finds them in the database (`MemoryRecords` finds them here). None when the date of birth is blank."""
    return alike(info.patient_id, info.name, info.birth_date, ((p.patient_id, p.name, p.birth_date) for p in found))


def offer_order(draft: AssessmentInfo) -> tuple[bool, str]:
    """Sort key of the draft to offer for resumption, the greatest first: the newest with
    photos (one left before its first photo hid a real one). `Store.offered_draft` orders the
    same in SQL."""
    return bool(draft.captures), draft.created


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class MemoryRecords:
    """In-memory gateway for tests of headless logic (nothing is persisted)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder or ".")
        self.patients: dict[str, PatientInfo] = {}
        self.assessments: dict[int, AssessmentInfo] = {}
        self.photos: dict[tuple[int, str], np.ndarray] = {}
        self.qualities: dict[tuple[int, str], dict] = {}
        self.audits: dict[int, list[AuditEntry]] = {}
        self.withdrawn: set[int] = set()  # marked entered in error

    def search_patients(self, text: str, limit: int | None = None) -> list[PatientInfo]:
        text = text.strip().lower()
        found = [p for p in self.patients.values() if p.patient_id.lower().startswith(text) or p.name.lower().startswith(text)]
        if is_digit_run(text):  # the store's rule: the number off a wristband, without its 'MRN-'
            found += sorted((p for p in self.patients.values() if text in p.patient_id and p not in found),
                            key=lambda p: p.patient_id)
        return found if limit is None else found[:limit]

    def get_patient(self, patient_id: str) -> PatientInfo:
        try:
            return self.patients[patient_id]
        except KeyError:
            raise InputError(f"no patient {patient_id!r}") from None

    def save_patient(self, info: PatientInfo, is_new: bool) -> PatientInfo:
        if is_new and info.patient_id in self.patients:
            raise InputError(f"patient ID {info.patient_id!r} already exists; choose another ID")
        self.patients[info.patient_id] = info
        return info

    def start_assessment(self, patient_id: str) -> int:
        self.get_patient(patient_id)
        new_id = len(self.assessments) + 1
        self.assessments[new_id] = AssessmentInfo(new_id, patient_id, "draft", _now())
        return new_id

    def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> Any:
        self.photos[(assessment_id, expression)] = np.array(rgb)
        self.qualities[(assessment_id, expression)] = dict(quality)
        self.assessments[assessment_id].captures[expression] = f"memory:{assessment_id}/{expression}"
        self.assessments[assessment_id].captured_at[expression] = _now()
        return expression

    def withdraw_capture(self, assessment_id: int, expression: str) -> bool:
        self.qualities.pop((assessment_id, expression), None)
        self.assessments[assessment_id].captures.pop(expression, None)
        self.assessments[assessment_id].captured_at.pop(expression, None)
        return self.photos.pop((assessment_id, expression), None) is not None

    def load_photo(self, assessment_id: int, expression: str) -> np.ndarray:
        return self.photos[(assessment_id, expression)]

    def capture_qualities(self, assessment_id: int) -> dict[str, dict]:
        return {e: dict(q) for (aid, e), q in self.qualities.items() if aid == assessment_id}

    def assessment(self, assessment_id: int) -> AssessmentInfo:
        return self.assessments[assessment_id]

    def unfinished(self, patient_id: str | None = None) -> list[AssessmentInfo]:
        return [a for a in self.assessments.values()
                if a.status == "draft" and patient_id in (None, a.patient_id)]

    def offered_draft(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        drafts = [a for a in self.unfinished() if a.assessment_id != exclude]
        return (max(drafts, key=offer_order), len(drafts) - 1) if drafts else (None, 0)

    def offered_review(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        waiting = [a for a in self.assessments.values() if a.status == "analysed" and a.assessment_id != exclude]
        newest = max(waiting, key=lambda a: (a.updated, a.assessment_id), default=None)
        return newest, max(len(waiting) - 1, 0)

    def last_visit(self, patient_id: str) -> AssessmentInfo | None:
        visits = [a for a in self.history(patient_id, photos=False) if a.status in ("analysed", "confirmed")]
        return max(visits, key=lambda a: (a.created, a.assessment_id), default=None)

    def recovered_files(self) -> list[Path]:
        return []

    def discard(self, assessment_id: int, reason: str = DISCARD_REASON) -> None:
        self.assessments[assessment_id].status = "discarded"

    def withdraw(self, assessment_id: int, reason: str) -> None:
        if not reason.strip() or self.assessments[assessment_id].status not in ("analysed", "confirmed"):
            raise InputError("only an analysed or confirmed visit is marked entered in error, with a reason.")
        self.assessments[assessment_id].status = "discarded"
        self.assessments[assessment_id].updated = _now()
        self.withdrawn.add(assessment_id)

    def withdrawn_count(self, patient_id: str) -> int:
        return sum(self.assessments[a].patient_id == patient_id for a in self.withdrawn)

    def same_person_candidates(self, info: PatientInfo) -> list[str]:
        return same_person_ids(info, self.patients.values())

    def record_results(self, assessment_id: int, model_grade: str, measured_grade: str | None, result: dict) -> None:
        a = self.assessments[assessment_id]
        a.model_grade, a.measured_grade, a.result, a.status = model_grade, measured_grade, result, "analysed"
        a.updated = _now()  # when it was analysed: the patients page offers the newest for review

    def confirm(self, assessment_id: int, grade: str, clinician: str, notes: str) -> None:
        a = self.assessments[assessment_id]
        self.audits.setdefault(assessment_id, []).append(AuditEntry(clinician, _now(), "confirmed_grade", a.confirmed_grade, grade))
        self.assessments[assessment_id] = replace(a, confirmed_grade=grade, clinician=clinician, notes=notes,
                                                  status="confirmed", updated=_now())

    def history(self, patient_id: str, photos: bool = True) -> list[AssessmentInfo]:
        visits = [a for a in self.assessments.values() if a.patient_id == patient_id and a.status != "discarded"]
        return visits if photos else [replace(a, captures={}, captured_at={}) for a in visits]

    def graded_visits(self, patient_id: str) -> list[AssessmentInfo]:
        return [replace(a, result={}, captures={}, captured_at={}) for a in self.assessments.values()
                if a.patient_id == patient_id and a.confirmed_grade]

    def changes_since_report(self, assessment_id: int, patient_id: str) -> list[RecordChange]:
        return []  # reports are kept by the records store only

    def audit(self, assessment_id: int) -> list[AuditEntry]:
        return list(self.audits.get(assessment_id, []))

    def report_path(self, assessment_id: int) -> Path:
        return self.folder / f"report_{assessment_id}.pdf"

    def saved_reports(self, assessment_id: int) -> list[tuple[str, Path]]:
        return []  # reports are kept by the records store only

    def close(self) -> None:
        pass
