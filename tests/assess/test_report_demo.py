"""A report made with the demonstration weights says so on page 1, in a red-bordered box, by
the GUI banner's rule (models.resources.is_demo_weights: the shipped demo weights' sha256,
whatever the file is called, or "demo" in its name): `write_report`, `palsy assess`,
`palsy demo` and the self-test's check. The GUI export is in tests/gui/test_export_staging.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

import models.resources as resources
from app.cli import main
from app.report.pdf import DEMO_TITLE, PAGE_H, ReportContext, is_demo_record, write_report
from models.checkpoint import sha256_of

DEMO_SHA = "ab" * 32
WARNING = "DEMONSTRATION MODEL — NOT FOR DIAGNOSIS"
MARKER_Y = PAGE_H - 15 * mm  # the running marker under the header line


@pytest.fixture
def demo_digest(monkeypatch: pytest.MonkeyPatch) -> str:
    """The shipped manifest's demo digest, fixed for the test (the checkout's may be absent)."""
    monkeypatch.setattr(resources, "demo_weights_sha256", lambda: DEMO_SHA)
    return DEMO_SHA


def _body(model: dict) -> dict:
    return {"grade": "III", "probabilities": {"III": 0.7}, "affected_side": "left", "model": model,
            "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}}}


def _page_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def _warning_above_the_grade(path: Path) -> bool:
    """The box's title is drawn on page 1 above the "Grade" heading."""
    ys: dict[str, float] = {}

    def visit(text, cm, tm, font_dict, font_size):  # noqa: ANN001, ANN202 - pypdf's callback
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if text.strip() == "Grade":
            ys.setdefault("grade", y)
        if "NOT FOR DIAGNOSIS" in text and "box" not in ys and y < MARKER_Y - 20:  # not the running marker
            ys["box"] = y

    PdfReader(str(path)).pages[0].extract_text(visitor_text=visit)
    return "box" in ys and "grade" in ys and ys["box"] > ys["grade"]


@pytest.mark.parametrize("model", [
    {"name": "clinic", "path": "/opt/weights/clinic_v2.pt", "sha256": DEMO_SHA},  # the demo's bytes, renamed
    {"name": "demo_compact", "path": "/opt/palsy/resources/weights/demo_compact.pt", "sha256": "cd" * 32},
])
def test_demo_weights_put_a_warning_box_on_page_one(tmp_path: Path, demo_digest: str, model: dict) -> None:
    path = write_report(tmp_path / "r.pdf", _body(model), ReportContext(assessment_date="2026-11-24"))
    pages = _page_text(path)
    assert WARNING in pages[0] and "trained on synthetic faces" in pages[0]
    assert _warning_above_the_grade(path)
    assert all(WARNING in page for page in pages)  # every page carries the marker
    assert DEMO_TITLE == WARNING


def test_other_weights_have_no_demonstration_warning(tmp_path: Path, demo_digest: str) -> None:
    model = {"name": "clinic", "path": "/opt/weights/clinic_v2.pt", "sha256": "cd" * 32}
    text = " ".join(_page_text(write_report(tmp_path / "r.pdf", _body(model), ReportContext())))
    assert "DEMONSTRATION MODEL" not in text
    # weights from a file that record no cautions: not validated, as a report stored before says too
    assert "WEIGHTS NOT VALIDATED" in text
    # an in-memory network (no path, no sha256) is no demo either
    assert not is_demo_record({"name": "untrained", "path": None, "sha256": None})
    assert not is_demo_record(None)


def test_a_caller_that_knows_the_weights_are_the_demo_gets_the_warning(tmp_path: Path, demo_digest: str) -> None:
    model = {"name": "untrained", "path": None, "sha256": None}
    text = " ".join(_page_text(write_report(tmp_path / "r.pdf", _body(model), ReportContext(demo_model=True))))
    assert WARNING in text


def _run(capsys: pytest.CaptureFixture, *argv: str) -> int:
    code = main(list(argv))
    capsys.readouterr()
    return code


def test_palsy_assess_and_demo_with_the_demo_weights_warn(capsys, patient_dir: Path, small_weights: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # small_weights ("tiny.pt") count as the shipped demo weights by their sha256, as a renamed copy would
    monkeypatch.setattr(resources, "demo_weights_sha256", lambda: sha256_of(small_weights))
    out = tmp_path / "assess"
    assert _run(capsys, "assess", str(patient_dir), "--out", str(out), "--weights", str(small_weights), "--device", "cpu") == 0
    assert WARNING in _page_text(out / "report.pdf")[0]
    demo = tmp_path / "demo"
    assert _run(capsys, "demo", "--out", str(demo), "--weights", str(small_weights), "--device", "cpu") == 0
    assert WARNING in _page_text(demo / "report.pdf")[0]
    # the demo patient's rendered side is the registered one
    assert "left (registered)" in _page_text(demo / "report.pdf")[0]


def test_palsy_assess_with_other_weights_warns_they_are_not_validated(capsys, patient_dir: Path, small_weights: Path, tmp_path: Path,
                                                       demo_digest: str) -> None:
    clinic = tmp_path / "clinic.pt"
    shutil.copy(small_weights, clinic)
    out = tmp_path / "o"
    assert _run(capsys, "assess", str(patient_dir), "--out", str(out), "--weights", str(clinic), "--device", "cpu") == 0
    text = " ".join(_page_text(out / "report.pdf"))
    assert "DEMONSTRATION MODEL" not in text
    # neither the demonstration weights nor a clinic's: the amber box says they are not validated
    assert "WEIGHTS NOT VALIDATED" in text and "neither the shipped demonstration weights" in text


def test_self_test_requires_the_warning_on_a_demo_report(tmp_path: Path, demo_digest: str) -> None:
    from app import selftest

    sha = "cd" * 32
    model = {"name": "demo_compact", "path": "/x/demo_compact.pt", "sha256": sha}
    warned = write_report(tmp_path / "demo.pdf", _body(model), ReportContext())
    assert selftest.check_pdf(warned, sha, demo=True) >= 1
    plain = write_report(tmp_path / "plain.pdf", _body({**model, "path": "/x/clinic.pt"}), ReportContext())
    with pytest.raises(selftest.SelfTestError, match="not for diagnosis"):
        selftest.check_pdf(plain, sha, demo=True)
