"""The capture logic without Qt: an analysis that found the face too small marks its step "face
too small – retake closer?", not "no face – retake?" (the therapist moves the camera closer,
not the patient's pose), and stores that with the photo's face check."""

from __future__ import annotations

import numpy as np

from app.pages.capture_logic import FACE_TOO_SMALL_NOTE, NO_FACE_NOTE, CaptureSession, face_problem
from app.records_gateway import PatientInfo
from tests.doubles import MemoryRecords


def _session() -> CaptureSession:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)
    for value in range(0, 120, 20):
        session.capture(np.full((48, 64, 3), value, np.uint8), {"passed": True, "checks": {}})
    return session


def test_a_face_too_small_is_marked_to_retake_closer() -> None:
    session = _session()
    session.mark_no_face("open_mouth", too_small=True)
    assert session.expression == "open_mouth"
    assert session.photos["open_mouth"].quality["checks"]["one_face"] == {"passed": False, "detail": "face too small"}
    assert session.flagged_photos()["open_mouth"] == FACE_TOO_SMALL_NOTE


def test_no_face_is_still_marked_no_face() -> None:
    session = _session()
    session.mark_no_face("rest")
    assert session.flagged_photos()["rest"] == NO_FACE_NOTE
    assert face_problem({"checks": {"one_face": {"passed": False, "detail": "2 faces found: only the patient in view"}}}) \
        != FACE_TOO_SMALL_NOTE
