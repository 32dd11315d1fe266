"""What a screen reader is told when a result is shown (the grade line and the flags in one
plain paragraph), and the colours of the attention heat's key. No Qt."""

from __future__ import annotations

import numpy as np

from app.pages.results_logic import (
    NO_FLAGS,
    flags_summary,
    grade_label,
    heat_key_colours,
    heat_lut,
    result_summary,
)


def test_the_summary_says_the_grades_side_and_flags_by_title() -> None:
    text = result_summary("Jane Doe (MRN-2041)", grade_label("IV"), "27 %", grade_label("IV"), "27 %",
                          "Affected side (patient's): left (measured), left (registered)", ["Low network confidence"])
    assert text == ("Results for Jane Doe (MRN-2041). "
                    "Network grade IV \u2013 moderately severe dysfunction, probability 27 %. "
                    "Measured grade IV \u2013 moderately severe dysfunction, 27 % function. "
                    "Affected side (patient's): left (measured), left (registered). "
                    "1 flag for review: Low network confidence.")


def test_the_summary_leaves_out_a_grade_not_measured_and_says_when_nothing_is_flagged() -> None:
    text = result_summary("Jane Doe", grade_label("I"), "93 %", None, "\u2013", "Affected side (patient's): not measured", [])
    assert "Measured grade" not in text
    assert text.endswith("Affected side (patient's): not measured. " + NO_FLAGS)


def test_several_flags_are_counted_and_listed() -> None:
    assert flags_summary(["Low network confidence", "Photo failed the quality check"]) == (
        "2 flags for review: Low network confidence; Photo failed the quality check.")
    assert flags_summary([]) == NO_FLAGS


def test_the_heat_key_runs_from_the_grey_under_a_cold_area_to_the_hottest_white() -> None:
    colours = heat_key_colours()
    assert colours.shape == (256, 3) and colours.dtype == np.uint8
    assert tuple(colours[0]) == (128, 128, 128)  # see-through on the photo: not the table's black
    assert tuple(colours[-1]) == tuple(heat_lut(1.0)[-1, :3]) == (255, 255, 255)
    assert colours[128, 0] > 200 and colours[128, 2] < 60  # red, then yellow, between
