"""A stored or imported date of birth in other digits than 0-9 is refused with a message that
says so: "write it as YYYY-MM-DD" alone told the user to type what they had typed."""

from __future__ import annotations

import pytest

from app.records import validate
from models.errors import InputError


def test_a_date_in_arabic_indic_digits_is_told_to_use_the_digits_0_to_9() -> None:
    with pytest.raises(InputError, match="write it as YYYY-MM-DD with the digits 0-9"):
        validate.birth_date("١٩٨٠-٠٣-١٥")
    assert validate.birth_date("1980-03-15") == "1980-03-15"
