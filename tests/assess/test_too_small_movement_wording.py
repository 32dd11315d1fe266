"""A movement just below a region's threshold reads as below it (no "0.020 < 0.02 D")."""

from __future__ import annotations

import re

import pytest

from models.pipeline.measures import REGION_BY_NAME, compare_region, too_small_note
from tests.assess.test_flag_thresholds import _movement_of


@pytest.mark.parametrize("name", ["brow", "commissure", "ala", "cheek"])
def test_a_movement_just_below_the_threshold_reads_below_it(name: str) -> None:
    spec = REGION_BY_NAME[name]
    below = compare_region(spec, *_movement_of(name, spec.min_movement * 0.999))
    assert not below.judged
    assert below.note.startswith("movement too small to judge (the stronger side moved ")
    moved, needed = re.search(r"moved ([\d.]+) D, less than the ([\d.]+) D needed", below.note).groups()
    assert float(moved) < float(needed) == spec.min_movement


def test_the_note_says_what_was_needed() -> None:
    spec = REGION_BY_NAME["ala"]
    assert too_small_note(0.0199, spec) == \
        "movement too small to judge (the stronger side moved 0.0199 D, less than the 0.02 D needed)"
    assert too_small_note(0.005, spec).startswith("movement too small to judge (the stronger side moved 0.005 D")


def test_the_tables_cells_read_below_the_threshold_too(tmp_path) -> None:
    # the note said "moved 0.0199 D, less than the 0.02 D needed" beside a cell reading "0.02 D"
    from pypdf import PdfReader

    from app.pages.results_logic import movement_text
    from app.report.pdf import ReportContext, write_report

    assert movement_text(0.0199, "D", "ala") == "0.0199 D"
    assert movement_text(0.0199, "D") == "0.02 D" and movement_text(0.0500, "D", "ala") == "0.05 D"
    regions = {"ala": {"label": "Ala", "expression": "wrinkle_nose", "left": 0.0199, "right": 0.0101, "ratio": None,
                       "percent": None, "note": too_small_note(0.0199, REGION_BY_NAME["ala"])}}
    body = {"grade": "II", "probabilities": {"II": 0.8}, "affected_side": "left", "flags": [], "expressions": {},
            "measured": {"grade": None, "function_percent": None, "regions": regions}}
    pdf = write_report(tmp_path / "r.pdf", body, ReportContext())
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "0.0199" in text.split("Ala", 1)[1].split("movement too small")[0]
