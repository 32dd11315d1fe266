"""`palsy records check` names the times of its clock notes in local time with the zone, as
`records patients`, `drafts`, `verify` and every screen do: near midnight the stored UTC stamp
named a day no other output shows (the visit of 1 August in Auckland was "2026-07-31T13:00")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store, validate

# Pacific/Auckland: 22:00 NZST on 10 September; 01:00 NZST on 1 August (31 July in UTC)
FIRST, SECOND = "2026-09-10T10:00:00.000+00:00", "2026-07-31T13:00:00.000+00:00"
AHEAD = "2099-01-01T11:30:00.000+00:00"  # 00:30 NZDT on 2 January 2099


@pytest.fixture
def auckland(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Pacific/Auckland")


def _check(data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["records", "--data", str(data), "check"])
    return code, capsys.readouterr().out


def test_the_clock_set_back_note_gives_local_times_with_the_zone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], auckland: None) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("CLK-1", name="Clock Test")
        first = store.start_assessment("CLK-1", created_at=FIRST).id
        second = store.start_assessment("CLK-1", created_at=SECOND).id  # the clock was set back
    code, out = _check(data, capsys)
    assert code == 0, out  # a note, not a problem
    [note] = [line for line in out.splitlines() if "set back" in line]
    assert (f"assessment {second}, stamped 2026-08-01 01:00 NZST, was begun after assessment {first}, "
            "stamped 2026-09-10 22:00 NZST") in note, note
    assert "2026-07-31" not in note and "+00:00" not in note


def test_the_latest_time_in_the_future_is_given_in_local_time_with_the_zone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], auckland: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("P1")
        monkeypatch.setattr(validate, "now_iso", lambda: AHEAD)  # this station's clock ran 73 years ahead
        store.start_assessment("P1")
        monkeypatch.undo()
    code, out = _check(data, capsys)
    assert code == 1, out
    line = next(line for line in out.splitlines() if "assessment created_at time(s) lie in the future" in line)
    assert "(the latest 2099-01-02 00:30 NZDT, e.g. assessment 1)" in line, line
    assert "2099-01-01" not in line
