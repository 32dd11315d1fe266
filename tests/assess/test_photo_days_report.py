"""A draft resumed days later: the report gives the photos' date(s) and flags photos of
several days; the results screen flags them before anyone confirms. `palsy assess` (files,
no capture times) keeps its assessment date and no such flag."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from pypdf import PdfReader

from app.export import report_context
from app.local_time import photo_days, photos_apart
from app.records_gateway import AssessmentInfo, PatientInfo
from app.report.pdf import ReportContext, write_report
from app.settings import Settings
from models.pipeline.flag_wording import review_flags

BODY = {"grade": "II", "probabilities": {"II": 0.8}, "affected_side": "left", "flags": [], "expressions": {}}
SPAN = ("2026-11-20", "2026-12-06")


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def test_photo_days_are_local_days_of_the_capture_times() -> None:
    auckland = timezone(timedelta(hours=13))
    assert photo_days([], auckland) is None
    # 20:30 UTC is the next morning in Auckland: the local day counts
    assert photo_days(["2026-12-06T09:00:00+00:00", "2026-11-19T20:30:00+00:00"], auckland) == SPAN
    assert photo_days(["2026-11-20T09:00:00Z", "2026-11-20T09:05:00Z"], timezone.utc) == ("2026-11-20", "2026-11-20")


def test_the_report_context_is_dated_by_the_photos() -> None:
    info = AssessmentInfo(7, "P-1", "confirmed", "2026-11-20T12:00:00+00:00", confirmed_grade="II", clinician="Sam")
    info.captured_at = {"rest": "2026-11-20T12:01:00+00:00", "close_eyes": "2026-12-06T12:00:00+00:00"}
    context = report_context(info, PatientInfo("P-1", "Ada"), Settings(), [])
    assert context.photo_days == SPAN and context.photos_apart
    assert context.report_date == "2026-11-20 to 2026-12-06"
    info.captured_at = {}  # a gateway that gives no times: as before
    assert report_context(info, PatientInfo("P-1", "Ada"), Settings(), []).photo_days is None


def test_a_report_of_photos_of_two_days_says_so_and_flags_it(tmp_path: Path) -> None:
    text = _text(write_report(tmp_path / "r.pdf", BODY, ReportContext(assessment_date="2026-11-20", photo_days=SPAN,
                                                                      photos_apart=True)))
    assert "Photos taken 2026-11-20 to 2026-12-06" in text
    assert "Photos taken on different days: photos taken 2026-11-20 to 2026-12-06: movements measured against a " \
           "rest photo of another day" in text
    assert "Assessment date" not in text


def test_a_report_of_one_days_photos_gives_that_day(tmp_path: Path) -> None:
    day = ("2026-12-06", "2026-12-06")
    text = _text(write_report(tmp_path / "r.pdf", BODY, ReportContext(assessment_date="2026-11-20", photo_days=day)))
    assert "Photos taken 2026-12-06" in text and "2026-11-20" not in text
    assert "different days" not in text


def test_palsy_assess_reports_keep_their_assessment_date(tmp_path: Path) -> None:
    text = _text(write_report(tmp_path / "r.pdf", BODY, ReportContext(assessment_date="2026-11-24")))
    assert "Assessment date 2026-11-24" in text and "Photos taken" not in text
    assert review_flags([], "left", "left") == review_flags([], "left", "left", None) == []


def test_the_results_screen_flags_photos_of_two_days_before_confirming(qtbot) -> None:
    from app.analysis import AnalysisResult
    from app.pages.results import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    result = AnalysisResult("II", {"II": 0.8}, "left", "II", 80.0, [], [], {}, {}, {})
    page.show_result(result, "Ada (P-1)", "analysed",
                     capture_times=["2026-11-20T12:00:00+00:00", "2026-12-06T12:00:00+00:00"])
    assert "Photos taken on different days" in page.flags.text()
    assert "2026-11-20 to 2026-12-06" in page.flags.text()
    page.show_result(result, "Ada (P-1)", "analysed")  # no times known
    assert "No flags" in page.flags.text()


def test_photos_of_one_sitting_across_midnight_are_not_flagged(tmp_path: Path) -> None:
    # rest at 23:55, the others at 00:05: one sitting, told as two dates, flagged as none (a
    # station in Auckland judged 10:55 and 11:05 UTC photos "taken on different days")
    berlin, auckland = timezone(timedelta(hours=1)), timezone(timedelta(hours=13))
    midnight = ["2026-12-05T22:55:00+00:00", "2026-12-05T23:05:00+00:00"]
    assert photo_days(midnight, berlin) == ("2026-12-05", "2026-12-06") and not photos_apart(midnight, berlin)
    assert not photos_apart(["2026-11-20T10:55:00Z", "2026-11-20T11:05:00Z"], auckland)
    assert photos_apart(["2026-11-20T12:00:00Z", "2026-11-21T01:00:00Z"], timezone.utc)  # 13 hours
    assert photos_apart(["2026-11-20T20:00:00Z", "2026-11-21T08:30:00Z"], timezone.utc) is True
    assert not photos_apart(["2026-11-20T08:00:00Z", "2026-11-20T18:00:00Z"], timezone.utc)  # one day, 10 h
    assert photos_apart(["2026-11-20T21:00:00Z", "2026-11-21T07:00:00Z"], timezone.utc)  # another day, 10 h
    text = _text(write_report(tmp_path / "r.pdf", BODY, ReportContext(photo_days=("2026-12-05", "2026-12-06"))))
    assert "Photos taken 2026-12-05 to 2026-12-06" in text and "different days" not in text
