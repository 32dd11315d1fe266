"""Headless logic of the patient, results and history pages."""

from __future__ import annotations

import numpy as np
import pytest

from app.local_time import local_date, local_minute, parse_stamp
from app.pages.history_logic import (
    DAY_S,
    REGION_LABELS,
    grade_number,
    history_points,
    history_row,
    time_axis_range,
)
from app.pages.patient_logic import PatientFormError, validate_patient
from app.pages.results_logic import (
    attention_label,
    can_export,
    decision_text,
    export_blocker,
    heat_lut,
    review_decision,
    segmentation_lut,
    side_text,
)
from app.records_gateway import AssessmentInfo
from models.errors import InputError
from models.labels import CLASS_COLOURS, CLASS_INDEX
from models.pipeline.measures import HOUSE_MEASURE


def test_patient_form_validation() -> None:
    info = validate_patient(" MRN-1 ", "  Ada   Lovelace ", "1980-12-10", "female", "left", " note ")
    assert (info.patient_id, info.name, info.notes) == ("MRN-1", "Ada Lovelace", "note")
    for args, field in [
        (("", "A", "", "", "unknown", ""), "patient_id"),
        (("bad\u202eid", "A", "", "", "unknown", ""), "patient_id"),  # a bidi override, as the store refuses
        (("P1", " ", "", "", "unknown", ""), "name"),
        (("P1", "A", "10/12/1980", "", "unknown", ""), "birth_date"),
        (("P1", "A", "2999-01-01", "", "unknown", ""), "birth_date"),
        (("P1", "A", "", "robot", "unknown", ""), "sex"),
    ]:
        with pytest.raises(PatientFormError) as err:
            validate_patient(*args)
        assert err.value.field == field


def test_segmentation_lut_background_and_disabled_classes_are_transparent() -> None:
    lut = segmentation_lut({CLASS_INDEX["skin"], CLASS_INDEX["nose"]})
    assert lut.shape == (256, 4)
    assert lut[0, 3] == 0
    assert lut[CLASS_INDEX["nose"], 3] > 0 and tuple(lut[CLASS_INDEX["nose"], :3]) == CLASS_COLOURS[CLASS_INDEX["nose"]]
    assert lut[CLASS_INDEX["hair"], 3] == 0
    assert segmentation_lut(set())[:, 3].max() == 0


def test_heat_lut_alpha_follows_heat_and_opacity() -> None:
    half, full = heat_lut(0.5), heat_lut(1.0)
    assert full[0, 3] == 0 and full[255, 3] == 255
    assert np.all(np.diff(full[:, 3].astype(int)) >= 0)
    assert half[255, 3] == 128
    assert heat_lut(0.0)[:, 3].max() == 0


def test_attention_labels() -> None:
    assert attention_label("spatial_7") == "Spatial 7\u00d77"
    assert attention_label("channel") == "Channel"


def test_review_requires_grade_and_clinician() -> None:
    with pytest.raises(InputError, match="grade"):
        review_decision("", "Dr A", "", "III")
    with pytest.raises(InputError, match="clinician"):
        review_decision("IV", "  ", "", "III")
    decision = review_decision("IV", " Dr  A ", " brow weak ", "III")
    assert decision.is_override and decision.clinician == "Dr A" and decision.notes == "brow weak"
    assert not review_decision("III", "Dr A", "", "III").is_override
    assert can_export("confirmed") and not can_export("analysed")


def test_an_override_needs_its_reason_in_the_notes() -> None:
    # an override was signed with no word on why the clinician disagreed
    with pytest.raises(InputError, match="overrides the network's grade III: write the reason in Notes"):
        review_decision("IV", "Dr A", "  \n ", "III")
    assert review_decision("IV", "Dr A", "brow weaker on effort", "III").notes == "brow weaker on effort"
    assert review_decision("III", "Dr A", "", "III").notes == ""  # agreeing needs no reason


def test_history_points_are_sorted_and_prefer_the_confirmed_grade() -> None:
    later = AssessmentInfo(2, "P", "confirmed", "2026-03-01T10:00:00+00:00", "III", "II", "IV", "Dr", "",
                           {"measured": {"function_percent": 40.0, "regions": {"brow": {"percent": 30.0}}}})
    earlier = AssessmentInfo(1, "P", "analysed", "2026-01-01T10:00:00+00:00", "V")
    draft = AssessmentInfo(3, "P", "draft", "2026-04-01T10:00:00+00:00")
    points = history_points([later, earlier, draft])
    assert [p.assessment_id for p in points] == [1, 2, 3]
    assert points[1].grade == "IV" and points[1].confirmed and points[1].function_percent == 40.0
    assert points[1].regions == {"brow": 30.0}
    assert points[0].grade == "V" and not points[0].confirmed
    assert points[2].grade is None
    assert grade_number("IV") == 4.0 and grade_number(None) is None
    assert history_row(later)[6] == "IV"
    # the measured side of each visit (a side that flips between visits is worth a look)
    left = AssessmentInfo(4, "P", "analysed", "2026-05-01T10:00:00+00:00", "V", "V", result={"affected_side": "left"})
    unmeasured = AssessmentInfo(5, "P", "analysed", "2026-05-02T10:00:00+00:00", "V", None, result={"affected_side": "none"})
    assert history_row(left)[5] == "left" and history_row(unmeasured)[5] == "\u2013" and history_row(draft)[5] == "\u2013"


def test_movement_and_percent_text() -> None:
    from app.pages.results_logic import movement_text, percent_text

    assert movement_text(-0.004, "D") == "0.00 D"
    assert movement_text(0.274, "D") == "0.27 D"
    assert movement_text(None) == "\u2013" and percent_text(None) == "\u2013"
    assert percent_text(51.6) == "52 %"


def test_stored_utc_times_are_shown_in_local_time() -> None:
    from datetime import timedelta, timezone

    auckland = timezone(timedelta(hours=13))
    stamp = "2026-12-04T22:51:58.930+00:00"  # as the store writes it
    assert local_date(stamp, auckland) == "2026-12-05" and local_minute(stamp, auckland) == "2026-12-05 11:51"
    assert local_minute(stamp, timezone.utc) == "2026-12-04 22:51"
    assert local_date("2026-12-04T22:51:58", auckland) == "2026-12-05"  # naive: taken as UTC
    assert parse_stamp("not a time") is None and local_date("garbage-ish", auckland) == "garbage-is"
    row = history_row(AssessmentInfo(1, "P", "analysed", stamp, "III"))
    assert row[0] == local_minute(stamp)


def test_history_time_axis_spans_days_for_a_single_visit() -> None:
    one = 1_800_000_000.0
    lo, hi = time_axis_range([one])
    assert lo < one < hi and hi - lo >= 14 * DAY_S
    lo, hi = time_axis_range([one, one + 3600])  # two visits on one day
    assert hi - lo >= 14 * DAY_S
    year = [one, one + 365 * DAY_S]
    lo, hi = time_axis_range(year)
    assert lo < one and hi > one + 365 * DAY_S and hi - lo < 1.2 * 365 * DAY_S
    # no visit yet: the two weeks up to now (the axis showed fractions of a second around 1970)
    assert time_axis_range([], now=one) == (one - 14 * DAY_S, one)


def test_the_history_legend_names_regions_as_the_results_table_does() -> None:
    assert REGION_LABELS["ala"] == "Nasal ala lift" and REGION_LABELS["brow"] == "Brow elevation"
    assert HOUSE_MEASURE == "House's measure"  # as the report names it


def test_export_blocker_says_why_in_order() -> None:
    assert "Confirm the grade first" in export_blocker("analysed", False, False)
    assert "changed after it was confirmed" in export_blocker("confirmed", True, True)
    assert "overlays" in export_blocker("confirmed", False, True)
    assert export_blocker("confirmed", False, False) == ""
    # a record the reopen refused (`app.reopen.export_refusal`) comes before the form and overlays
    assert export_blocker("confirmed", True, True, "This visit's record was changed") == "This visit's record was changed"
    assert "Confirm the grade first" in export_blocker("analysed", False, False, "This visit's record was changed")


def test_the_side_line_shows_both_sides_and_warns_when_they_are_opposite() -> None:
    # the side registered for the patient was never shown beside the measured one
    assert side_text("right", "left").endswith("they differ: check the photos and the patient's record")
    assert "left (registered), right (measured)" in side_text("right", "left")  # the report's order
    assert side_text("left", "left") == "Affected side (patient's): left (registered), left (measured)"
    assert side_text("none", "left") == "Affected side (patient's): left (registered), none (measured)"
    assert side_text("left", "unknown") == "Affected side (patient's): left (measured)"


def test_the_decision_line_says_grade_signer_and_override() -> None:
    assert decision_text("IV", "Dr A", "IV") == "\u2713 Confirmed: grade IV (House-Brackmann), confirmed by Dr A"
    assert decision_text("V", "Dr A", "IV").endswith("confirmed by Dr A, overriding the network's grade IV")


def test_a_birth_date_of_no_real_day_is_said_to_be_no_valid_date() -> None:
    # "1975-13-40" is YYYY-MM-DD: the message told the user to type what they had typed
    for typed in ("1975-13-40", "2023-02-30"):
        with pytest.raises(PatientFormError) as err:
            validate_patient("P1", "A", typed, "", "unknown", "")
        assert err.value.field == "birth_date" and f"{typed} is not a valid date" in str(err.value)
    with pytest.raises(PatientFormError, match="must be YYYY-MM-DD"):
        validate_patient("P1", "A", "10/12/1980", "", "unknown", "")
    assert validate_patient("P1", "A", "19801210", "", "unknown", "").birth_date == "1980-12-10"  # 8 digits, year first
