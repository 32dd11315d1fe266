"""ReportLab vector charts for the report: grade probabilities and the grade history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from models.labels import GRADES

ACCENT = colors.HexColor("#1f5f99")
HIGHLIGHT = colors.HexColor("#e07b00")


@dataclass(frozen=True)
class HistoryPoint:
    """One earlier (or the current) assessment of the patient."""

    date: str  # ISO date, shown as is
    grade: str  # I..VI
    function_percent: float | None = None


def probability_chart(probabilities: Mapping[str, float], highlight: str | None = None, width: float = 220, height: float = 110) -> Drawing:
    """Bar chart of the six grade probabilities (percent); the `highlight` grade in orange."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = width - 40, height - 35
    chart.data = [[100.0 * float(probabilities.get(g, 0.0)) for g in GRADES]]
    chart.categoryAxis.categoryNames = list(GRADES)
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 25
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    if highlight in GRADES:
        chart.bars[(0, GRADES.index(highlight))].fillColor = HIGHLIGHT
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(width / 2, height - 10, "Network grade probabilities", fontSize=8, textAnchor="middle"))
    return drawing


def history_chart(history: Sequence[HistoryPoint], width: float = 440, height: float = 150) -> Drawing:
    """Grade over time (I at the top, VI at the bottom), one point per assessment."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 40, 30
    chart.width, chart.height = width - 60, height - 50
    # Plot 7 - grade index so grade I sits at the top.
    chart.data = [[float(len(GRADES) - GRADES.index(p.grade)) for p in history]]
    chart.categoryAxis.categoryNames = [p.date for p in history]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(history) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(history) > 6 else "n"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 1, 6, 1
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = lambda v: GRADES[len(GRADES) - int(round(v))] if 1 <= v <= 6 else ""
    chart.lines[0].strokeColor = ACCENT
    chart.lines[0].strokeWidth = 1.5
    from reportlab.graphics.widgets.markers import makeMarker

    chart.lines[0].symbol = makeMarker("FilledCircle", size=5)
    chart.lines[0].symbol.fillColor = ACCENT
    drawing.add(chart)
    drawing.add(String(width / 2, height - 12, "House-Brackmann grade over time", fontSize=9, textAnchor="middle"))
    return drawing
