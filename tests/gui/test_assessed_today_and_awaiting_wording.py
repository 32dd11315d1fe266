"""What the patients page says of results awaiting confirmation, and what Start asks of a patient
assessed today: headless, in a fixed time zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.pages.patient_logic import assessed_today_question, awaiting_line, time_today

PLUS_TWO = timezone(timedelta(hours=2))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def test_a_time_of_today_is_said_as_its_local_time_alone() -> None:
    now = datetime.now(PLUS_TWO)
    assert time_today(_stamp(now), PLUS_TWO) == now.strftime("%H:%M")
    assert time_today(_stamp(now - timedelta(days=1)), PLUS_TWO) is None
    assert time_today("not a time", PLUS_TWO) is None


def test_the_awaiting_line_names_the_newest_and_counts_the_others() -> None:
    now = datetime.now(PLUS_TWO)
    who = "Anna Berg (MRN-1001, born 1970-01-02)"
    assert awaiting_line(who, _stamp(now), 0, PLUS_TWO) == (
        f"A result awaits confirmation: {who}, analysed {now:%H:%M}.")
    assert awaiting_line(who, _stamp(now), 2, PLUS_TWO) == (
        f"3 results await confirmation: {who}, analysed {now:%H:%M}, and 2 more.")
    # another day's: its date too
    earlier = datetime(2026, 12, 5, 21, 30, tzinfo=PLUS_TWO)
    assert awaiting_line(who, _stamp(earlier), 1, PLUS_TWO) == (
        f"2 results await confirmation: {who}, analysed 2026-12-05 21:30, and 1 more.")


def test_the_question_names_the_patient_the_time_and_what_was_decided() -> None:
    question = assessed_today_question("Bo Carlsson (MRN-1002)", "Bo Carlsson", "10:02", "confirmed", "I")
    assert question.startswith("Bo Carlsson (MRN-1002) was assessed at 10:02 today (grade I confirmed). "
                               "Start another assessment of Bo Carlsson?\n\n")
    assert "(its grade awaits confirmation)" in assessed_today_question("Bo (B)", "Bo", "10:02", "analysed", None)
