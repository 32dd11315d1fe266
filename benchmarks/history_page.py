"""History page and unfinished-drafts benchmark: GUI-thread time and SQL statements at scale.

    python benchmarks/history_page.py --json [--visits 500] [--drafts 1000]

Builds, in a temporary folder and with the store's own API, one patient with `--visits`
confirmed visits (six small photos and a full result each), one patient with one visit, and
`--drafts` unfinished assessments of three photos each, of as many other patients. Then times,
on the GUI thread (offscreen unless QT_QPA_PLATFORM is set):

- history_read_ms / history_sql: `gateway.history()` of the many-visit patient, photos listed;
- history_no_photos_ms / history_no_photos_sql: the same without photos, as the history page
  and Export read it;
- page_first_fill_ms / page_refill_ms: `HistoryPage.show_history` of that patient, after the
  one-visit patient, then again over its own rows (the refill was the slow one);
- unfinished_read_ms / unfinished_sql: every draft with its photos (what the patients page's
  bar read before it asked for the one it offers);
- patients_bar_ms / patients_bar_sql: the bar as "Back to patients" fills it
  (`gateway.offered_draft()` and `PatientPage.show_unfinished`);
- drafts_of_one_patient_ms / drafts_of_one_patient_sql: one patient's drafts (the Resume question).

Target (the scale audit's F1): the history page's read plus its fill under 300 ms at 500 visits.
"""

from __future__ import annotations

import calendar
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from app.cli import OneLineParser  # noqa: E402
from app.commands import arg_types  # noqa: E402
from app.records import Store  # noqa: E402
from benchmarks.ran_on import load_average, ran_on  # noqa: E402
from models.labels import EXPRESSIONS, GRADES  # noqa: E402

TARGET_MS = 300.0
REGIONS = ("brow", "eye", "commissure", "ala", "cheek")
DAY_S = 86400


def _result(visit: int) -> dict:
    """A result with the fields the page plots: the grade, function and each region's percent."""
    grade = GRADES[visit % len(GRADES)]
    regions = {name: {"name": name, "percent": float((visit * 7 + i * 13) % 101)} for i, name in enumerate(REGIONS)}
    return {"grade": grade, "probabilities": {g: 1.0 if g == grade else 0.0 for g in GRADES},
            "measured": {"grade": grade, "function_percent": float(visit % 101), "regions": regions}}


def _photo() -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(data, "PNG")
    return data.getvalue()


def build(folder: Path, visits: int, drafts: int) -> None:
    """The patients and visits the timings read, in one transaction."""
    store = Store.open(folder)
    photo = _photo()
    start = calendar.timegm((2015, 1, 1, 9, 0, 0))
    with store.transaction():
        store.create_patient("MANY", name="Many Visits")
        store.create_patient("ONE", name="One Visit")
        for patient, count in (("MANY", visits), ("ONE", 1)):
            for v in range(count):
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime(start + v * 3 * DAY_S))
                aid = store.start_assessment(patient, created_at=stamp).id
                for expression in EXPRESSIONS:
                    store.save_capture(aid, expression, photo, {"passed": True}, captured_at=stamp)
                result = _result(v)
                store.record_results(aid, result, model_grade=result["grade"], measured_grade="II")
                store.confirm_grade(aid, GRADES[(v + 1) % len(GRADES)], "Dr Bench")
        for d in range(drafts):
            store.create_patient(f"DRAFT{d:05d}", name="Left Unfinished")
            aid = store.start_assessment(f"DRAFT{d:05d}").id
            for expression in EXPRESSIONS[:3]:
                store.save_capture(aid, expression, photo, {"passed": True})
    store.close()


def timed(statements: list[str], work: Callable[[], Any]) -> tuple[float, int, Any]:
    """Milliseconds and SQL statements `work` took, and what it returned."""
    statements.clear()
    begin = time.perf_counter()
    value = work()
    return (time.perf_counter() - begin) * 1000, len(statements), value


def measure(folder: Path, drafts: int) -> dict:
    """The timings of the module docstring."""
    from PySide6.QtWidgets import QApplication

    from app.gateway_store import open_gateway
    from app.pages.history import HistoryPage
    from app.pages.patient import PatientPage

    app = QApplication.instance() or QApplication(sys.argv[:1])
    gateway = open_gateway(folder)
    statements: list[str] = []
    gateway.store.db.connection().set_trace_callback(statements.append)
    page = HistoryPage()
    page.resize(1400, 900)
    page.show()
    patients = PatientPage(gateway)
    patients.show()
    app.processEvents()
    report: dict[str, Any] = {}
    try:
        read_ms, read_sql, _ = timed(statements, lambda: gateway.history("MANY"))
        bare_ms, bare_sql, many = timed(statements, lambda: gateway.history("MANY", photos=False))
        page.show_history("ONE", gateway.history("ONE"))
        app.processEvents()

        def fill() -> None:
            page.show_history("MANY", many)
            app.processEvents()

        first_ms, _, _ = timed(statements, fill)
        refill_ms, _, _ = timed(statements, fill)
        unfinished_ms, unfinished_sql, _ = timed(statements, gateway.unfinished)
        bar_ms, bar_sql, _ = timed(statements, lambda: patients.show_unfinished(*gateway.offered_draft()))
        report.update(visits=len(many), history_read_ms=round(read_ms, 1), history_sql=read_sql,
                      history_no_photos_ms=round(bare_ms, 1), history_no_photos_sql=bare_sql,
                      page_first_fill_ms=round(first_ms, 1), page_refill_ms=round(refill_ms, 1),
                      drafts=drafts, unfinished_read_ms=round(unfinished_ms, 1), unfinished_sql=unfinished_sql,
                      patients_bar_ms=round(bar_ms, 1), patients_bar_sql=bar_sql)
        one_ms, one_sql, _ = timed(statements, lambda: gateway.unfinished("DRAFT00000"))
        report.update(drafts_of_one_patient_ms=round(one_ms, 1), drafts_of_one_patient_sql=one_sql)
    finally:
        for widget in (page, patients):
            widget.close()
            widget.deleteLater()
        gateway.close()
    worst = report["history_no_photos_ms"] + max(report["page_first_fill_ms"], report["page_refill_ms"])
    report.update(history_page_ms=round(worst, 1), target_ms=TARGET_MS, meets_target=worst <= TARGET_MS)
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = OneLineParser(description="History page and unfinished-drafts benchmark")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--visits", type=arg_types.count, default=500, help="visits of the many-visit patient")
    parser.add_argument("--drafts", type=arg_types.count, default=1000, help="unfinished assessments")
    args = parser.parse_args(argv)
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="palsy-history-bench-") as tmp:
        folder = Path(tmp) / "data"
        began = time.perf_counter()
        build(folder, args.visits, args.drafts)
        built_s = time.perf_counter() - began
        report = {"benchmark": "history_page", "build_s": round(built_s, 1), **measure(folder, args.drafts)}
    report["ran_on"] = ran_on(1, 0, load_at_start)  # each figure is one cold run (the refill a second fill)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return report


if __name__ == "__main__":
    main()
