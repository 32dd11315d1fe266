"""A region whose part the face parser lost ("part not found in the mask") is a technical failure
to retake, not a clinical finding: the flag of a measured grade resting on one region said the
lost brow "moved too little to judge", which reads as a paralysed forehead (audit a3 F1)."""

from __future__ import annotations

from models.pipeline.measures import REGION_BY_NAME, MeasuredFunction, house_basis, judge_region


def _measured(brow_left: float | None, brow_right: float | None) -> MeasuredFunction:
    brow = judge_region(REGION_BY_NAME["brow"], brow_left, brow_right)
    commissure = judge_region(REGION_BY_NAME["commissure"], 0.20, 0.25)
    return MeasuredFunction("II", 80.0, "left", "left", {"brow": brow, "commissure": commissure})


def test_a_brow_the_parser_lost_is_said_lost_with_the_photo_to_retake() -> None:
    basis = house_basis(_measured(None, 0.16))
    assert basis == ("the measured grade rests on commissure excursion alone; brow elevation: part not found "
                     "in the mask (retake the Raise eyebrows photo)")
    assert "too little" not in basis and "too small" not in basis


def test_a_brow_that_moved_too_little_is_still_said_so() -> None:
    basis = house_basis(_measured(0.01, 0.02))
    assert basis == "the measured grade rests on commissure excursion alone: brow elevation moved too little to judge"
