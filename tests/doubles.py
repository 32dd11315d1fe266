"""Stand-ins the tests drive: records kept in memory and a progress that keeps every report.

They live with the tests, not in the product: nothing the clinic runs may persist nothing
or cancel on a count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from app.records.store_patients import is_digit_run
from app.records_gateway import (
    DISCARD_REASON,
    AssessmentInfo,
    AuditEntry,
    PatientInfo,
    RecordChange,
    offer_order,
    same_person_ids,
)
from models.errors import InputError


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

    def newest_visit_time(self) -> str | None:
        return max((t for a in self.assessments.values() for t in (a.created, a.updated) if t), default=None)

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

    def begun_elsewhere(self, assessment_id: int) -> bool:
        return False  # nothing is imported into the fake

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


class RecordingProgress:
    """Keeps every report; cancels after `cancel_after` reports (a stand-in the tests drive)."""

    def __init__(self, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[float, str]] = []
        self.cancel_after = cancel_after

    def report(self, fraction: float, message: str) -> None:
        self.reports.append((fraction, message))

    def cancelled(self) -> bool:
        return self.cancel_after is not None and len(self.reports) >= self.cancel_after
