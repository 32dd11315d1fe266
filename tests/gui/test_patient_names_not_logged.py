"""Logs carry no names (DESIGN §9): the status bar names the patient a notice is about, the
log names the assessment by its number (every such notice went into palsy.log word for word)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from app.analysis import run_analysis
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, draft_with_photos, make_window

ADA, GRACE = "Ada Lovelace", "Grace Hopper"


def _logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_keeping_and_discarding_a_draft_log_no_name(qtbot, caplog, data_folder: Path, tiny_weights: Path) -> None:
    draft = draft_with_photos(data_folder, "MRN-1", ADA)
    answers = [False, True]  # Discard? No, then Yes
    window = make_window(qtbot, data_folder, tiny_weights, ask=lambda parent, title, text: answers.pop(0))
    shown = []
    try:
        with caplog.at_level(logging.INFO):
            for _ in range(2):  # kept, then discarded
                window.discard_assessment(draft)
                shown.append(window.statusBar().currentMessage())
        logged = _logged(caplog)
        assert "Ada" not in logged and "Lovelace" not in logged
        assert f"notice: The unfinished assessment {draft} kept: Resume reopens it" in logged
        assert f"notice: The unfinished assessment {draft} discarded" in logged
        assert all(f"{ADA} (MRN-1)" in message for message in shown), shown
    finally:
        close_window(window)


def test_analysis_notices_about_another_patient_log_no_name(qtbot, caplog, data_folder: Path, tiny_weights: Path) -> None:
    gate = threading.Event()

    def held_analysis(photos, handle, progress):
        """Runs once the test opens the gate, cancellable until then (20 s at most)."""
        for _ in range(2000):
            progress.check()
            if gate.is_set():
                return run_analysis(photos, handle, progress)
            time.sleep(0.01)
        raise AssertionError("never let through")

    window = make_window(qtbot, data_folder, tiny_weights, analyse=held_analysis)
    shown = []
    try:
        for patient_id, name in (("MRN-1", ADA), ("MRN-2", GRACE)):
            window.gateway.save_patient(PatientInfo(patient_id, name), is_new=True)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        ada = window.assessment_id
        with caplog.at_level(logging.INFO):
            window.start_analysis()
            window.show_patients()
            window.start_assessment("MRN-2")
            window.start_analysis()  # one at a time: Ada's still runs
            shown.append(window.statusBar().currentMessage())
            window.cancel_analysis()  # Esc on Grace's page: nothing to cancel there
            shown.append(window.statusBar().currentMessage())
            window.show_patients()
            window.cancel_analysis()
            qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
            shown.append(window.statusBar().currentMessage())  # cancelled
            window.resume_assessment(ada)
            window.start_analysis()
            window.start_assessment("MRN-2")  # Grace's page when Ada's results arrive
            gate.set()
            qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
            shown.append(window.statusBar().currentMessage())  # analysed
        logged = _logged(caplog)
        assert "Ada" not in logged and "Lovelace" not in logged and "Grace" not in logged
        for notice in (f"The analysis of assessment {ada} is still running", f"the analysis of assessment {ada} goes on",
                       f"Analysis of assessment {ada} cancelled", f"The analysis of assessment {ada} is done"):
            assert notice in logged
        running, goes_on, cancelled, done = shown
        assert running.startswith(f"The analysis of {ADA} (MRN-1) is still running")
        assert goes_on.endswith(f"the analysis of {ADA} (MRN-1) goes on")
        assert cancelled.startswith(f"Analysis of {ADA} (MRN-1) cancelled")
        assert done.startswith(f"The analysis of {ADA} (MRN-1) is done")
    finally:
        close_window(window)
