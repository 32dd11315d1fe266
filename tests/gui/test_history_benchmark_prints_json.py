"""benchmarks/history_page.py prints one JSON object with its figures, as the other benchmarks do."""

from __future__ import annotations

import json

import pytest

from tests.scripts import load_script


def test_the_history_benchmark_prints_its_figures(qapp, capsys: pytest.CaptureFixture[str]) -> None:
    report = load_script("benchmarks/history_page.py").main(["--visits", "3", "--drafts", "2", "--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed == report and printed["benchmark"] == "history_page"
    assert printed["visits"] == 3 and printed["drafts"] == 2
    assert printed["history_sql"] > 0 and printed["unfinished_sql"] > 0 and printed["history_page_ms"] > 0
