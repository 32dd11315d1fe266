"""Exporting a visit again when nothing it prints changed (to print it once more) keeps no second
PDF: ReportLab's render time was the only difference, and every copy stayed with the records, in
every backup and every patient export, for good. A changed header is a new report."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.export import same_but_for_render_time
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window
from tests.gui.test_saved_report_open_and_copy import confirm


def export_at(qtbot, window, monkeypatch: pytest.MonkeyPatch, epoch: int) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))  # ReportLab's render time
    window.export_pdf()
    qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
    return window.last_report


def test_a_report_exported_again_unchanged_is_the_one_saved(qtbot, data_folder: Path, tiny_weights: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        confirm(window)
        visit = window.assessment_id
        first = export_at(qtbot, window, monkeypatch, 1_700_000_000)
        assert window.statusBar().current_details() == f"Report saved for Ada Lovelace (MRN-1): {first}"

        again = export_at(qtbot, window, monkeypatch, 1_700_000_100)
        assert again == first
        assert [path for _, path in window.gateway.saved_reports(visit)] == [first]
        assert window.statusBar().currentMessage() == "Report for Ada Lovelace (MRN-1) saved already, unchanged"
        assert window.statusBar().current_details() == (
            f"Report for Ada Lovelace (MRN-1) saved already, unchanged: {first}")
        assert [b.text() for b in window.statusBar().offered] == ["Open report", "Save a copy\u2026"]

        # the clinic's name in the header changed: a new report, kept beside the first
        window.settings = replace(window.settings, clinic=replace(window.settings.clinic, clinic_name="Hillside Clinic"))
        renamed = export_at(qtbot, window, monkeypatch, 1_700_000_200)
        assert renamed != first and renamed.is_file()
        assert [path for _, path in window.gateway.saved_reports(visit)] == [first, renamed]
        assert window.statusBar().current_details().endswith(f"(MRN-1): {renamed}")
    finally:
        close_window(window)


def test_only_the_render_time_is_left_out_of_the_comparison() -> None:
    one = (b"%PDF-1.4 /Title (x) /CreationDate (D:20261207122232+00'00') /ModDate (D:20261207122232+00'00')"
           b" trailer /ID \n[<2fd09df626ab6c1acf704e068484f268><2fd09df626ab6c1acf704e068484f268>] BT (II) Tj")
    later = one.replace(b"20261207122232", b"20261208090000").replace(b"2fd09df6", b"0a1b2c3d")
    assert same_but_for_render_time(one, later)
    assert not same_but_for_render_time(one, later.replace(b"(II) Tj", b"(III) Tj"))  # what it prints
    assert not same_but_for_render_time(one, one.replace(b"/Title (x)", b"/Title (y)"))
