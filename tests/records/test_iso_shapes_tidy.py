"""Dates and times of an import are read by their exact ISO shape, so that a file accepted on
one station (Python 3.11+, whose `fromisoformat` also reads basic and week forms) is not
refused on another (Python 3.10) — the tidy audit."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.records import validate
from models.errors import InputError

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", ["19700315", "1970W111", "1970-W11-1", "1970-075", "1970-3-15", "1970-03-15T00:00",
                                  "\u0661\u0669\u0667\u0660-01-01", "1970-02-30"])
def test_a_birth_date_not_written_yyyy_mm_dd_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="write it as YYYY-MM-DD"):
        validate.birth_date(text)


def test_a_birth_date_written_yyyy_mm_dd_is_accepted() -> None:
    assert validate.birth_date(" 1970-03-15 ") == "1970-03-15"


@pytest.mark.parametrize("text", ["20240501T093000Z", "2024-W18-3T09:30", "2024-122T09:30", "2024-05-01T09",
                                  "2024-05-01T0930", "2024-05-01", "2024-05-01T09:30:00+0000", "2024-05-01X09:30",
                                  "2024-05-01T09:30:00.1234567", "2024-05-01T25:00", "2024-13-01T09:30"])
def test_a_time_in_another_iso_shape_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="not an ISO 8601 date and time"):
        validate.timestamp(text, "created_at", now=NOW)


@pytest.mark.parametrize(("written", "stored"), [
    ("2024-05-01T09:30:00.123+00:00", "2024-05-01T09:30:00.123+00:00"),  # now_iso (the store)
    ("2024-05-01T09:30:00+00:00", "2024-05-01T09:30:00.000+00:00"),  # isoformat(timespec="seconds")
    ("2024-05-01T09:30:00.123456+00:00", "2024-05-01T09:30:00.123+00:00"),  # isoformat()
    ("2024-05-01T09:30:00Z", "2024-05-01T09:30:00.000+00:00"),  # 3.10's fromisoformat refuses 'Z'
    ("2024-05-01T09:30:00.5+02:00", "2024-05-01T07:30:00.500+00:00"),  # and a 1-digit fraction
    ("2024-05-01 09:30", "2024-05-01T09:30:00.000+00:00"),
    ("2024-05-01T11:30-02:00", "2024-05-01T13:30:00.000+00:00"),
])
def test_the_shapes_the_app_writes_and_documents_are_accepted(written: str, stored: str) -> None:
    assert validate.timestamp(written, "created_at", now=NOW) == stored
