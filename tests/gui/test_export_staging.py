"""The GUI's PDF export (app.export.render_pdf, the window's Export): rendered in the data
folder's private staging folder, never the system's temp folder, with stale leftovers
removed; and what the export tells the report (demo weights, registered side, record)."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

import app.report.outputs  # noqa: F401 - bound to the real write_report before any test patches it
import models.resources as resources
from app.analysis import AnalysisResult
from app.export import STAGING_DIR, render_pdf, report_context
from app.records.errors import StorageError
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings
from models.labels import GRADES

DEMO_SHA = "ab" * 32
WARNING = "DEMONSTRATION MODEL — NOT FOR DIAGNOSIS"


def _stored(model: dict | None = None) -> tuple[AssessmentInfo, AnalysisResult]:
    """A confirmed assessment reopened from the store (no pipeline object, no photos)."""
    stored = {"grade": "III", "probabilities": {"III": 0.6}, "affected_side": "left",
              "measured": {"grade": "III", "function_percent": 50.0}, "model": model or {}}
    info = AssessmentInfo(5, "MRN-1", "confirmed", "2024-01-10T09:00:00+00:00", model_grade="III", confirmed_grade="III",
                          clinician="Dr", result=stored)
    return info, AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, dict(stored["model"]), {})


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def _no_system_temp(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report was rendered in the system's temp folder")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", refuse)


def test_the_report_is_rendered_in_a_private_folder_of_the_data_folder(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import app.report.pdf as pdf_module

    data = tmp_path / "records"
    data.mkdir()
    seen: list[Path] = []
    real = pdf_module.write_report

    def spy(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(Path(path))
        assert stat.S_IMODE(Path(path).parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / STAGING_DIR).stat().st_mode) == 0o700
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pdf_module, "write_report", spy)
    _no_system_temp(monkeypatch)
    info, result = _stored()
    pdf = render_pdf(info, PatientInfo("MRN-1"), result, Settings(), [info], data)
    assert pdf.startswith(b"%PDF-")
    assert seen and seen[0].parent.parent == data / STAGING_DIR
    assert list((data / STAGING_DIR).iterdir()) == []  # nothing left behind


def test_a_failed_render_leaves_nothing_and_stale_leftovers_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.report.pdf as pdf_module

    data = tmp_path / "records"
    staging = data / STAGING_DIR
    staging.mkdir(parents=True)
    # the young one is a live run's (this process): kept; the old one's process is gone
    old, young = staging / ".palsy-partial-999999-dead", staging / f".palsy-partial-{os.getpid()}-busy"
    for folder in (old, young):  # a crash mid-render left face photos behind
        (folder / "overlays").mkdir(parents=True)
        (folder / "overlays" / "rest_photo.png").write_bytes(b"\x89PNG face")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf_module, "write_report", crash)
    info, result = _stored()
    with pytest.raises(StorageError, match="the disk is full"):  # the store's clear error, not the bare OSError
        render_pdf(info, PatientInfo("MRN-1"), result, Settings(), [info], data)
    assert sorted(p.name for p in staging.iterdir()) == [young.name]  # the old one went, this one's too


def test_records_check_does_not_count_the_staging_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from app.records import Store

    data = tmp_path / "records"
    Store.open(data).close()
    leftover = data / STAGING_DIR / ".palsy-partial-1-abcd" / "overlays"
    leftover.mkdir(parents=True)
    (leftover / "rest_photo.png").write_bytes(b"\x89PNG face")
    assert main(["records", "--data", str(data), "check"]) == 0, capsys.readouterr().out


def test_a_stored_demo_assessment_exports_with_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "demo_weights_sha256", lambda: DEMO_SHA)
    demo = {"name": "clinic", "config": "compact", "path": "/opt/w/clinic.pt", "sha256": DEMO_SHA}
    info, result = _stored(demo)
    assert WARNING in _text(render_pdf(info, PatientInfo("MRN-1"), result, Settings(), [info], tmp_path), tmp_path)
    other, result = _stored({**demo, "sha256": "cd" * 32})
    text = _text(render_pdf(other, PatientInfo("MRN-1"), result, Settings(), [other], tmp_path), tmp_path)
    # no demonstration warning; weights from a file that record no cautions print as not validated
    assert "DEMONSTRATION MODEL" not in text and "WEIGHTS NOT VALIDATED" in text


def test_the_export_carries_the_registered_side_and_the_record(tmp_path: Path) -> None:
    info, result = _stored()
    patient = PatientInfo("MRN-1", affected_side="right")
    context = report_context(info, patient, Settings(), [info])
    assert (context.registered_side, context.assessment_id, context.demo_model) == ("right", 5, False)
    text = _text(render_pdf(info, patient, result, Settings(), [info], tmp_path), tmp_path)
    assert "Affected side right (registered), left (measured)" in text
    assert "Affected side differs from the patient record" in text
    assert "Record assessment 5" in text


def test_the_window_exports_through_the_data_folder_with_the_demo_warning(qtbot, data_folder: Path, tiny_weights: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the tiny test weights count as the shipped demo weights by their sha256, as a renamed copy would
    from models.checkpoint import sha256_of
    from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window

    monkeypatch.setattr(resources, "demo_weights_sha256", lambda: sha256_of(tiny_weights))
    window = make_window(qtbot, data_folder, tiny_weights)
    calls: list[tuple] = []
    try:
        assert window.banner.isVisibleTo(window)  # the screen says so: the report must too
        window.gateway.save_patient(PatientInfo("MRN-1", "Test Person", affected_side="right"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        window.results.clinician_edit.setText("Dr. Test")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
        window.results.confirm_button.click()

        def spy(*args):  # noqa: ANN002, ANN202
            calls.append(args)
            return render_pdf(*args)

        window.services.render_report = spy
        window.results.export_button.click()
        qtbot.waitUntil(lambda: window.last_report is not None, timeout=WAIT_MS)
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(window.last_report)).pages).split())
    finally:
        close_window(window)
    assert calls and Path(calls[0][5]) == data_folder.resolve()
    assert list((data_folder / STAGING_DIR).iterdir()) == []
    assert WARNING in text
    assert "right (registered)" in text and f"Record assessment {calls[0][0].assessment_id}" in text
