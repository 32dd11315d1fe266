"""A station clock set back below the newest record stamps the next visit before visits made
earlier, so the patient's history reads reversed. Starting an assessment says so in the
status bar and the notice above the pages (no modal box), naming the newest record's time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.local_time import local_minute_zoned
from app.window_assessment import clock_went_back
from tests.gui.gui_helpers import close_window, make_window

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def test_a_clock_behind_the_newest_record_is_said() -> None:
    newest = _stamp(NOW + timedelta(hours=1, minutes=30))
    notice = clock_went_back(newest, NOW)
    assert notice is not None
    assert notice.startswith(f"This computer's clock reads earlier than the last record ({local_minute_zoned(newest)})")
    assert "check the date and time" in notice


def test_a_few_minutes_or_an_empty_store_are_no_step() -> None:
    assert clock_went_back(_stamp(NOW + timedelta(minutes=5)), NOW) is None
    assert clock_went_back(_stamp(NOW - timedelta(days=3)), NOW) is None
    assert clock_went_back(None, NOW) is None


def test_start_assessment_says_the_clock_went_back(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        store = window.gateway.store
        store.create_patient("MRN-1", name="Ada Lovelace")
        store.create_patient("MRN-2", name="Bo Carlsson")
        ahead = _stamp(datetime.now(timezone.utc) + timedelta(hours=2))  # stamped while the clock ran fast
        store.start_assessment("MRN-1", created_at=ahead)
        window.start_assessment("MRN-2")
        assert window.stack.currentWidget() is window.capture  # said, not asked: the visit goes on
        message = window.statusBar().currentMessage()
        assert f"clock reads earlier than the last record ({local_minute_zoned(ahead)})" in message
        window.notify("Rest taken")  # the next message replaces the status bar's ...
        assert "clock reads earlier" in window.notice.text() and window.notice.isVisibleTo(window)  # ... not the notice
    finally:
        close_window(window)


def test_a_clock_in_step_says_nothing(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        store = window.gateway.store
        store.create_patient("MRN-1", name="Ada Lovelace")
        store.create_patient("MRN-2", name="Bo Carlsson")
        store.start_assessment("MRN-1")
        window.start_assessment("MRN-2")
        assert "clock" not in window.statusBar().currentMessage() and "clock" not in window.notice.text()
    finally:
        close_window(window)
