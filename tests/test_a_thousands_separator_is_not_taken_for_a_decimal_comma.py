"""A number typed with a thousands separator ("--epochs 1,000", one thousand as English writes
it) is not advised as a decimal comma ("use a decimal point: 1.000" trained for one epoch), and
a decimal comma is advised only where the pointed number would be taken ("-0,5" is not)."""

from __future__ import annotations

import argparse

import pytest

from app.commands.arg_types import count, positive_number


def _refusal(parse, typed: str) -> str:  # noqa: ANN001 - an argparse type
    with pytest.raises(argparse.ArgumentTypeError) as err:
        parse(typed)
    return str(err.value)


def test_one_thousand_is_told_to_drop_the_separator() -> None:
    said = _refusal(positive_number, "1,000")
    assert said == ("not a number: '1,000'; write numbers without a thousands separator: 1000 "
                    "(a fraction takes a decimal point: 1.000)")
    assert not said.split(";")[1].startswith(" use a decimal point")


def test_several_separators_are_told_to_be_dropped() -> None:
    assert _refusal(positive_number, "12,500,000").endswith("write numbers without a thousands separator: 12500000")


def test_a_whole_number_with_a_separator_is_told_to_drop_it() -> None:
    assert _refusal(count, "2,500") == "not a whole number: '2,500'; write numbers without a thousands separator: 2500"


@pytest.mark.parametrize("typed", ["-0,5", "0,0"])
def test_no_decimal_point_is_advised_for_a_number_that_would_be_refused(typed: str) -> None:
    assert "decimal point" not in _refusal(positive_number, typed)


@pytest.mark.parametrize(("typed", "pointed"), [("0,5", "0.5"), ("0,500", "0.500"), ("2,5", "2.5"), ("1,0002", "1.0002")])
def test_a_decimal_comma_is_still_advised(typed: str, pointed: str) -> None:
    assert _refusal(positive_number, typed).endswith(f"; use a decimal point: {pointed}")
