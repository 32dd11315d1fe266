"""A draft begun while the computer's clock was ahead is said to be from when it was begun, and
that the clock was changed since: an age read "Its photos were taken -13 hours ago"."""

from __future__ import annotations

from datetime import datetime, timezone

from app.pages.capture_logic import stale_draft_age, stale_draft_warning


def test_a_draft_begun_while_the_clock_was_ahead_is_not_given_a_negative_age() -> None:
    now = datetime(2026, 12, 7, 8, 40, tzinfo=timezone.utc)
    age = stale_draft_age("2026-12-07T22:00:00.000+00:00", now, timezone.utc)
    assert age == "at 22:00 on 2026-12-07 (this computer's clock has been changed since)"
    assert stale_draft_warning(age).startswith("Its photos were taken at 22:00 on 2026-12-07 (this computer's clock")
    three_days_ahead = stale_draft_age("2026-12-10T09:00:00.000+00:00", now, timezone.utc)
    assert three_days_ahead == "at 09:00 on 2026-12-10 (this computer's clock has been changed since)"


def test_a_draft_begun_a_little_ahead_of_the_clock_is_the_same_sitting() -> None:
    now = datetime(2026, 12, 7, 8, 40, tzinfo=timezone.utc)
    assert stale_draft_age("2026-12-07T09:00:00.000+00:00", now, timezone.utc) is None
