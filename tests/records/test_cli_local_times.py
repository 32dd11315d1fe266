"""`palsy records patients`, `drafts` and `verify` show the same local dates and times, with
the zone named, whatever the station's time zone (the store keeps UTC)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timezone
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store

EVENING = "2026-12-06T05:30:00.000+00:00"  # 21:30 on 5 December in Los Angeles
PDF = b"%PDF-1.4\n% a report\n%%EOF\n"


@pytest.fixture
def los_angeles(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("America/Los_Angeles")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_patients_drafts_and_verify_agree_on_the_local_date(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], los_angeles: None) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("P1")
        aid = store.start_assessment("P1", created_at=EVENING).id
        store.record_results(aid, {"grade": "IV"}, model_grade="IV")
        store.confirm_grade(aid, "IV", "Dr Real")
        store.save_report(aid, PDF)
        store.start_assessment("P1", created_at=EVENING)  # a draft, last changed that evening
    out = _run(capsys, "records", "--data", str(data), "patients")
    assert "last 2026-12-05" in out, out
    out = _run(capsys, "records", "--data", str(data), "drafts")
    assert "last change 2026-12-05 21:30 PST" in out, out
    (tmp_path / "r.pdf").write_bytes(PDF)
    out = _run(capsys, "records", "--data", str(data), "verify", str(tmp_path / "r.pdf"))
    assert "assessment 1 started 2026-12-05 21:30 PST" in out  # the day with its clock: the PDF may be read elsewhere
    assert re.search(r"stored \d{4}-\d\d-\d\d \d\d:\d\d P[SD]T", out), out


def test_a_zone_without_a_short_name_is_named_by_its_offset() -> None:
    from app.local_time import local_minute_zoned

    assert local_minute_zoned(EVENING, timezone.utc).endswith(" UTC")
    from datetime import timedelta

    assert local_minute_zoned(EVENING, timezone(timedelta(hours=5, minutes=30))) == "2026-12-06 11:00 UTC+05:30"
    assert local_minute_zoned("not a time") == "not a time"


def test_a_mistyped_zone_is_named_by_its_offset_not_by_a_false_name(monkeypatch) -> None:
    # TZ=Asia/Kolkta (mistyped): glibc keeps UTC and calls it "Asia"; the time said "07:41 Asia"

    from app.local_time import local_minute_zoned

    monkeypatch.setenv("TZ", "Asia/Kolkta")
    time.tzset()
    try:
        shown = local_minute_zoned(EVENING)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "Asia" not in shown and shown.endswith(" UTC+00:00"), shown
