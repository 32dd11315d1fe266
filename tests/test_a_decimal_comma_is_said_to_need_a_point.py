"""A number typed with a decimal comma ("--lr 0,0002", as German or French write it) is refused
with what to type instead: "not a number" alone did not say that a decimal point is needed."""

from __future__ import annotations

import argparse

import pytest

from app.commands.arg_types import positive_number


def test_a_decimal_comma_is_refused_with_the_number_written_with_a_point() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        positive_number("0,0002")
    assert str(err.value) == "not a number: '0,0002'; use a decimal point: 0.0002"


@pytest.mark.parametrize("typed", ["abc", "1,000,000", ",", ""])
def test_other_text_is_refused_without_a_decimal_point_hint(typed: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        positive_number(typed)
    assert "decimal point" not in str(err.value)
