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


def local_minute_zoned(text: str, tz: tzinfo | None = None) -> str:
    """`local_minute` with the zone named ("2026-12-05 21:30 PST", or "UTC-08:00" where the
    system's zone has no short name): a time printed on a terminal says which clock it is."""
    local = _local(parse_stamp(text), tz)
    if local is None:
        return local_minute(text, tz)
    name = local.strftime("%Z")
    if not (name.isascii() and name.isalpha() and len(name) <= 5):  # Windows: "Pacific Standard Time"
        offset = local.strftime("%z") or "+0000"
        name = f"UTC{offset[:3]}:{offset[3:5]}"
    return f"{local_minute(text, tz)} {name}"


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
