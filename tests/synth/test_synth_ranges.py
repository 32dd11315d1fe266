"""The synthetic patients' function per grade is the paper's Table 1 (I 100 %, II 76-99 %,
III 51-75 %, IV 26-50 %, V 1-25 %, VI 0 %), and every region of the affected side lies in
its grade's range whatever the draw."""

from __future__ import annotations

import numpy as np
import pytest

from models.data.synthetic.face import SIDE_INDEX
from models.data.synthetic.palsy import (
    GRADE_FUNCTION_RANGE,
    HEALTHY_FUNCTION_RANGE,
    REGIONS,
    sample_palsy,
)
from models.labels import GRADES

TABLE_PERCENT = {"I": (100, 100), "II": (76, 99), "III": (51, 75), "IV": (26, 50), "V": (1, 25), "VI": (0, 0)}


def test_the_function_ranges_are_the_papers_table() -> None:
    assert list(GRADE_FUNCTION_RANGE) == list(GRADES)
    for grade, (lo, hi) in TABLE_PERCENT.items():
        assert GRADE_FUNCTION_RANGE[grade] == pytest.approx((lo / 100, hi / 100), abs=1e-12), grade


@pytest.mark.parametrize("grade", GRADES[1:])
@pytest.mark.parametrize("side", ["left", "right"])
def test_every_affected_region_lies_in_its_grades_range(grade: str, side: str) -> None:
    lo, hi = GRADE_FUNCTION_RANGE[grade]
    healthy = 1 - SIDE_INDEX[side]
    for seed in range(200):
        profile = sample_palsy(np.random.default_rng(seed), grade, side)
        for region in REGIONS:
            affected = profile.function[region][SIDE_INDEX[side]]
            other = profile.function[region][healthy]
            assert HEALTHY_FUNCTION_RANGE[0] <= other <= HEALTHY_FUNCTION_RANGE[1]
            # relative to the healthy side, as House's measure reads it: the labelled side is
            # always the weaker one, and grade II never reaches grade I's 100 %
            assert lo - 1e-12 <= affected / other <= hi + 1e-12, (grade, side, seed, region, affected, other)
            assert grade == "VI" or affected < other


def test_grade_one_has_two_healthy_sides() -> None:
    for seed in range(50):
        profile = sample_palsy(np.random.default_rng(seed), "I", "none")
        assert profile.side == "none"
        for region in REGIONS:
            assert all(HEALTHY_FUNCTION_RANGE[0] <= v <= HEALTHY_FUNCTION_RANGE[1] for v in profile.function[region])
