"""`render_pdf` makes a report of a confirmed assessment only (app/export; no window)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis import AnalysisResult
from app.export import render_pdf
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings
from models.errors import InputError

STORED = {"grade": "III", "probabilities": {"III": 0.6}, "measured": {"grade": "III", "function_percent": 50.0}}


def _info(status: str, confirmed: str | None) -> AssessmentInfo:
    return AssessmentInfo(1, "MRN-1", status, "2024-01-10T09:00:00+00:00", model_grade="III",
                          confirmed_grade=confirmed, clinician="Dr" if confirmed else "", result=STORED)


def _result() -> AnalysisResult:
    return AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, {}, {})


@pytest.mark.parametrize(("status", "confirmed"), [
    ("analysed", None),  # the network's grade, nobody confirmed it
    ("analysed", "III"),
    ("draft", None),
    ("discarded", "III"),
    ("confirmed", None),
    ("confirmed", ""),
])
def test_an_unconfirmed_assessment_is_not_rendered(tmp_path: Path, status: str, confirmed: str | None) -> None:
    info = _info(status, confirmed)
    with pytest.raises(InputError, match="no confirmed grade; confirm or override it"):
        render_pdf(info, PatientInfo("MRN-1"), _result(), Settings(), [info], data_folder=tmp_path / "data")
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.pdf"))


def test_a_confirmed_assessment_is_rendered(tmp_path: Path) -> None:
    info = _info("confirmed", "III")
    pdf = render_pdf(info, PatientInfo("MRN-1"), _result(), Settings(), [info])
    assert pdf.startswith(b"%PDF")
