"""The report's grade history table lists the last visits, this one among them, and says how
many earlier ones only the chart shows: a 500-visit patient's report printed 10 pages of visits."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pypdf import PdfReader

from app.report.charts import HistoryPoint
from app.report.pdf import HISTORY_TABLE_VISITS, ReportContext, write_report
from tests.assess.test_report_matches_screen import BODY


def _history(visits: int) -> list[HistoryPoint]:
    first = date(2020, 1, 1)
    return [HistoryPoint((first + timedelta(days=7 * i)).isoformat(), "III", float(i % 90 + 10)) for i in range(visits)]


def _row(point: HistoryPoint) -> str:
    return f"{point.date} {point.grade} {point.function_percent:.0f} %"


def _report(tmp_path: Path, history: list[HistoryPoint]) -> tuple[int, str]:
    path = write_report(tmp_path / "r.pdf", BODY, ReportContext(assessment_date=history[-1].date, history=history))
    reader = PdfReader(str(path))
    return len(reader.pages), " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_long_history_lists_the_last_visits_and_counts_the_earlier_ones(tmp_path: Path) -> None:
    history = _history(HISTORY_TABLE_VISITS + 60)
    pages, text = _report(tmp_path, history)
    shown = [text.index(_row(p)) for p in history[-HISTORY_TABLE_VISITS:]]
    assert shown == sorted(shown)  # oldest first, this visit (the newest) last
    assert not any(_row(p) in text for p in history[:-HISTORY_TABLE_VISITS])
    assert f"The last {HISTORY_TABLE_VISITS} of {len(history)} visits; the 60 earlier visits are shown in the chart." in text
    assert pages == _report(tmp_path, history[-HISTORY_TABLE_VISITS:])[0]  # no page more than 20 visits take


def test_a_short_history_lists_every_visit_without_a_note(tmp_path: Path) -> None:
    history = _history(HISTORY_TABLE_VISITS)
    _pages, text = _report(tmp_path, history)
    assert all(_row(p) in text for p in history)
    assert "earlier visit" not in text
