"""The report as a screen reader or text extraction gets it (no tags): the PDF names its
language, each page reads its story first (the title on page 1) and the running header and
footer last, and the keys of the attention and segmentation images are text, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from app.report.outputs import write_outputs
from app.report.pdf import DISCLAIMER, ReportContext
from models.pipeline.assess import assess
from models.pipeline.loader import wrap_model
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_patient


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assessment = assess({e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}, wrap_model(OracleNet()))
    context = ReportContext(clinic_name="Riverside ENT Clinic", patient_id="P-0042", patient_name="Jane Roe")
    return write_outputs(assessment, tmp_path_factory.mktemp("report"), context).report_pdf


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_report_names_its_language(report: Path) -> None:
    assert PdfReader(str(report)).trailer["/Root"]["/Lang"] == "en"


def test_each_page_reads_its_story_before_the_header_and_footer(report: Path) -> None:
    pages = _pages(report)
    assert len(pages) > 1
    assert pages[0].startswith("Riverside ENT Clinic Facial palsy assessment (House-Brackmann)"), pages[0][:120]
    header, footer = "Riverside ENT Clinic P-0042 Jane Roe", " ".join(DISCLAIMER.split())
    for n, text in enumerate(pages, start=1):
        tail = text[text.rindex(header):]  # the running header, then the footer, close the page
        assert footer in tail and f"page {n}" in tail and len(tail) < len(header) + len(footer) + 60, tail


def test_attention_colour_key_and_segmentation_classes_are_text(report: Path) -> None:
    text = " ".join(_pages(report))
    section = text[text.index("Expression photos, segmentation and attention"):]
    # the key is read before the images, on every page of photos (a page printed alone keeps it)
    photo_pages = [page for page in _pages(report) if "this photo alone" in page]
    assert len(photo_pages) >= 2
    for page in photo_pages:
        assert "much attention" in page and page.index("little much attention") < page.index("this photo alone")
    classes = "skin, left brow, right brow, left eye, right eye, nose, upper lip, inner mouth, lower lip, hair (each"
    assert section.count(classes) == 1 and section.index(classes) > section.index("Puff cheeks: this photo alone")
    assert "grade is the network's answer for that photo alone; the network grade is their mean" in section
