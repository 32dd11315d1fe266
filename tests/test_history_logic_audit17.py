"""History logic, audit 17 (h1 #1, #4): the time axis spans the plotted visits only, and the
row the history selects is the visit last opened, else the newest with results."""

from __future__ import annotations

from app.pages.history_logic import axis_times, history_points, selected_row
from app.records_gateway import AssessmentInfo

RESULT = {"grade": "III", "measured": {"function_percent": 60.0, "regions": {}}}
GRADED = AssessmentInfo(1, "P-1", "confirmed", "2024-01-10T09:00:00+00:00", model_grade="III", confirmed_grade="III",
                        result=RESULT)
MEASURED = AssessmentInfo(2, "P-1", "analysed", "2024-02-10T09:00:00+00:00",  # a function, no grade
                          result={"measured": {"function_percent": 40.0, "regions": {}}})
DRAFT = AssessmentInfo(3, "P-1", "draft", "2026-12-07T20:00:00+00:00")


def test_the_axis_spans_the_plotted_visits_not_a_draft() -> None:
    times = axis_times(history_points([GRADED, MEASURED, DRAFT]))
    assert len(times) == 2 and max(times) < history_points([DRAFT])[0].when.timestamp()


def test_with_nothing_plotted_the_axis_spans_every_visit() -> None:
    assert axis_times(history_points([DRAFT])) == [history_points([DRAFT])[0].when.timestamp()]
    assert axis_times([]) == []


def test_the_row_selected() -> None:
    newest_first = [DRAFT, MEASURED, GRADED]
    assert selected_row(newest_first, None) == 1  # the newest with results, not the draft
    assert selected_row(newest_first, 1, frozenset({1, 2, 3})) == 2  # the visit last opened
    # a visit with results recorded since it was opened (review r1 #1): the newest, not the old one
    newer = AssessmentInfo(4, "P-1", "confirmed", "2026-12-08T09:00:00+00:00", model_grade="II",
                           confirmed_grade="II", result=RESULT)
    assert selected_row([newer, *newest_first], 1, frozenset({1, 2, 3})) == 0
    assert selected_row([AssessmentInfo(5, "P-1", "draft", "2026-12-09T09:00:00+00:00"), *newest_first],
                        1, frozenset({1, 2, 3})) == 3  # a new draft only: the place is kept
    assert selected_row(newest_first, 99) == 1  # last opened no longer listed (another patient's)
    assert selected_row([DRAFT], None) == 0 and selected_row([], 1) is None
