"""Stored timestamps (UTC, ISO 8601) as the clinic reads them: in local time (no Qt).

The store writes UTC so that its rows sort as text everywhere; a therapist in Auckland
must still see the evening's assessment under today's date, in the table, the resume
banner and the PDF report.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo


def parse_stamp(text: str) -> datetime | None:
    """The moment a stored timestamp names (aware; a naive one is taken as UTC), or None."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def local_date(text: str, tz: tzinfo | None = None) -> str:
    """YYYY-MM-DD in local time (`tz` for tests); text that is no timestamp is cut as it is."""
    moment = _local(parse_stamp(text), tz)
    return moment.strftime("%Y-%m-%d") if moment else text[:10]


def local_minute(text: str, tz: tzinfo | None = None) -> str:
    """YYYY-MM-DD HH:MM in local time (`tz` for tests)."""
    moment = _local(parse_stamp(text), tz)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else text.replace("T", " ")[:16]


def _local(moment: datetime | None, tz: tzinfo | None) -> datetime | None:
    """`moment` in local time (`tz`), or None when it has none: a time within a day of year 1
    or 9999 (a station clock reset to zero, an altered import) overflows there, and is then
    shown as stored rather than stopping the page."""
    if moment is None:
        return None
    try:
        return moment.astimezone(tz)
    except OverflowError:
        return None
