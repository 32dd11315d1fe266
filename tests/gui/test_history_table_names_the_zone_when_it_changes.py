"""Around the end of daylight time two visits 40 minutes apart read 02:30 (NZDT) and 02:10
(NZST): without the zone the history table showed the newer visit's 02:10 above the older
02:30. When the rows' zones differ, every row names its zone, as the report does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.pages.history import HistoryPage
from app.pages.history_logic import history_row, zones_differ
from app.records_gateway import AssessmentInfo

BEFORE_THE_CHANGE = AssessmentInfo(1, "AKL-1", "confirmed", "2026-04-04T13:30:00.000+00:00", "IV")  # 02:30 NZDT
AFTER_THE_CHANGE = AssessmentInfo(2, "AKL-1", "confirmed", "2026-04-04T14:10:00.000+00:00", "II")  # 02:10 NZST
SUMMER = AssessmentInfo(3, "AKL-1", "confirmed", "2026-01-10T01:00:00.000+00:00", "III")  # 14:00 NZDT


@pytest.fixture
def auckland(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Pacific/Auckland")


def test_rows_across_the_end_of_daylight_time_name_their_zone(auckland: None) -> None:
    visits = [BEFORE_THE_CHANGE, AFTER_THE_CHANGE]
    assert zones_differ(visits)
    assert history_row(BEFORE_THE_CHANGE, True)[0] == "2026-04-05 02:30 NZDT"
    assert history_row(AFTER_THE_CHANGE, True)[0] == "2026-04-05 02:10 NZST"


def test_rows_of_one_zone_show_the_time_alone(auckland: None) -> None:
    assert not zones_differ([BEFORE_THE_CHANGE, SUMMER])
    assert history_row(SUMMER)[0] == "2026-01-10 14:00"


def test_the_history_page_names_the_zone_on_every_row(qtbot, auckland: None) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Aroha Ngata (AKL-1)", [SUMMER, BEFORE_THE_CHANGE, AFTER_THE_CHANGE])
    dates = [page.table.item(row, 0).text() for row in range(page.table.rowCount())]
    assert dates == ["2026-04-05 02:10 NZST", "2026-04-05 02:30 NZDT", "2026-01-10 14:00 NZDT"]  # newest first
    page.show_history("Aroha Ngata (AKL-1)", [SUMMER, BEFORE_THE_CHANGE])
    assert [page.table.item(row, 0).text() for row in range(2)] == ["2026-04-05 02:30", "2026-01-10 14:00"]
