"""The PDF report: pages and text for a confirmed assessment with history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from app.report.charts import HistoryPoint
from app.report.outputs import write_outputs
from app.report.pdf import DISCLAIMER, ReportContext, write_report
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from models.pipeline.measures import movement_figure
from models.pipeline.overlays import (
    attention_overlay,
    heat_alpha,
    heat_colours,
    segmentation_overlay,
)
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_face, paint_patient


def _text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.fixture(scope="module")
def oracle_assessment():
    return assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))


def test_report_with_confirmation_history_and_notes(oracle_assessment, tmp_path: Path) -> None:
    context = ReportContext(
        clinic_name="Riverside ENT Clinic", patient_id="P-0042", patient_name="Jane Roe", date_of_birth="1970-01-01",
        sex="F", clinician="Dr A. Example", assessment_date="2026-11-24", confirmed_grade="IV",
        notes="Mild synkinesis at the mouth on eye closure.",
        history=[HistoryPoint("2026-01-10", "V", 15.0), HistoryPoint("2026-04-02", "IV", 31.0), HistoryPoint("2026-11-24", "IV", 38.0)],
    )
    outputs = write_outputs(oracle_assessment, tmp_path / "out", context)
    pages, text = _text(outputs.report_pdf)
    assert pages == 3  # summary + HB table; history, notes, model + photos; photos
    for needle in (
        "Riverside ENT Clinic", "P-0042", "Jane Roe", "1970-01-01", "Dr A. Example", "2026-11-24",
        "Confirmed grade", "by Dr A. Example", "Clinician override", "network said II, clinician confirmed IV",
        "Measured grade", "Brow elevation", "Commissure excursion", "Eye closure", "Nasal ala lift", "Cheek lateral extent",
        "weaker: left", "left (patient's)", "Network and measured grades disagree",
        "Highlighted: grade IV", "Grade history", "2026-01-10", "31 %",
        "Mild synkinesis at the mouth on eye closure.", "untrained", "Rest: this photo alone II",
    ):
        assert needle in text, needle
    # The big grade box shows the clinician's grade, not the network's (II).
    assert "Confirmed grade IV by Dr A. Example" in text
    assert " ".join(DISCLAIMER.split()) in text
    # Regional table: each row's Left and Right columns are the patient's sides, in that order
    # (this patient is weak on the left, so a swap would contradict "weaker: left").
    table = text[text.index("Region Expression Left Right"):]
    regions = oracle_assessment.to_dict()["measured"]["regions"]
    measured = [(n, r) for n, r in regions.items()
                if isinstance(r.get("left"), float) and isinstance(r.get("right"), float)]
    assert measured
    for name, r in measured:
        row = table[table.index(r["label"] + " "):][:120]
        cells = f" {movement_figure(r['left'], name)} {movement_figure(r['right'], name)} "
        assert cells in row, (name, cells, row)
    assert regions["brow"]["left"] < regions["brow"]["right"]  # the weak side really is the left
    # Grade history, printed under "(oldest first)": the visits in date order.
    history = text[text.index("(oldest first)"):]
    assert history.index("2026-01-10") < history.index("2026-04-02") < history.index("2026-11-24")


def test_unconfirmed_report_without_history(oracle_assessment, tmp_path: Path) -> None:
    from models.pipeline.overlays import save_png

    body = oracle_assessment.to_dict()
    body["model"]["training_data"] = {
        "command": "palsy train demo",
        "stage2": {"stage": "grading", "steps": 4845, "data": {"patients": 600, "photos": 3600}},
        "recipe": {"train_patients": 600},
    }
    logo = save_png(np.full((40, 120, 3), (20, 90, 160), np.uint8), tmp_path / "logo.png")
    path = write_report(tmp_path / "r.pdf", body, ReportContext(assessment_date="2026-11-24", clinic_logo=str(logo)))
    assert len(PdfReader(str(path)).pages[0].images) == 1  # the logo
    pages, text = _text(path)
    assert pages == 2  # no photos given: placeholders only
    assert "Network's grade (not yet confirmed)" in text and "review and confirm before use" in text
    assert "Network's grade (not yet confirmed) II review and confirm before use" in text
    assert "Grade history" not in text
    assert "Highlighted: grade II" in text
    assert "(photo not available)" in text  # no image files were given
    # The checkpoint's training record reads as sentences, not as a raw dictionary.
    assert "Trained with 'palsy train demo'. Grading (E1 frozen) (4845 steps): 600 patients (3600 photos)." in text
    assert "train_patients" not in text


def test_report_says_why_a_region_was_not_measured(tmp_path: Path) -> None:
    # Without a raise-eyebrows photo the brow has no row: the measure's note under the table
    # is the only place the reader learns why.
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items() if e != "raise_eyebrows"}
    assessment = assess(photos, wrap_model(OracleNet()))
    assert "Brow elevation: no raise eyebrows photo" in assessment.to_dict()["measured"]["notes"]
    outputs = write_outputs(assessment, tmp_path / "out", ReportContext(patient_id="P-1", patient_name="X"))
    _, text = _text(outputs.report_pdf)
    assert "Note: Brow elevation: no raise eyebrows photo" in text


def test_overlays_have_legend_and_heat() -> None:
    mask = paint_face()
    photo = cartoon_photo(mask)
    seg = segmentation_overlay(photo, mask)
    assert seg.shape[0] == 256 and seg.shape[1] > 256  # legend panel to the right
    assert np.array_equal(seg[0, 0], photo[0, 0])  # background left clear
    heat = np.zeros((32, 32), np.float32)
    heat[:, 16:] = 1.0
    att = attention_overlay(photo, heat)
    assert att.shape == photo.shape
    # laid over as on the results page: see-through where cold (a half blend printed a dark
    # face at half its brightness), the 'hot' ramp's white at the page's 60 % where hottest
    left, right = photo[128, 5].astype(int), photo[128, 250].astype(int)
    assert np.array_equal(att[128, 5].astype(int), left)
    assert np.abs(att[128, 250].astype(int) - (right * 0.4 + 255 * 0.6)).max() <= 1
    from app.pages.results_logic import heat_lut

    lut = heat_lut(0.6)  # the page's default opacity: the same cover at every heat, paper and screen
    heats = np.linspace(0.0, 1.0, 256)
    assert np.abs(heat_alpha(heats) * 255 - lut[:, 3]).max() <= 1


def test_report_heat_is_the_screens_hot_ramp_and_lightens_with_heat() -> None:
    from app.pages.results_logic import heat_lut

    ramp = heat_colours(np.linspace(0.0, 1.0, 256))
    assert np.array_equal(ramp, heat_lut(1.0)[:, :3])  # one scale on paper and on screen
    lightness = ramp.astype(int) @ np.array([299, 587, 114])  # readable in grey: never darker as heat rises
    assert np.all(np.diff(lightness) >= 0) and lightness[-1] > lightness[0]


def test_report_prints_a_movement_that_rounds_to_zero_as_the_results_page_does(oracle_assessment, tmp_path: Path) -> None:
    # A paralysed brow that moved a hair the wrong way: "0.00", as on the results page, not "-0.00".
    from app.pages.results_logic import movement_text

    body = oracle_assessment.to_dict()
    body["measured"]["regions"]["brow"]["left"] = -0.0006
    assert movement_text(-0.0006, "D", "brow") == "0.00 D"
    _, text = _text(write_report(tmp_path / "r.pdf", body))
    row = text[text.index("Brow elevation "):][:60]
    assert " 0.00 " in row and "-0.00" not in text, row
