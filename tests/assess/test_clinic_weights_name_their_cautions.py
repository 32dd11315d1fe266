"""`palsy assess` with weights that carry cautions (a clinic's own) prints them at the top, as
it prints the demonstration line for the demo weights; the assessment's model record keeps them,
and the report's amber box is built from that record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportlab.platypus import SimpleDocTemplate, Table

from app.cli import main
from app.report.model_cautions import CAUTIONS_TITLE, cautions_box
from models.cascade import build_model
from models.checkpoint import save_checkpoint
from models.config import COMPACT

CAUTIONS = [
    "Trained on 8 patients of this clinic, tested on 2 (test accuracy 0.500, kappa 0.429); not a validated medical device.",
    "The test split has no patient of grade I, II, III, VI: the figures say nothing about those grades.",
]


@pytest.fixture
def clinic_weights(tmp_path: Path) -> Path:
    path = tmp_path / "weights" / "clinic.pt"
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), path, training={"command": "palsy train clinic"},
                    extra={"cautions": CAUTIONS})
    return path


def test_palsy_assess_prints_the_cautions_first(capsys, patient_dir: Path, clinic_weights: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert main(["assess", str(patient_dir), "--out", str(out), "--weights", str(clinic_weights), "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [f"{CAUTIONS_TITLE} (clinic)", f"caution: {CAUTIONS[0]}", f"caution: {CAUTIONS[1]}"]
    record = json.loads((out / "assessment.json").read_text())["model"]
    assert record["cautions"] == CAUTIONS  # a report rebuilt from the record later shows them too


def test_the_box_lists_the_cautions_under_its_title(tmp_path: Path) -> None:
    box = cautions_box({"name": "clinic", "cautions": CAUTIONS}, 400)
    assert isinstance(box, Table)
    texts = [row[0].getPlainText() for row in box._cellvalues]
    assert texts == [CAUTIONS_TITLE, *(f"\u2022 {text}" for text in CAUTIONS)]
    SimpleDocTemplate(str(tmp_path / "box.pdf")).build([box])  # it draws


def test_no_box_without_cautions() -> None:
    assert cautions_box({"name": "demo_compact", "demo": True}, 400) is None
    assert cautions_box(None, 400) is None


def test_the_report_of_cautioned_weights_says_so_on_every_page(capsys, patient_dir: Path, clinic_weights: Path,
                                                                tmp_path: Path) -> None:
    from pypdf import PdfReader

    from models.pipeline.overlays import ATTENTION_NOTE

    out = tmp_path / "o"
    assert main(["assess", str(patient_dir), "--out", str(out), "--weights", str(clinic_weights), "--device", "cpu"]) == 0
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(out / "report.pdf").pages]
    assert len(pages) > 1 and all(CAUTIONS_TITLE in page for page in pages)
    assert "tested on 2 (test accuracy 0.500" in pages[0]
    assert any(" ".join(ATTENTION_NOTE.split()) in page for page in pages)  # beside the heat maps
