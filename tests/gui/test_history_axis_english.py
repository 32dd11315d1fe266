"""The history chart's date axis says English month and day names whatever the locale."""

from __future__ import annotations

from datetime import datetime, timezone

import pyqtgraph.graphicsItems.DateAxisItem as date_axis
import pytest

from app.pages.history import EnglishDateAxis

GERMAN = {"%b": {12: "Dez", 3: "M\u00e4r"}, "%a": {0: "Mo"}}


class GermanDate(datetime):
    """A date whose strftime names months and days as a de_DE C library does (no such locale
    need be installed for the test)."""

    def strftime(self, fmt: str) -> str:
        fmt = fmt.replace("%b", GERMAN["%b"].get(self.month, "Mon")).replace("%a", GERMAN["%a"].get(self.weekday(), "Tag"))
        return super().strftime(fmt)


def _german(timestamp: float) -> datetime:
    plain = datetime.fromtimestamp(timestamp, timezone.utc)
    return GermanDate(*plain.timetuple()[:6], tzinfo=timezone.utc)


def test_month_and_day_names_are_english_under_a_german_locale(qapp, monkeypatch: pytest.MonkeyPatch) -> None:
    # under de_DE the chart's axis read "Dez" in an English application
    monkeypatch.setattr(date_axis, "utcfromtimestamp", _german)
    axis = EnglishDateAxis(utcOffset=0)
    december = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()
    monday = datetime(2026, 12, 7, tzinfo=timezone.utc).timestamp()  # a Monday
    axis.zoomLevel = date_axis.YEAR_MONTH_ZOOM_LEVEL  # as pyqtgraph picks it for a wide range
    assert axis.tickStrings([december], 1.0, date_axis.MONTH_SPACING) == ["Dec"]
    axis.zoomLevel = date_axis.DAY_HOUR_ZOOM_LEVEL
    assert axis.tickStrings([monday], 1.0, date_axis.DAY_SPACING) == ["Mon 07"]
    assert axis.tickStrings([monday + 9 * 3600], 1.0, date_axis.HOUR_SPACING) == ["09:00"]
    axis.deleteLater()
