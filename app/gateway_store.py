"""`RecordsGateway` over the SQLite records store (`app.records.Store`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from app.records import Store
from app.records.export_format import IMPORTED_MARK
from app.records.rows import Assessment, Capture
from app.records_gateway import (
    DISCARD_REASON,
    AssessmentInfo,
    AuditEntry,
    PatientInfo,
    RecordChange,
)

if TYPE_CHECKING:
    from app.instance_lock import InstanceLock

_SIDE_UNKNOWN = "unknown"


def _patient_info(p: Any) -> PatientInfo:
    return PatientInfo(p.patient_id, p.name or "", p.birth_date or "", p.sex or "", p.affected_side or _SIDE_UNKNOWN, p.notes or "")


class StoreGateway:
    """The GUI's view of the store. `actor` names who makes changes in the audit trail; `lock`,
    the data folder's instance lock the GUI holds (`app.instance_lock`), is released by close()."""

    def __init__(self, store: Store, actor: str = "gui", lock: InstanceLock | None = None) -> None:
        self.store = store
        self.actor = actor
        self.folder = Path(store.root)
        self.lock = lock

    # patients
    def search_patients(self, text: str, limit: int | None = None) -> list[PatientInfo]:
        """Up to `limit` patients (None: the store's SEARCH_LIMIT) whose ID or name starts with `text`,
        or whose ID holds it when it is 3 or more digits alone (`Store.search_patients`)."""
        found = self.store.search_patients(text) if limit is None else self.store.search_patients(text, limit=limit)
        return [_patient_info(p) for p in found]

    def get_patient(self, patient_id: str) -> PatientInfo:
        return _patient_info(self.store.get_patient(patient_id))

    def save_patient(self, info: PatientInfo, is_new: bool) -> PatientInfo:
        side = None if info.affected_side == _SIDE_UNKNOWN else info.affected_side
        fields = {"name": info.name, "birth_date": info.birth_date or None, "sex": info.sex or None,
                  "affected_side": side, "notes": info.notes}
        if is_new:
            return _patient_info(self.store.create_patient(info.patient_id, actor=self.actor, **fields))
        return _patient_info(self.store.update_patient(info.patient_id, actor=self.actor, **fields))

    # assessments
    def start_assessment(self, patient_id: str) -> int:
        return self.store.start_assessment(patient_id, actor=self.actor).id

    def save_capture(self, assessment_id: int, expression: str, rgb: np.ndarray, quality: dict) -> Any:
        return self.store.save_capture(assessment_id, expression, np.ascontiguousarray(rgb), quality, actor=self.actor)

    def withdraw_capture(self, assessment_id: int, expression: str) -> bool:
        """Take a rejected photo off the record (Retake), so a resumed draft does not bring it back."""
        return self.store.withdraw_capture(assessment_id, expression, actor=self.actor)

    def load_photo(self, assessment_id: int, expression: str) -> np.ndarray:
        return np.asarray(self.store.load_capture_image(assessment_id, expression))

    def capture_qualities(self, assessment_id: int) -> dict[str, dict]:
        """The quality checks stored with each photo at capture (expression -> quality record)."""
        return {c.expression: dict(c.quality or {}) for c in self.store.captures(assessment_id)}

    def _info(self, a: Assessment, stored: Sequence[Capture], photo_path: Callable[[Capture], Path]) -> AssessmentInfo:
        captures = {c.expression: str(photo_path(c)) for c in stored}
        return AssessmentInfo(a.id, a.patient_id, a.status, a.created_at, a.model_grade, a.measured_grade,
                              a.confirmed_grade, a.clinician or "", a.notes or "", a.result or {}, captures,
                              a.updated_at, {c.expression: c.captured_at for c in stored})

    def _listed_path(self, capture: Capture) -> Path:
        """Where a listed visit's photo lies, by its stored name alone: a history or the drafts'
        bar only names and counts the photos, and a realpath for each one (7 lstat calls, a
        round trip each on a network share) took 1.1 s for 500 visits. Not to open: a photo is
        read through `load_photo` (or `assessment`), whose path the store resolves and refuses
        when it leads out of the data folder."""
        return self.folder / capture.file_name

    def assessment(self, assessment_id: int) -> AssessmentInfo:
        """One visit, its photos' paths resolved (a report opens them) and checked to lie in the data folder."""
        a = self.store.get_assessment(assessment_id)
        return self._info(a, self.store.captures(a.id), self.store.capture_path)

    def unfinished(self, patient_id: str | None = None) -> list[AssessmentInfo]:
        """The drafts, oldest first; only `patient_id`'s when given (the Resume question)."""
        drafts = self.store.unfinished_assessments(patient_id)  # newest first
        return [self._info(d.assessment, d.captures, self._listed_path) for d in reversed(drafts)]

    def offered_draft(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        """The patients page's offered draft, its photos listed by name, and the number of others."""
        draft, others = self.store.offered_draft(exclude)
        return (None if draft is None else self._info(draft.assessment, draft.captures, self._listed_path)), others

    def offered_review(self, exclude: int | None = None) -> tuple[AssessmentInfo | None, int]:
        """The patients page's visit awaiting confirmation (photos not listed) and the number of others."""
        visit, others = self.store.offered_review(exclude)
        return (None if visit is None else self._info(visit, (), self._listed_path)), others

    def last_visit(self, patient_id: str) -> AssessmentInfo | None:
        """The patient's newest analysed or confirmed visit, photos not listed."""
        visit = self.store.last_visit(patient_id)
        return None if visit is None else self._info(visit, (), self._listed_path)

    def newest_visit_time(self) -> str | None:
        return self.store.newest_visit_time()

    def recovered_files(self) -> list[Path]:
        report = self.store.recovery
        return [target for _, target in report.recovered_orphans] if report else []

    def discard(self, assessment_id: int, reason: str = DISCARD_REASON) -> None:
        self.store.discard_assessment(assessment_id, actor=self.actor, reason=reason)

    def withdraw(self, assessment_id: int, reason: str) -> None:
        self.store.withdraw_assessment(assessment_id, actor=self.actor, reason=reason)

    def withdrawn_count(self, patient_id: str) -> int:
        return self.store.withdrawn_count(patient_id)

    def begun_elsewhere(self, assessment_id: int) -> bool:
        return self.store.begun_elsewhere(assessment_id)

    def same_person_candidates(self, info: PatientInfo) -> list[str]:
        # every patient of that date of birth, compared in the store (a name search capped at
        # 1,000 matches stood in for it in the form)
        return self.store.same_person_candidates(info.name, info.birth_date or None, exclude_id=info.patient_id)

    def record_results(self, assessment_id: int, model_grade: str, measured_grade: str | None, result: dict) -> None:
        self.store.record_results(assessment_id, result, model_grade=model_grade, measured_grade=measured_grade)

    def confirm(self, assessment_id: int, grade: str, clinician: str, notes: str) -> None:
        self.store.confirm_grade(assessment_id, grade, clinician, notes)

    def history(self, patient_id: str, photos: bool = True) -> list[AssessmentInfo]:
        """The patient's visits, oldest first, their photos listed by name (`_listed_path`), or
        none when `photos` is False."""
        if not photos:
            return [self._info(a, (), self._listed_path) for a in self.store.history(patient_id)]
        return [self._info(a, stored, self._listed_path) for a, stored in self.store.history_with_captures(patient_id)]

    def graded_visits(self, patient_id: str) -> list[AssessmentInfo]:
        """The patient's visits with a confirmed grade (entered in error since too), in one query
        reading neither results nor photos: asked each time the results page offers a report."""
        rows = self.store.db.query(
            "SELECT a.id, a.status, a.created_at, a.updated_at, a.confirmed_grade FROM assessments a"
            " JOIN patients p ON p.id = a.patient_ref WHERE p.patient_id = ? AND a.confirmed_grade IS NOT NULL",
            (patient_id,))
        return [AssessmentInfo(r["id"], patient_id, r["status"], r["created_at"], confirmed_grade=r["confirmed_grade"],
                               updated=r["updated_at"]) for r in rows]

    def changes_since_report(self, assessment_id: int, patient_id: str) -> list[RecordChange]:
        """The patient's and its visits' audit entries after the newest report's, in the order of
        commits: a change in the report's own millisecond counts, and stations' clocks that differ
        do not matter. A report an import copied is judged by the times of the copied trail too:
        an import lists a patient's entries before those of its visits."""
        rows = self.store.db.query(
            "WITH report AS (SELECT id, at, substr(reason, 1, ?) = ? AS copied FROM audit"
            "   WHERE entity = 'report' AND entity_id = ? ORDER BY id DESC LIMIT 1)"
            " SELECT audit.entity, audit.entity_id, audit.field FROM audit, report"
            " WHERE ((audit.entity = 'patient' AND audit.entity_id = ?) OR (audit.entity = 'assessment' AND"
            "   audit.entity_id IN (SELECT CAST(a.id AS TEXT) FROM assessments a JOIN patients p ON p.id = a.patient_ref"
            "    WHERE p.patient_id = ?)))"
            " AND (audit.id > report.id OR (report.copied AND julianday(audit.at) > julianday(report.at)))"
            " ORDER BY audit.id",
            (len(IMPORTED_MARK), IMPORTED_MARK, str(assessment_id), patient_id, patient_id))
        return [RecordChange(r["entity"], r["entity_id"], r["field"]) for r in rows]

    def audit(self, assessment_id: int) -> list[AuditEntry]:
        entries = self.store.audit_trail("assessment", assessment_id)
        return [AuditEntry(e.actor, e.at, e.field, e.old_value, e.new_value) for e in entries]

    def save_report(self, assessment_id: int, pdf: bytes, expect: AssessmentInfo | None = None,
                    patient: PatientInfo | None = None, history: list[AssessmentInfo] | None = None) -> Path:
        """Store the PDF through the records store (atomic, checksummed) and return its path.
        With `expect` (the record it was rendered from), `patient` (the patient it names) and
        `history` (the visits its grade history was drawn from), only while the records still
        hold them (RecordStateError otherwise, checked in the same transaction)."""
        state = None if expect is None else {"confirmed_grade": expect.confirmed_grade, "clinician": expect.clinician,
                                             "notes": expect.notes, "updated_at": expect.updated}
        named = None if patient is None else {
            "name": patient.name, "birth_date": patient.birth_date, "sex": patient.sex,
            "affected_side": None if patient.affected_side == _SIDE_UNKNOWN else patient.affected_side}
        visits = None if history is None else [(a.assessment_id, a.confirmed_grade) for a in history
                                                 if a.status == "confirmed"]
        report = self.store.save_report(assessment_id, pdf, actor=self.actor, expect=state, expect_patient=named,
                                        expect_visits=visits)
        return self.store.layout.resolve(report.file_name)

    def report_path(self, assessment_id: int) -> Path:
        return self.folder / "reports" / f"{assessment_id:06d}_report.pdf"

    def saved_reports(self, assessment_id: int) -> list[tuple[str, Path]]:
        return [(r.created_at, self.store.layout.resolve(r.file_name)) for r in self.store.reports(assessment_id)]

    def release_thread(self) -> None:
        """Close the calling (worker) thread's database connection."""
        self.store.release_thread()

    def close(self) -> None:
        try:
            self.store.close()
        finally:
            if self.lock is not None:
                self.lock.release()


def open_gateway(folder: Path | None, lock: InstanceLock | None = None) -> StoreGateway:
    """Open (creating) the store in `folder` (None: PALSY_HOME or the platform default);
    `lock`, held or to be taken by the caller, is released when the gateway closes."""
    return StoreGateway(Store.open(folder), lock=lock)
