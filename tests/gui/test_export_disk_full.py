"""A report export that meets a full disk: the store's clear error, shown as a lasting notice."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import app.report.outputs  # noqa: F401 - bound to the real write_report before any test patches it
from app.analysis import AnalysisResult
from app.export import STAGING_DIR, render_pdf
from app.records.errors import StorageError
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings
from tests.gui.gui_helpers import close_window, make_window


def _stored() -> tuple[AssessmentInfo, AnalysisResult]:
    stored = {"grade": "III", "probabilities": {"III": 0.6}, "affected_side": "left",
              "measured": {"grade": "III", "function_percent": 50.0}, "model": {}}
    info = AssessmentInfo(5, "MRN-1", "confirmed", "2024-01-10T09:00:00+00:00", model_grade="III", confirmed_grade="III",
                          clinician="Dr", result=stored)
    return info, AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, {}, {})


@pytest.mark.parametrize(("number", "words"), [
    (errno.ENOSPC, "the disk is full; nothing saved before was lost. Free some disk space and export the report again."),
    (errno.EACCES, "is read-only or not writable by this user; nothing saved before was lost."),
])
def test_a_render_that_cannot_write_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    number: int, words: str) -> None:
    # the GUI showed "Report failed: OSError: [Errno 28] No space left on device"
    import app.report.pdf as pdf_module

    def disk_full(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        raise OSError(number, "No space left on device", str(path))

    monkeypatch.setattr(pdf_module, "write_report", disk_full)
    data = tmp_path / "records"
    data.mkdir()
    info, result = _stored()
    with pytest.raises(StorageError) as caught:
        render_pdf(info, PatientInfo("MRN-1"), result, Settings(), [info], data)
    assert str(caught.value).startswith(f"cannot write the report in {data / STAGING_DIR}: ")
    assert words in str(caught.value)
    assert list((data / STAGING_DIR).iterdir()) == []  # the staging folder is still removed


def test_a_failed_export_is_a_lasting_notice_until_the_next_export(qtbot, data_folder: Path, tiny_weights: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # a status-bar line for 30 s, elided on a narrow window, was all the therapist saw
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        message = ("cannot write the report in /clinic/data/tmp: the disk is full; nothing saved before was lost. "
                   "Free some disk space and export the report again.")
        window._export_id, window._export_label = 1, "Ada Lovelace (MRN-1)"
        window._report_failed(message)
        assert window.notice.isVisible()
        assert window.notice.text() == f"Report for Ada Lovelace (MRN-1) failed: {message}"
        window.show_patients()
        assert window.notice.isVisible() and message in window.notice.text()  # outlasts a page change
        monkeypatch.setattr("app.window_report.store_report", lambda *args, **kwargs: data_folder / "r.pdf")
        window._export_id, window._export_label = 1, "Ada Lovelace (MRN-1)"
        window._report_rendered(b"%PDF-1.4")  # exported again, and saved: the failure no longer stands
        assert not window.notice.isVisible()
    finally:
        close_window(window)


def test_another_patients_saved_report_leaves_the_failed_one_in_view(qtbot, data_folder: Path, tiny_weights: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Ada's report failed on a full disk; Bob's, exported next, was saved: the notice about Ada
    # vanished although her report was still not saved
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window._export_id, window._export_label = 1, "Ada Lovelace (MRN-1)"
        window._report_failed("the disk is full")
        monkeypatch.setattr("app.window_report.store_report", lambda *args, **kwargs: data_folder / "r.pdf")
        window._export_id, window._export_label = 2, "Bob Brown (MRN-2)"
        window._report_rendered(b"%PDF-1.4")
        assert window.notice.isVisible()
        assert window.notice.text() == "Report for Ada Lovelace (MRN-1) failed: the disk is full"
        window._export_id, window._export_label = 1, "Ada Lovelace (MRN-1)"
        window._report_rendered(b"%PDF-1.4")  # Ada's own report saved: her notice goes
        assert not window.notice.isVisible()
    finally:
        close_window(window)
