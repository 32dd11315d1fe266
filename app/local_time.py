"""Stored timestamps (UTC, ISO 8601) as the clinic reads them: in local time (no Qt).

The store writes UTC so that its rows sort as text everywhere; a therapist in Auckland
must still see the evening's assessment under today's date, in the table, the resume
banner and the PDF report.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    system's zone has no upper-case short name): a time printed says which clock it is."""
    local = _local(parse_stamp(text), tz)
    if local is None:
        return local_minute(text, tz)
    name = local.strftime("%Z")
    # Windows says "Pacific Standard Time"; a mistyped TZ (Asia/Kolkta) makes glibc use UTC
    # under the name "Asia": only an upper-case abbreviation (CET, PST, NZDT) is a zone's name
    if not (name.isascii() and name.isalpha() and name.isupper() and len(name) <= 5):
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


# Photos of one assessment belong to one sitting: ones taken more than SITTING_HOURS apart, or
# on two local days at least SAME_SITTING_HOURS apart (not 23:55 and 00:05), measure today's
# movements against another day's rest photo (a draft resumed later).
SITTING_HOURS = 12.0
SAME_SITTING_HOURS = 2.0


def separate_sittings(earlier: datetime, later: datetime, tz: tzinfo | None = None) -> bool:
    """Whether two moments (aware) belong to two sittings (see SITTING_HOURS)."""
    hours = abs((later - earlier).total_seconds()) / 3600.0
    if hours > SITTING_HOURS:
        return True
    first, last = _local(earlier, tz), _local(later, tz)
    return hours >= SAME_SITTING_HOURS and first is not None and last is not None and first.date() != last.date()


def photo_days(times: Iterable[str], tz: tzinfo | None = None) -> tuple[str, str] | None:
    """The first and last local day (YYYY-MM-DD) of the photos' capture times, or None when
    none is known (`palsy assess` reads files). A draft resumed days later has photos of
    several days; its start date alone said nothing of that."""
    days = sorted(local_date(t, tz) for t in times if t)
    return (days[0], days[-1]) if days else None


def photos_apart(times: Iterable[str], tz: tzinfo | None = None) -> bool:
    """Whether the photos' capture times span two sittings (`separate_sittings`): the review
    flag "Photos taken on different days" is raised on that, not on two dates alone."""
    moments = sorted(m for m in (parse_stamp(t) for t in times if t) if m is not None)
    return len(moments) > 1 and separate_sittings(moments[0], moments[-1], tz)


def days_apart(times: Iterable[str], tz: tzinfo | None = None) -> tuple[str, str] | None:
    """`photo_days` of photos taken in two sittings (`photos_apart`), else None: what the review
    flag "Photos taken on different days" is given."""
    times = list(times)
    return photo_days(times, tz) if photos_apart(times, tz) else None
