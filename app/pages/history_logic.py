"""Headless logic of the history page: time series and table rows from past assessments."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from app.local_time import local_minute, local_minute_zoned, parse_stamp
from app.pages.results_logic import percent_text
from app.records_gateway import AssessmentInfo
from models.labels import GRADES
from models.pipeline.flag_wording import measured_side
from models.pipeline.measures import REGIONS

# the names the history plot's legend shows: the results table's and the report's
REGION_LABELS = {spec.name: spec.label for spec in REGIONS}


@dataclass(frozen=True)
class HistoryPoint:
    """One assessment on the time axis."""

    assessment_id: int
    when: datetime
    grade: str | None  # confirmed grade, else the model's
    confirmed: bool
    function_percent: float | None
    regions: dict[str, float | None]


def _parse_time(text: str) -> datetime:
    # Aware, as parse_stamp's times are: a naive fallback could not be sorted among them.
    return parse_stamp(text) or datetime.fromtimestamp(0, timezone.utc)


def visit_order(a: AssessmentInfo) -> tuple[datetime, int]:
    """Sort key of a visit: the moment it was created, then its number. Not the stored text: an
    older release's import kept times with another offset than UTC ('10:00+05:00' is 05:00 UTC,
    before '06:00+00:00'), whose text sorts out of time order."""
    return _parse_time(a.created), a.assessment_id


def history_points(assessments: list[AssessmentInfo]) -> list[HistoryPoint]:
    """Assessments with a grade, oldest first."""
    points = []
    for a in assessments:
        grade = a.confirmed_grade or a.model_grade
        measured = (a.result or {}).get("measured", {}) or {}
        regions = {name: (values or {}).get("percent") for name, values in (measured.get("regions") or {}).items()}
        points.append(HistoryPoint(a.assessment_id, _parse_time(a.created), grade, a.confirmed_grade is not None,
                                   measured.get("function_percent"), regions))
    return sorted(points, key=lambda p: (p.when, p.assessment_id))


def plotted(p: HistoryPoint) -> bool:
    """Whether a chart draws `p`: a grade, the function or a region's value (a draft has none)."""
    return bool(p.grade) or p.function_percent is not None or any(v is not None for v in p.regions.values())


def axis_times(points: list[HistoryPoint]) -> list[float]:
    """The moments the charts' time axis spans: the plotted points' (an unfinished draft of
    today, never plotted, squeezed months of graded visits into a corner), every point's only
    when none is plotted."""
    return [p.when.timestamp() for p in ([p for p in points if plotted(p)] or points)]


def grade_number(grade: str | None) -> float | None:
    """'I'..'VI' -> 1..6 for plotting."""
    return float(GRADES.index(grade) + 1) if grade in GRADES else None


# the plots' markers full size up to this many visits, half of it above: at 500 visits over four
# years, 1.3 pixels apart, the 11 and 9 pixel markers merged into a band that hid the lines
DENSE_VISITS = 50


SMOOTH_UP_TO = 40  # points of a line drawn antialiased: more repainted a 220-visit history in 0.5-0.75 s, not 0.05


def smooth_lines(points: int) -> bool:
    """Whether a history line of `points` points is drawn antialiased (pyqtgraph's option for the
    whole program is on): a few look better so; a long-followed patient's lines cost ten times
    as much to paint, at every repaint (audit17 p1, F1)."""
    return points <= SMOOTH_UP_TO


def marker_size(points: int, full: int) -> int:
    """The size in pixels of the markers of a series of `points` points drawn `full` size when few."""
    return full if points <= DENSE_VISITS else max(4, full // 2)


# "Network": the network's grade, as the report calls it (the measured grade comes from the model too)
HISTORY_COLUMNS = ("Date", "Status", "Network", "Measured", "Function", "Side", "Confirmed", "Clinician")


def _zone(stamp: str) -> str:
    """The zone `local_minute_zoned` names for `stamp` (" NZDT"), "" for text that is no time."""
    return local_minute_zoned(stamp)[len(local_minute(stamp)):]


def zones_differ(assessments: list[AssessmentInfo]) -> bool:
    """Whether the visits' local times fall in more than one zone (daylight and standard time):
    without the zone, a visit 40 minutes after another across the end of daylight time read
    02:10 below 02:30, and the table then names it on every row, as the report does."""
    return len({_zone(a.created) for a in assessments}) > 1


def history_row(a: AssessmentInfo, zoned: bool = False) -> tuple[str, ...]:
    """Table columns (`HISTORY_COLUMNS`): date (with its zone when `zoned`: `zones_differ`),
    status, network grade, measured grade, the measured function (House's measure, as the
    report's history table gives it: the plot alone kept it from a screen reader), the measured
    affected side (a side that flips between visits points at mirrored photos or a mix-up),
    confirmed grade, clinician."""
    side = measured_side((a.result or {}).get("affected_side"), a.measured_grade) if a.result else None
    function = ((a.result or {}).get("measured") or {}).get("function_percent")
    when = local_minute_zoned(a.created) if zoned else local_minute(a.created)
    return (when, a.status, a.model_grade or "\u2013", a.measured_grade or "\u2013",
            percent_text(function), side or "\u2013", a.confirmed_grade or "\u2013", a.clinician or "\u2013")


def selected_row(assessments: list[AssessmentInfo], last_opened: int | None, seen: frozenset[int] = frozenset()) -> int | None:
    """The row the history selects among `assessments` (newest first): the visit last opened
    from it while still listed and no visit with results has been added since (`seen`: the
    visits listed when it was opened) (the clinician stepping through visits kept losing their
    place; a visit recorded since is what they come back for), else the newest with results (a
    draft on top was a dead end for Open), else the top row; None with no row."""
    if not assessments:
        return None
    numbers = [a.assessment_id for a in assessments]
    added = any(a.assessment_id not in seen and a.status in WITHDRAWABLE for a in assessments)
    if last_opened in numbers and not added:
        return numbers.index(last_opened)
    return next((row for row, a in enumerate(assessments) if a.status in WITHDRAWABLE), 0)


DAY_S = 86400.0


def time_axis_range(timestamps: list[float], min_span_days: float = 14.0, now: float | None = None) -> tuple[float, float]:
    """The x range of the history plots: every point with a margin, and at least
    `min_span_days` wide, so that one visit (or several on one day) reads as dates, not as
    fractions of a second; with no visit, the `min_span_days` up to `now` (the axis showed
    "00.100 ... 00.900" around 1970)."""
    if not timestamps:
        end = time.time() if now is None else now
        return end - min_span_days * DAY_S, end
    lo, hi = min(timestamps), max(timestamps)
    margin = max((hi - lo) * 0.05, DAY_S)
    lo, hi = lo - margin, hi + margin
    if hi - lo < min_span_days * DAY_S:
        centre = (lo + hi) / 2
        lo, hi = centre - min_span_days * DAY_S / 2, centre + min_span_days * DAY_S / 2
    return lo, hi


# -- "Entered in error": a past visit recorded under the wrong patient -------------------------
# Drafts are not withdrawn: the patients page's bar discards them (Store.discard_assessment).
WITHDRAWABLE = ("analysed", "confirmed")
ENTERED_IN_ERROR_TITLE = "Mark visit as entered in error?"
# the question's last paragraph: the dialog shows it on its own line, in bold
CANNOT_BE_UNDONE = "This cannot be undone."
REASON_MAX_LEN = 500  # the store's limit (Store.withdraw_assessment)


def withdrawable(a: AssessmentInfo | None) -> bool:
    """Whether "Entered in error…" applies to the selected visit: an analysed or confirmed one."""
    return a is not None and a.status in WITHDRAWABLE


def visit_words(a: AssessmentInfo) -> str:
    """A visit as the therapist knows it, with no name (logs may carry it): "visit of
    2026-12-05 14:02 (grade IV, confirmed)", "visit of 2026-12-05 14:02 (network grade II, not
    confirmed)"."""
    if a.confirmed_grade:
        grade = f"grade {a.confirmed_grade}, confirmed"
    elif a.model_grade:
        grade = f"network grade {a.model_grade}, not confirmed"
    else:
        grade = "no grade"
    return f"visit of {local_minute(a.created)} ({grade})"


def visit_line(a: AssessmentInfo) -> str:
    """The visit on the question's "Visit:" line: "2026-12-05 14:02, grade IV, confirmed by Dr
    Kim", "2026-12-05 14:02, network grade II, not confirmed"."""
    if a.confirmed_grade:
        grade = f"grade {a.confirmed_grade}, confirmed" + (f" by {a.clinician}" if a.clinician else "")
    elif a.model_grade:
        grade = f"network grade {a.model_grade}, not confirmed"
    else:
        grade = "no grade"
    return f"{local_minute(a.created)}, {grade}"


def entered_in_error_question(patient: str, a: AssessmentInfo) -> str:
    """The question "Entered in error…" asks: the patient (name, ID, date of birth) and the
    visit (date, grade, who confirmed it) each on a line of its own, so that the name never reads
    as part of the clinician's; then what it does, and CANNOT_BE_UNDONE as its last paragraph."""
    return (
        f"Patient: {patient}\n"
        f"Visit: {visit_line(a)}\n\n"
        "Use this when the visit was recorded under the wrong patient. It will no longer appear in this "
        "patient's history, graphs or later reports. Nothing is deleted, and your reason is recorded in the "
        "audit trail.\n\n"
        + CANNOT_BE_UNDONE
    )


def withdrawn_note(shown: int, withdrawn: int) -> str:
    """The line under the visits: how many visits marked entered in error the history leaves
    out (a withdrawn visit left no trace, and a patient whose only visit it was read "No
    assessments yet."); "" when there are visits and none was withdrawn."""
    if not shown:
        return f"No assessments to show ({withdrawn} marked entered in error)." if withdrawn else "No assessments yet."
    if not withdrawn:
        return ""
    if withdrawn == 1:
        return "1 visit marked entered in error is not shown."
    return f"{withdrawn} visits marked entered in error are not shown."


def withdrawn_message(a: AssessmentInfo, patient: str) -> str:
    """The status bar's word after a visit was marked entered in error, short enough to be read
    whole: "Visit of 2026-08-15 10:30 marked entered in error (Jane Doe, MRN-2041). Reason saved
    in the audit trail." (`patient` is "assessment 4" in the log)."""
    return f"Visit of {local_minute(a.created)} marked entered in error ({patient}). Reason saved in the audit trail."
