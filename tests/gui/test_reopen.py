"""Rebuilding a stored assessment for the results page (no Qt)."""

from __future__ import annotations

import numpy as np

from app.records.errors import StorageError
from app.records_gateway import AssessmentInfo
from app.reopen import result_from_record
from models.labels import EXPRESSIONS
from models.pipeline.measures import REGIONS


class PhotoShelf:
    """The gateway's load_photo over a dict; a name missing from it is a damaged file."""

    def __init__(self, photos: dict[str, np.ndarray]) -> None:
        self.photos = photos

    def load_photo(self, assessment_id: int, expression: str) -> np.ndarray:
        if expression not in self.photos:
            raise StorageError(f"photo {expression} of assessment {assessment_id} is damaged")
        return self.photos[expression]


def _stored_result() -> dict:
    names = [spec.name for spec in REGIONS]
    regions = {name: {"label": name, "left": 0.1, "right": 0.2, "percent": 50.0} for name in sorted(names)}
    return {"grade": "III", "probabilities": {"III": 0.6}, "measured": {"grade": "III", "regions": regions}}


def test_regions_keep_the_live_order_and_unreadable_photos_are_flagged() -> None:
    info = AssessmentInfo(7, "P", "confirmed", "2026-12-04T10:00:00+00:00", "III", "III", "III", "Dr", "",
                          _stored_result(), captures={e: f"{e}.png" for e in EXPRESSIONS})
    shelf = PhotoShelf({e: np.full((300, 300, 3), 90, np.uint8) for e in EXPRESSIONS if e not in ("open_mouth", "rest")})
    result = result_from_record(info, shelf)
    assert [row.region for row in result.regions] == [spec.name for spec in REGIONS]
    assert sorted(spec.name for spec in REGIONS) != [spec.name for spec in REGIONS]  # the test can tell
    assert set(result.expressions) == set(EXPRESSIONS) - {"open_mouth", "rest"}
    (flag,) = [f for f in result.flags if f.code == "photos_unreadable"]
    assert "rest" in flag.text and "open mouth" in flag.text
    whole = result_from_record(info, PhotoShelf({e: np.zeros((300, 300, 3), np.uint8) for e in EXPRESSIONS}))
    assert not [f for f in whole.flags if f.code == "photos_unreadable"]


def test_a_region_measured_on_a_failed_photo_is_marked_live_and_reopened(qtbot) -> None:
    # "Eye closure 1.00 / 1.00, 100 %" read as a normal result although its photo was dark:
    # the quality flag was only in the list below
    from app.pages.results import ResultsPage
    from models.pipeline.flag_wording import DOUBTFUL_NOTE, doubtful_photos

    stored = _stored_result()
    for name, values in stored["measured"]["regions"].items():
        values["expression"] = next(spec.expression for spec in REGIONS if spec.name == name)
    stored["flags"] = [{"code": "failed_quality", "message": "close_eyes: too dark", "expression": "close_eyes"}]
    info = AssessmentInfo(7, "P", "confirmed", "2026-12-04T10:00:00+00:00", "III", "III", "III", "Dr", "",
                          stored, captures={})
    result = result_from_record(info, PhotoShelf({}))
    assert doubtful_photos(result.flags) == {"close_eyes"}
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(result, "P (P)", "confirmed", "III", "Dr", "", read_only=True)
    rows = {page.regions.item(r, 0).text(): r for r in range(page.regions.rowCount())}
    eye, brow = rows["eye"], rows["brow"]
    assert page.regions.item(eye, 3).text().endswith("\u26a0") and DOUBTFUL_NOTE in page.regions.item(eye, 3).toolTip()
    assert not page.regions.item(brow, 3).text().endswith("\u26a0") and DOUBTFUL_NOTE not in page.regions.item(brow, 3).toolTip()


def test_a_failed_rest_photo_marks_every_region() -> None:
    # every movement is measured against rest: a rest photo that failed its check marked no row
    from models.pipeline.flag_wording import doubtful_photos
    flags = [{"code": "failed_quality", "message": "rest: too dark", "expression": "rest"}]
    assert {spec.expression for spec in REGIONS} <= doubtful_photos(flags)
    assert doubtful_photos([{"code": "low_confidence", "message": "", "expression": None}]) == set()


def test_a_record_that_disagrees_with_its_trail_or_its_analysis_refuses_the_export() -> None:
    # a confirmed grade edited by hand showed as confirmed and was exported (audit s1, finding 2);
    # a stored analysis edited to another grade showed two network grades (finding 5)
    from app.records_gateway import AuditEntry
    from app.reopen import RECORD_EDITED, export_refusal, record_disagreements

    trail = [AuditEntry("model", "2026-12-04T10:00:01+00:00", "model_grade", None, "III"),
             AuditEntry("model", "2026-12-04T10:00:01+00:00", "measured_grade", None, "III"),
             AuditEntry("Dr", "2026-12-04T10:00:02+00:00", "confirmed_grade", None, "IV"),
             AuditEntry("Dr", "2026-12-04T10:00:02+00:00", "clinician", None, "Dr")]
    info = AssessmentInfo(7, "P", "confirmed", "2026-12-04T10:00:00+00:00", "III", "III", "IV", "Dr", "",
                          _stored_result(), captures={})
    assert record_disagreements(info, trail) == []
    assert not [f for f in result_from_record(info, PhotoShelf({}), trail).flags if f.code == RECORD_EDITED]

    info.confirmed_grade = "II"
    info.result = {**_stored_result(), "grade": "I"}
    assert record_disagreements(info, trail) == ["its confirmed grade is II but its audit trail says IV",
                                                 "its stored analysis gives network grade I but its record says III"]
    result = result_from_record(info, PhotoShelf({}), trail)
    (flag,) = [f for f in result.flags if f.code == RECORD_EDITED]
    assert flag.text.startswith("This visit's record was changed outside Palsy Grader: its confirmed grade is II")
    assert export_refusal(result).startswith(flag.text)


def test_missing_photos_refuse_the_export_and_name_them() -> None:
    from app.reopen import export_refusal

    info = AssessmentInfo(7, "P", "confirmed", "2026-12-04T10:00:00+00:00", "III", "III", "III", "Dr", "",
                          _stored_result(), captures={e: f"{e}.png" for e in EXPRESSIONS})
    shelf = PhotoShelf({e: np.zeros((300, 300, 3), np.uint8) for e in EXPRESSIONS if e != "close_eyes"})
    assert export_refusal(result_from_record(info, shelf)).startswith(
        "Stored photos of this visit are missing or damaged (close eyes): restore them from a backup first")
    assert export_refusal(result_from_record(info, PhotoShelf({e: np.zeros((300, 300, 3), np.uint8)
                                                                for e in EXPRESSIONS}))) == ""
