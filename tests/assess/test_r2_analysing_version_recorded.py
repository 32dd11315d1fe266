"""Review r2 D2: the report's "analysed by Palsy Grader X; this report printed by Y" line read
`app_version` from the stored assessment, but nothing wrote it: a visit analysed by one release
and reprinted by another claimed the printing build measured it. `palsy assess`/`demo`
(assessment.json, through the results writer) and the window's stored result both record the
release that analysed the photos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

import app
from app.analysis import result_from_assessment
from app.commands.assess import assess_and_write
from app.records import Store
from app.report.pdf import ReportContext, write_report
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient


@pytest.fixture(scope="module")
def photos() -> dict:
    return {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages).split())


def test_assess_records_the_analysing_release_and_a_later_one_names_it(
    photos: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assess_and_write(photos, wrap_model(OracleNet()), out, ReportContext(patient_id="P1"), quiet=True)
    body = json.loads((out / "assessment.json").read_text(encoding="utf-8"))
    analysed = app.version_text()
    assert body["app_version"] == analysed
    assert "analysed by" not in _pdf_text(out / "report.pdf")  # printed by the release that analysed it
    monkeypatch.setattr(app, "version_text", lambda: "9.9.9 (commit later)")  # reprinted after an upgrade
    write_report(tmp_path / "reprint.pdf", body, ReportContext(patient_id="P1"))
    assert f"analysed by Palsy Grader {analysed}" in _pdf_text(tmp_path / "reprint.pdf")


def test_the_windows_stored_result_records_the_analysing_release(photos: dict, tmp_path: Path) -> None:
    result = result_from_assessment(assess(photos, wrap_model(OracleNet())))
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P1")
        aid = store.start_assessment("P1").id
        store.record_results(aid, result.to_json(), model_grade=result.grade, measured_grade=result.measured_grade)
        assert store.get_assessment(aid).result["app_version"] == app.version_text()
