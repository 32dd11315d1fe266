"""Times from elsewhere (imports, a station clock that was ahead or reset) are stored so that
they sort as time, shown without crashing, and reported clearly (the time audit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.local_time import local_date, local_minute
from app.pages.history_logic import history_points
from app.records import Store, validate
from app.records.export_folder import _Redactor
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from app.records_gateway import AssessmentInfo
from app.report.charts import visit_day
from app.report.outputs import STAGING_PREFIX, remove_stale_staging
from models.errors import InputError
from tests.records.records_helpers import edit_manifest

BEHIND_UTC = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(("written", "stored"), [
    ("2024-05-01T10:30+02:00", "2024-05-01T08:30:00.000+00:00"),
    ("2024-05-02 00:30:00+00:00", "2024-05-02T00:30:00.000+00:00"),
    ("2024-05-01T09:00:00", "2024-05-01T09:00:00.000+00:00"),
    ("2024-05-01T09:00:00.123+00:00", "2024-05-01T09:00:00.123+00:00"),  # the app's own form
])
def test_an_imported_time_is_stored_in_the_form_the_store_writes(written: str, stored: str) -> None:
    assert validate.timestamp(written, "created_at") == stored


def test_imported_times_in_other_zones_sort_as_time(tmp_path: Path, exported: Path) -> None:
    edit_manifest(exported, lambda m: m["assessments"][0].update(
        created_at="2024-05-01T10:30+02:00", updated_at="2024-05-02 00:30:00+00:00"))
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        [visit] = target.history("IMP-1")
        assert (visit.created_at, visit.updated_at) == ("2024-05-01T08:30:00.000+00:00", "2024-05-02T00:30:00.000+00:00")


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+00:00", "1999-12-31T23:59:59+00:00", "1970-01-01T00:00:00"])
def test_a_time_before_2000_is_refused_naming_the_clock(stamp: str) -> None:
    with pytest.raises(InputError, match="before 2000.*clock of the station that wrote it.*altered"):
        validate.timestamp(stamp, "created_at")


def test_an_import_with_a_time_of_year_1_is_refused(tmp_path: Path, exported: Path) -> None:
    edit_manifest(exported, lambda m: m["assessments"][0].update(created_at="0001-01-01T00:00:00+00:00"))
    with Store.open(tmp_path / "station2") as target, pytest.raises(InputError, match="before 2000"):
        import_patient(target, exported)


def test_times_near_year_1_are_shown_as_stored_behind_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    year1 = "0001-01-01T00:00:00+00:00"
    assert local_minute(year1, BEHIND_UTC) == "0001-01-01 00:00"
    assert local_date(year1, BEHIND_UTC) == "0001-01-01"
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert visit_day(year1) is None
    finally:  # the runner's own TZ comes back (it was removed for the rest of the session)
        monkeypatch.undo()
        time.tzset()
    redactor = _Redactor()  # a de-identifying one shifts times back by 1 to 365 days
    redactor.active = True
    # the first day of year 1: any shift leaves the calendar (the 5th failed CI when the random
    # shift drew 4 days or fewer, about 1 run in 90)
    assert redactor.when("0001-01-01T12:00:00+00:00") is None


def test_a_history_mixing_an_unreadable_time_with_readable_ones_sorts() -> None:
    infos = [AssessmentInfo(1, "P", "confirmed", "2024-01-01T00:00:00+00:00", confirmed_grade="II"),
             AssessmentInfo(2, "P", "confirmed", "not a time", confirmed_grade="II")]
    assert [p.assessment_id for p in history_points(infos)] == [2, 1]


def test_a_birth_date_that_is_today_somewhere_on_earth_is_accepted() -> None:
    latest = datetime.now(timezone(timedelta(hours=14))).date()
    assert validate.birth_date(latest) == latest.isoformat()
    with pytest.raises(InputError, match="future; check the day and month") as info:
        validate.birth_date(latest + timedelta(days=1))
    assert "year" not in str(info.value)
    with pytest.raises(InputError, match="check the year"):
        validate.birth_date(date.today() + timedelta(days=367))  # not replace(year=...): 29 February


def test_a_newborn_exported_in_auckland_imports_in_new_york_the_same_day(
        tmp_path: Path, exported: Path, in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Pacific/Pago_Pago")  # UTC-11: its date is always behind UTC+14's
    born = datetime.now(timezone(timedelta(hours=14))).date()
    assert born > date.today()
    edit_manifest(exported, lambda m: m["patient"].update(birth_date=born.isoformat()))
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        assert target.get_patient("IMP-1").birth_date == born.isoformat()


def test_an_import_from_a_station_whose_clock_was_ahead_says_so(tmp_path: Path, exported: Path) -> None:
    ahead = (datetime.now(timezone.utc) + timedelta(days=730)).isoformat(timespec="milliseconds")
    edit_manifest(exported, lambda m: m["assessments"][0].update(created_at=ahead))
    with Store.open(tmp_path / "station2") as target, pytest.raises(InputError) as info:
        import_patient(target, exported)
    message = str(info.value)
    assert f"assessments[0].created_at ({ahead}) lies in the future" in message
    assert "clock was probably ahead" in message and "will not help" in message
    assert "damaged" not in message


def test_records_check_reports_rows_dated_in_the_future(tmp_path: Path) -> None:
    real = validate.now_iso
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P1", actor="n")
        ahead = datetime.now(timezone.utc) + timedelta(days=730)
        validate.now_iso = lambda: ahead.isoformat(timespec="milliseconds")
        try:
            store.start_assessment("P1", actor="n")
        finally:
            validate.now_iso = real
        store.start_assessment("P1", actor="n")
        problems = store.record_problems()
    assert any(p.startswith("1 assessment created_at time(s) lie in the future") for p in problems), problems
    assert any("audit entry at" in p for p in problems), problems


def _staging(folder: Path, pid: int, mtime_offset: float) -> Path:
    path = folder / f"{STAGING_PREFIX}{pid}-abcd1234"
    path.mkdir()
    when = time.time() + mtime_offset
    os.utime(path, (when, when))
    return path


def test_staging_cleanup_keeps_a_live_runs_folder_and_removes_a_dead_runs(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live = _staging(tmp_path, os.getpid(), -2 * 3600)
    future = _staging(tmp_path, dead_pid, 2 * 365 * 86400)
    remove_stale_staging(tmp_path)
    assert live.exists() and not future.exists()


def test_app_written_export_times_stay_byte_identical(tmp_path: Path, exported: Path) -> None:
    manifest = json.loads((exported / MANIFEST).read_text(encoding="utf-8"))
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        [visit] = target.history("IMP-1")
    assert (visit.created_at, visit.updated_at) == (manifest["assessments"][0]["created_at"],
                                                    manifest["assessments"][0]["updated_at"])


def test_a_killed_runs_report_staging_on_this_computer_is_removed_at_once(tmp_path: Path) -> None:
    # a rerun of `palsy assess --out` left the killed run's hidden copy of the previous report
    # beside the new one for an hour
    from app.records.recovery import host_tag

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    mine = tmp_path / f"{STAGING_PREFIX}{int(dead.stdout)}-abcd1234-{host_tag()}"
    elsewhere = tmp_path / f"{STAGING_PREFIX}{int(dead.stdout)}-abcd1234-00000000"
    for folder in (mine, elsewhere):
        folder.mkdir()
    remove_stale_staging(tmp_path)
    assert not mine.exists() and elsewhere.exists()  # another computer's waits the hour
