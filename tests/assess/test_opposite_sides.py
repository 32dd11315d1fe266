"""House's measure: a brow and a commissure weaker on opposite sides offset each other in the
per-side totals (a grade I beside regions of 69 % and 56 %); that is flagged, not silent, where
both regions are below what healthy faces show (the audit's 87 % and 74 % are not)."""

from __future__ import annotations

import numpy as np
import pytest

from models.pipeline.assess import build_flags
from models.pipeline.flag_wording import flag_title, worded_flags
from models.pipeline.measures import (
    MeasuredFunction,
    RegionResult,
    measure_function,
    opposite_sides,
    side_doubt,
)
from tests.assess.masks import paint_face

# The audit's patient (grade I synthetic, /tmp/audit_clin p_I): stored regions of assessment.json.
BROW = dict(name="brow", label="Brow elevation", expression="raise_eyebrows", unit="D", left=0.1574, right=0.18,
            ratio=0.8744, percent=87.4352, weaker_side="left", judged=True, note="")
COMMISSURE = dict(name="commissure", label="Commissure excursion", expression="open_mouth", unit="D", left=0.1998,
                  right=0.1483, ratio=0.7424, percent=74.2399, weaker_side="right", judged=True, note="")


def _measured(grade: str, percent: float, side: str, *regions: dict) -> MeasuredFunction:
    return MeasuredFunction(grade, percent, side, "right", {r["name"]: RegionResult(**r) for r in regions})


def test_opposite_weaker_sides_that_offset_to_grade_i_are_flagged() -> None:
    measured = _measured("I", 98.0, "none", {**BROW, "percent": 69.0}, {**COMMISSURE, "percent": 56.0})
    text = opposite_sides(measured)
    assert text == ("brow elevation measured the left side weaker (69 %), commissure excursion the right side (56 %): "
                    "in House's measure they offset each other to 98 % (grade I); examine both sides before accepting "
                    "the measured grade")
    flags = build_flags("I", np.array([0.9, 0.02, 0.02, 0.02, 0.02, 0.02]), {}, measured)
    assert [f.message for f in flags if f.code == "opposite_sides"] == [text]
    assert ("Regions weaker on opposite sides", text) in worded_flags(flags)
    assert flag_title("opposite_sides") == "Regions weaker on opposite sides"


@pytest.mark.parametrize(("brow", "commissure"), [
    ({**BROW, "weaker_side": "right"}, COMMISSURE),  # same side: the percent lies between the regions'
    ({**BROW, "percent": 95.0}, COMMISSURE),  # the brow alone is grade I: nothing hidden
    (BROW, COMMISSURE),  # the audit's 87 % brow is a healthy face's asymmetry (review: 8 of 58 grade I flagged)
    (BROW, {**COMMISSURE, "judged": False}),  # one region: partial_measure's business
])
def test_no_flag_when_nothing_offsets(brow: dict, commissure: dict) -> None:
    assert opposite_sides(_measured("I", 97.0, "none", brow, commissure)) == ""


def test_a_milder_grade_than_both_regions_is_flagged_beside_the_side_doubt() -> None:
    brow = {**BROW, "percent": 60.0}  # III alone
    commissure = {**COMMISSURE, "percent": 55.0}  # III alone
    measured = _measured("II", 80.0, "left", brow, commissure)
    # side_doubt says the side is uncertain; only this says each region alone grades worse
    assert side_doubt(measured) and "offset each other to 80 % (grade II)" in opposite_sides(measured)
    assert opposite_sides(_measured("III", 70.0, "left", brow, commissure)) == ""  # no milder than the regions


def test_measured_from_masks() -> None:
    masks = {"rest": paint_face("rest"), "raise_eyebrows": paint_face("raise_eyebrows", (0.6, 1.0)),
             "open_mouth": paint_face("open_mouth", (1.0, 0.6))}
    measured = measure_function(masks)
    assert measured.grade == "I"
    assert measured.regions["brow"].weaker_side == "left" and measured.regions["commissure"].weaker_side == "right"
    assert "offset each other" in opposite_sides(measured)
