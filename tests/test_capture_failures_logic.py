"""Which photos of a capture still stand as not saved (`CaptureSession.standing_failures`, the
window's notice): a failure stands until a photo of its expression is saved (taken again or put
back), so "could not be saved; take it again" no longer names a photo that is on record, and
names the one that still is not while another expression's failure stands. No Qt."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from app.pages.capture_logic import CaptureSession
from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from tests.doubles import MemoryRecords


class FlakyRecords(MemoryRecords):
    """Records whose next saves (or withdrawals) of the named expressions fail, once each."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_saves: list[str] = []
        self.fail_withdrawals: list[str] = []

    def save_capture(self, assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN201
        if expression in self.fail_saves:
            self.fail_saves.remove(expression)
            raise StorageError(f"cannot write {expression}.png: the disk is full")
        return super().save_capture(assessment_id, expression, rgb, quality)

    def withdraw_capture(self, assessment_id, expression):  # noqa: ANN001, ANN201
        if expression in self.fail_withdrawals:
            self.fail_withdrawals.remove(expression)
            raise StorageError("the data folder was moved")
        return super().withdraw_capture(assessment_id, expression)


def _frame(value: int) -> np.ndarray:
    return np.full((48, 48, 3), value, np.uint8)


def _session(records: FlakyRecords, pool: ThreadPoolExecutor) -> CaptureSession:
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)
    session.submit = pool.submit
    return session


def _standing(session: CaptureSession) -> list[str]:
    return list(session.standing_failures)


def test_a_failed_photo_taken_again_and_saved_no_longer_stands() -> None:
    records = FlakyRecords()
    records.fail_saves = ["close_eyes"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        session = _session(records, pool)
        session.capture(_frame(10))  # rest
        session.capture(_frame(60))  # close_eyes: the disk is full
        session.wait_for_saves(5.0)
        assert _standing(session) == ["close_eyes"]
        error, withdrawal = session.standing_failures["close_eyes"]
        assert "the disk is full" in str(error) and not withdrawal
        assert session.expression == "close_eyes"
        session.capture(_frame(90))  # taken again: space freed
        assert _standing(session) == ["close_eyes"]  # still being written: not yet on record
        session.wait_for_saves(5.0)
    assert _standing(session) == []
    assert "close_eyes" in records.assessments[session.assessment_id].captures


def test_another_expressions_failure_still_stands_after_one_is_saved() -> None:
    records = FlakyRecords()
    records.fail_saves = ["close_eyes", "raise_eyebrows"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        session = _session(records, pool)
        session.capture(_frame(10))  # rest
        session.capture(_frame(60))  # close_eyes: fails
        session.capture(_frame(120))  # raise_eyebrows: fails
        session.wait_for_saves(5.0)
        assert _standing(session) == ["close_eyes", "raise_eyebrows"]
        session.go_to(session.steps.index("close_eyes"))
        session.capture(_frame(70))
        session.wait_for_saves(5.0)
        assert _standing(session) == ["raise_eyebrows"]  # the one still not on record
        session.go_to(session.steps.index("raise_eyebrows"))
        session.capture(_frame(130))
        session.wait_for_saves(5.0)
    assert _standing(session) == []


def test_a_photo_failing_again_stands_once_as_the_newest() -> None:
    records = FlakyRecords()
    records.fail_saves = ["close_eyes", "raise_eyebrows", "close_eyes"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        session = _session(records, pool)
        session.capture(_frame(10))
        session.capture(_frame(60))  # close_eyes
        session.capture(_frame(120))  # raise_eyebrows
        session.wait_for_saves(5.0)
        session.go_to(session.steps.index("close_eyes"))
        session.capture(_frame(70))  # fails again
        session.wait_for_saves(5.0)
    assert _standing(session) == ["raise_eyebrows", "close_eyes"]


def test_a_rejected_photo_that_did_not_leave_the_record_stands_until_its_new_photo_is_saved() -> None:
    records = FlakyRecords()
    records.fail_withdrawals = ["close_eyes"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        session = _session(records, pool)
        session.capture(_frame(10))
        session.capture(_frame(60))  # close_eyes, saved
        session.wait_for_saves(5.0)
        session.retake("close_eyes")  # its withdrawal fails
        session.wait_for_saves(5.0)
        assert _standing(session) == ["close_eyes"] and session.standing_failures["close_eyes"][1]
        session.capture(_frame(80))  # the new photo replaces the old one on record
        session.wait_for_saves(5.0)
    assert _standing(session) == []


def test_a_save_of_another_expression_leaves_a_failure_standing() -> None:
    records = FlakyRecords()
    records.fail_saves = ["rest"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        session = _session(records, pool)
        session.capture(_frame(10))  # rest: fails
        session.wait_for_saves(5.0)
        session.go_to(1)
        session.capture(_frame(60))  # close_eyes: saved
        session.wait_for_saves(5.0)
    assert _standing(session) == ["rest"]
