"""A side that moves the wrong way (the brow lower in raise_eyebrows than at rest) counts as no
movement: its region's ratio and percent are 0, never negative, in the measured function the
results table, assessment.json and the report print (module doc of models/pipeline/measures.py)."""

from __future__ import annotations

import pytest

from models.pipeline.measures import measure_function
from tests.assess.masks import paint_patient

# -0.3 of a full movement: the brow lowered, the eye opened wider, the ala dropped
WRONG_WAY = -0.3


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_side_moving_the_wrong_way_counts_as_no_movement(side: str) -> None:
    function = (WRONG_WAY, 1.0) if side == "left" else (1.0, WRONG_WAY)
    measured = measure_function(paint_patient(function))
    brow = measured.regions["brow"]
    assert (brow.left if side == "left" else brow.right) < 0  # it did move the wrong way
    assert brow.judged and brow.weaker_side == side
    assert brow.ratio == 0.0 and brow.percent == 0.0
    regions = measured.to_dict()["regions"]  # as assessment.json and the report carry them
    assert regions["brow"]["percent"] == 0.0
    for name, region in regions.items():
        if region["judged"]:
            assert region["percent"] >= 0.0 and region["ratio"] >= 0.0, name
