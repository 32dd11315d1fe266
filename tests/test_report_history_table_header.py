"""The PDF's grade-history table: each header fits inside its column (audit s15/v2 #3:
"Confirmed grade", bold 7.5 pt in a 27 mm column, touched the grid line and ran into
"Measured function"), and an empty cell is the en dash the history page shows, not a hyphen."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, Table

from app.pages.results_logic import percent_text
from app.report.charts import HistoryPoint
from app.report.fonts import FONT_BOLD
from app.report.pdf import _history_table, _styles

HEADERS = ("Visit, local time (oldest first)", "Confirmed grade", "Measured function")


def _table(history: list[HistoryPoint]) -> Table:
    return next(item for item in _history_table(history, _styles()) if isinstance(item, Table))


def _widest_line(cell: object, room: float) -> float:
    """How wide `cell` is drawn in a column with `room` points inside its paddings: a
    paragraph's widest wrapped line (a word longer than the room stays that long), a plain
    string's width in the header's bold 7.5 pt."""
    if isinstance(cell, Paragraph):
        cell.wrap(room, 10_000)
        return max(cell.getActualLineWidths0())
    return stringWidth(str(cell), FONT_BOLD, 7.5)


def _text(cell: object) -> str:
    return cell.text if isinstance(cell, Paragraph) else str(cell)


def test_each_history_header_fits_inside_its_column() -> None:
    table = _table([HistoryPoint("2026-01-10", "IV", 31.0)])
    header = table._cellvalues[0]
    assert [_text(cell) for cell in header] == list(HEADERS)
    for column, cell in enumerate(header):
        style = table._cellStyles[0][column]
        room = table._colWidths[column] - style.leftPadding - style.rightPadding
        assert _widest_line(cell, room) <= room, (_text(cell), _widest_line(cell, room), room)


def test_empty_history_cells_are_the_history_pages_en_dash() -> None:
    table = _table([HistoryPoint("2026-01-10", None, None), HistoryPoint("2026-04-02", "IV", 31.0)])
    empty, filled = table._cellvalues[1], table._cellvalues[2]
    assert [_text(empty[1]), _text(empty[2])] == ["\u2013", "\u2013"] == [percent_text(None)] * 2
    assert [_text(filled[1]), _text(filled[2])] == ["IV", "31 %"]
