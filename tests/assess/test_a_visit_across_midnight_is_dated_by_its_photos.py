"""A visit begun at 23:50 in Auckland with its photos taken after midnight: the report's
header dates it by the photos (8 December), and so do the copy's file name and the report's
own grade-history row; they gave the start's day (7 December)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.export import copy_name, report_context
from app.local_time import local_minute
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings

PATIENT = PatientInfo("AKL-1", "Aroha Ngata")
STARTED = "2026-12-07T10:50:00.000+00:00"  # 23:50 NZDT on 7 December
PHOTOS = {"rest": "2026-12-07T11:10:00.000+00:00", "close_eyes": "2026-12-07T11:15:00.000+00:00"}  # 00:10, 00:15


def _visit(number: int, created: str, captured_at: dict[str, str] | None = None) -> AssessmentInfo:
    return AssessmentInfo(number, PATIENT.patient_id, "confirmed", created, "III", confirmed_grade="III",
                          clinician="Dr K", captured_at=captured_at or {})


@pytest.fixture
def auckland(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Pacific/Auckland")


def test_the_copys_name_gives_the_photos_day(auckland: None) -> None:
    assert copy_name(_visit(2, STARTED, PHOTOS), PATIENT) == "AKL-1_Aroha Ngata_2026-12-08_HB-report.pdf"
    assert copy_name(_visit(2, STARTED), PATIENT) == "AKL-1_Aroha Ngata_2026-12-07_HB-report.pdf"  # no photo times


def test_the_reports_history_dates_this_visit_by_its_photos(auckland: None) -> None:
    earlier = _visit(1, "2026-11-02T21:00:00.000+00:00")  # read without photos: dated by its start
    this = _visit(2, STARTED, PHOTOS)
    listed = _visit(2, STARTED)  # as the history lists it, without photos
    context = report_context(this, PATIENT, Settings(), [earlier, listed])
    assert context.report_date == "2026-12-08"
    assert [p.date for p in context.history] == [earlier.created, PHOTOS["close_eyes"]]
    assert local_minute(context.history[-1].date) == "2026-12-08 00:15"
