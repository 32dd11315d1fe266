"""The bands the report's method line prints are the ones `grade_from_percent` grades by."""

import re

import pytest

from models.pipeline import measures
from models.pipeline.measures import BANDS_TEXT, grade_from_percent


def _printed_bands(text: str) -> list[tuple[float, float, str]]:
    """(lowest, highest, grade) of each band in `text`, in whole percent."""
    bands = []
    for part in text.split(", "):
        if m := re.fullmatch(r">=(\d+) (\w+)", part):
            bands.append((float(m[1]), 100.0, m[2]))
        elif m := re.fullmatch(r"(\d+)-(\d+) (\w+)", part):
            bands.append((float(m[1]), float(m[2]), m[3]))
        elif m := re.fullmatch(r"<(\d+) (\w+)", part):
            bands.append((0.0, float(m[1]) - 1, m[2]))
        else:
            raise AssertionError(f"unreadable band {part!r}")
    return bands


def test_each_printed_band_grades_as_it_says_at_both_ends() -> None:
    bands = _printed_bands(BANDS_TEXT)
    assert [grade for _, _, grade in bands] == ["I", "II", "III", "IV", "V", "VI"]
    for low, high, grade in bands:
        assert grade_from_percent(low) == grade and grade_from_percent(high) == grade


def test_the_printed_bands_move_with_the_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    bounds = (95.0, 80.0, 60.0, 30.0, 10.0)
    monkeypatch.setattr(measures, "GRADE_BOUNDS", bounds)
    text = measures._bands_text(bounds)
    assert text == ">=95 I, 80-94 II, 60-79 III, 30-59 IV, 10-29 V, <10 VI"
    for low, high, grade in _printed_bands(text):
        assert grade_from_percent(low) == grade and grade_from_percent(high) == grade
