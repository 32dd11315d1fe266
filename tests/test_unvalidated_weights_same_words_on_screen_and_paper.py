"""Weights that are not validated are named in the same words, with the same capitals, by the
window's amber banner and by the report's amber box and running line (audit s15/v2 #8: the
screen said "Weights not validated — NOT FOR DIAGNOSIS", the printout of the same visit
"MODEL NOT VALIDATED — NOT FOR DIAGNOSIS")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

import models.resources as resources
from app.report.model_cautions import CAUTIONS_TITLE
from app.report.pdf import ReportContext, write_report
from app.window_model import UNVALIDATED_BANNER

TITLE = "WEIGHTS NOT VALIDATED \u2014 NOT FOR DIAGNOSIS"


def test_the_banner_starts_with_the_reports_title() -> None:
    assert CAUTIONS_TITLE == TITLE
    assert UNVALIDATED_BANNER.startswith(f"{TITLE}: ")


def test_a_report_of_unvalidated_weights_prints_the_banners_words_on_every_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "demo_weights_sha256", lambda: "ab" * 32)  # these weights are not the demo's
    model = {"name": "research", "path": "/opt/weights/research.pt", "sha256": "cd" * 32}
    body = {"grade": "III", "probabilities": {"III": 0.7}, "affected_side": "left", "model": model,
            "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}}}
    path = write_report(tmp_path / "r.pdf", body, ReportContext(notes="x\n" * 120))  # long notes: a second page
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]
    banner_words = UNVALIDATED_BANNER.split(":")[0]
    assert len(pages) > 1 and all(banner_words in page for page in pages)
