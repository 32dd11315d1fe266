"""Start assessment for a patient with an unfinished assessment asks about that patient's draft,
reading only their drafts: it read every draft of the clinic twice (4,011 SQL statements and
1 s at 1,000 abandoned drafts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.gateway_store import StoreGateway
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import close_window, draft_with_photos, make_window


def _other_drafts(window, first: int, count: int) -> None:  # noqa: ANN001 - the MainWindow
    for i in range(first, first + count):
        patient = f"MRN-O{i}"
        window.gateway.save_patient(PatientInfo(patient, "Someone Else"), is_new=True)
        draft = window.gateway.start_assessment(patient)
        window.gateway.save_capture(draft, "rest", np.full((32, 32, 3), 9, np.uint8), {})


def test_the_resume_question_reads_only_the_patients_drafts(qtbot, data_folder: Path, tiny_weights: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    draft = draft_with_photos(data_folder, "MRN-D", "Dora Draft")
    read: list[str] = []  # the patients whose drafts were read
    real_info = StoreGateway._info
    monkeypatch.setattr(StoreGateway, "_info", lambda self, a, *rest: read.append(a.patient_id) or real_info(self, a, *rest))
    questions: list[str] = []
    window = make_window(qtbot, data_folder, tiny_weights,
                         choose=lambda parent, title, text, choices: questions.append(text) or None)  # Cancel
    statements: list[str] = []
    conn = window.gateway.store.db.connection()
    try:
        _other_drafts(window, 0, 1)
        conn.set_trace_callback(statements.append)
        window.start_assessment("MRN-D")
        few = len(statements)
        conn.set_trace_callback(None)
        _other_drafts(window, 1, 8)
        statements.clear()
        read.clear()
        conn.set_trace_callback(statements.append)
        window.start_assessment("MRN-D")
        conn.set_trace_callback(None)
        assert len(statements) == few
        assert read == ["MRN-D"]
        assert len(questions) == 2
        assert all(q.startswith("Dora Draft (MRN-D) has an unfinished assessment") and "(3 of 6 photos taken)" in q
                   for q in questions)
        assert window.stack.currentWidget() is window.patients  # Cancel: nothing started
        assert draft in [d.assessment_id for d in window.offered_drafts("MRN-D")]
        window.start_assessment("MRN-O3")  # another patient's own draft is offered to them
        assert len(questions) == 3 and questions[-1].startswith("Someone Else (MRN-O3) has an unfinished assessment")
    finally:
        conn.set_trace_callback(None)
        close_window(window)
