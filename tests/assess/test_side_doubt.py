"""The measured affected side is flagged as uncertain when the regions disagree on the weaker
side (a mild asymmetry read from imperfect masks named the wrong side with no warning)."""

from __future__ import annotations

import numpy as np
import pytest

from models.labels import GRADES
from models.pipeline.assess import build_flags
from models.pipeline.flag_wording import flag_title
from models.pipeline.measures import (
    REGION_BY_NAME,
    SIDE_DOUBT_SHARE,
    MeasuredFunction,
    RegionResult,
    side_doubt,
)


def _region(name: str, left: float, right: float, judged: bool = True) -> RegionResult:
    spec = REGION_BY_NAME[name]
    weaker = "left" if left < right else "right" if right < left else None
    ratio = min(left, right) / max(left, right)
    return RegionResult(name, spec.label, spec.expression, spec.unit, left, right, ratio, 100 * ratio, weaker, judged, "")


def _measured(side: str, *regions: RegionResult) -> MeasuredFunction:
    return MeasuredFunction("II", 80.0, side, side, {r.name: r for r in regions})


def _gap(name: str, share: float) -> float:
    """A movement difference worth `share` typical movements of the region."""
    return share * REGION_BY_NAME[name].typical_movement


def test_regions_that_agree_leave_the_side_clear() -> None:
    measured = _measured("left", _region("brow", 0.05, 0.15), _region("commissure", 0.10, 0.25))
    assert side_doubt(measured) == ""


@pytest.mark.parametrize(("against", "doubted"), [(SIDE_DOUBT_SHARE - 0.01, False), (SIDE_DOUBT_SHARE + 0.01, True)])
def test_the_side_is_doubted_from_the_documented_share_of_the_difference(against: float, doubted: bool) -> None:
    # the brow says left weaker by (1 - against) of the whole difference, the cheek right weaker by `against`
    brow, cheek = _gap("brow", 1 - against), _gap("cheek", against)
    measured = _measured("left", _region("brow", 0.2 - brow, 0.2), _region("cheek", 0.1, 0.1 - cheek))
    text = side_doubt(measured)
    assert bool(text) is doubted
    if doubted:
        assert text.startswith("the regions disagree on the weaker side: brow elevation measured the left side weaker, "
                               "cheek lateral extent the right")


def test_regions_too_small_to_judge_and_no_side_do_not_count() -> None:
    unjudged = _region("cheek", 0.1, 0.0, judged=False)  # a large opposite difference, but not judged
    assert side_doubt(_measured("left", _region("brow", 0.05, 0.15), unjudged)) == ""
    equal_regions = _measured("none", _region("brow", 0.05, 0.15), _region("cheek", 0.1, 0.02))
    assert side_doubt(equal_regions) == ""  # "none": no side named, nothing to doubt


def test_a_doubtful_side_is_a_worded_review_flag() -> None:
    measured = _measured("right", _region("brow", 0.15, 0.10), _region("commissure", 0.10, 0.25))
    fused = np.full(len(GRADES), 0.02)
    fused[1] = 0.9
    flags = [f for f in build_flags("II", fused, {}, measured) if f.code == "side_uncertain"]
    assert len(flags) == 1 and "confirm the affected side by examination" in flags[0].message
    assert flag_title("side_uncertain") == "Affected side uncertain"
