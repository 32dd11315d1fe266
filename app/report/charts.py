"""ReportLab vector charts for the report: grade probabilities and the grade history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from app.local_time import parse_stamp
from app.report.fonts import FONT, clean_text, register_fonts
from models.labels import GRADES
from models.pipeline.flag_wording import LOW_CONFIDENCE, top_probability_text

ACCENT = colors.HexColor("#1f5f99")
HIGHLIGHT = colors.HexColor("#e07b00")  # the grade the report stands by (the confirmed one once confirmed)
# the network's bar once a clinician confirmed another grade: orange there would tie the bar to
# the confirmed grade's orange box (auditor a3, F6.10)
OVERRIDDEN = colors.HexColor("#0b2f52")
NETWORK_LABEL = "network"  # under the overridden network grade's bar
MAX_DATE_LABELS = 8  # on the history chart's time axis
# the history lists the clinician's confirmed grades only (`app.export.report_context`), not the network's
HISTORY_TITLE = "Confirmed House-Brackmann grade over time"


@dataclass(frozen=True)
class HistoryPoint:
    """One earlier (or the current) assessment of the patient."""

    date: str  # ISO date, or a stored timestamp: the chart shows its local date, the table its local minute
    grade: str  # I..VI
    function_percent: float | None = None


def bar_label(percent: float) -> str:
    """A bar's label, by the rule of the network grade's probability text
    (`top_probability_text`): 49.96 is "49.96", never "50" beside "III (49.96 %)"."""
    text = top_probability_text(percent / 100.0)
    if not text[:1].isdigit():  # "just under 50%": no digits say it, and its words spanned three bars
        return f"<{100 * LOW_CONFIDENCE:.0f}"
    return text[:-1] if text.endswith("%") else text


def probability_chart(probabilities: Mapping[str, float], highlight: str | None = None, width: float = 220,
                      height: float = 110, overridden: bool = False) -> Drawing:
    """Bar chart of the six grade probabilities (percent); the `highlight` grade (the network's)
    in orange, or, once a clinician `overridden` it, in dark blue under a "network" label."""
    register_fonts()
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = width - 40, height - 35
    chart.data = [[100.0 * float(probabilities.get(g, 0.0)) for g in GRADES]]
    chart.categoryAxis.categoryNames = list(GRADES)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    if highlight in GRADES:
        chart.bars[(0, GRADES.index(highlight))].fillColor = OVERRIDDEN if overridden else HIGHLIGHT
    chart.barLabelFormat = bar_label
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    if overridden and highlight in GRADES:  # under its grade's name: the dark bar is the network's
        x = chart.x + (GRADES.index(highlight) + 0.5) * chart.width / len(GRADES)
        drawing.add(String(x, 1, NETWORK_LABEL, fontName=FONT, fontSize=6.5, fillColor=OVERRIDDEN, textAnchor="middle"))
    drawing.add(String(width / 2, height - 10, "Network grade probabilities", fontName=FONT, fontSize=8, textAnchor="middle"))
    return drawing


def visit_day(text: str) -> date | None:
    """The calendar day of a history date: a plain ISO date as it is, a timestamp (stored
    UTC) in local time; None for text that is neither."""
    moment = visit_moment(text)
    return moment.date() if moment else None


def visit_moment(text: str) -> datetime | None:
    """A history date as an aware moment: a plain ISO date at its local midnight, a timestamp
    (stored UTC) as it is; None for text that is neither. Aware, so that the hour repeated at
    the end of summer time keeps two visits in their order."""
    text = (text or "").strip()
    try:
        try:
            return datetime.combine(date.fromisoformat(text), datetime.min.time()).astimezone()
        except ValueError:
            moment = parse_stamp(text)
            return moment.astimezone() if moment else None
    except OverflowError:  # within a day of year 1 (a reset clock): no day to place it on
        return None


def history_positions(history: Sequence[HistoryPoint]) -> list[float]:
    """The x value of each visit: days (with their fraction) since the first when every date
    is readable (so a week and eleven months look different, and a morning and an afternoon
    visit of one day are two points), else the visit's number."""
    moments = [visit_moment(p.date) for p in history]
    if moments and all(m is not None for m in moments):
        first = min(moments)
        return [(m - first).total_seconds() / 86400.0 for m in moments]
    return [float(i) for i in range(len(history))]


def _thin_labels(xs: Sequence[float], min_gap: float) -> list[int]:
    """Indexes of the positions (sorted, in points) that get a label: the first and the
    last, and those between at least `min_gap` from their labelled neighbours."""
    if not xs:
        return []
    chosen = [0]
    last = len(xs) - 1
    for i in range(1, last):
        if xs[i] - xs[chosen[-1]] >= min_gap and xs[last] - xs[i] >= min_gap:
            chosen.append(i)
    if last > 0 and xs[last] - xs[chosen[-1]] >= min_gap:
        chosen.append(last)
    return chosen


def history_chart(history: Sequence[HistoryPoint], width: float = 440, height: float = 150) -> Drawing:
    """Grade over time (I at the top, VI at the bottom), one point per assessment.

    The x axis is proportional to time; at most MAX_DATE_LABELS dates are written, none
    overlapping. Visits without a known grade are left out of the chart (the table lists them).
    """
    register_fonts()
    drawing = Drawing(width, height)
    chart = LinePlot()
    chart.x, chart.y = 40, 22
    chart.width, chart.height = width - 60, height - 42
    xs = history_positions(history)
    days = [visit_day(p.date) for p in history]
    # (x, 7 - grade number, date label) so that grade I sits at the top.
    points = sorted(
        ((x, float(len(GRADES) - GRADES.index(p.grade)), d.isoformat() if d else clean_text(p.date)[:16])
         for x, p, d in zip(xs, history, days, strict=True)
         if p.grade in GRADES),
        key=lambda point: point[0],  # stable: visits of one day keep their order
    )
    if not points:
        drawing.add(String(width / 2, height / 2, "No graded visits to plot.", fontName=FONT, fontSize=8, textAnchor="middle"))
        return drawing
    low, high = points[0][0], points[-1][0]
    pad = (high - low) * 0.03 or 1.0  # keep the first and last markers off the axes
    low, high = low - pad, high + pad
    scale = chart.width / (high - low)
    # One label per day (at its first visit), thinned so that they neither overlap nor exceed the limit.
    label_x: dict[float, str] = {}
    for x, _, label in points:
        if label not in label_x.values():
            label_x.setdefault(x, label)
    distinct = sorted(label_x)
    size = 7
    widest = max(pdfmetrics.stringWidth(label, FONT, size) for label in label_x.values())
    min_gap = max(widest + 8, chart.width / (MAX_DATE_LABELS - 1))
    shown = [distinct[i] for i in _thin_labels([(x - low) * scale for x in distinct], min_gap)]

    chart.data = [[(x, y) for x, y, _ in points]]
    chart.xValueAxis.valueMin, chart.xValueAxis.valueMax = low, high
    chart.xValueAxis.valueSteps = shown
    chart.xValueAxis.labelTextFormat = lambda v: label_x.get(v, "")
    chart.xValueAxis.labels.fontName = FONT
    chart.xValueAxis.labels.fontSize = size
    chart.xValueAxis.labels.boxAnchor = "n"
    chart.yValueAxis.valueMin, chart.yValueAxis.valueMax = 0.6, 6.4
    chart.yValueAxis.valueSteps = [1, 2, 3, 4, 5, 6]
    chart.yValueAxis.labels.fontName = FONT
    chart.yValueAxis.labels.fontSize = 8
    chart.yValueAxis.labelTextFormat = lambda v: GRADES[len(GRADES) - int(round(v))] if 1 <= round(v) <= 6 else ""
    chart.yValueAxis.visibleGrid = True
    chart.yValueAxis.gridStrokeColor = colors.HexColor("#e3e8ee")
    chart.yValueAxis.gridStrokeWidth = 0.5
    chart.lines[0].strokeColor = ACCENT
    chart.lines[0].strokeWidth = 1.5
    chart.lines[0].symbol = makeMarker("FilledCircle", size=5 if len(points) <= 24 else 3.5)
    chart.lines[0].symbol.fillColor = ACCENT
    drawing.add(chart)
    drawing.add(String(width / 2, height - 12, HISTORY_TITLE, fontName=FONT, fontSize=9, textAnchor="middle"))
    return drawing
