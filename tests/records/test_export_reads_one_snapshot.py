"""An export reads every row of the patient at one moment: a grade confirmed (or an assessment
discarded) in the window while the export runs is exported wholly before or wholly after that
change, never as a status that contradicts the exported audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.records import Store
from app.records.audit_agreement import trail_disagreements
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from tests.records.records_helpers import tiny_png


def _analysed(store: Store) -> int:
    store.create_patient("RACE-1", name="Ada Race")
    aid = store.start_assessment("RACE-1").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.record_results(aid, {"grade": "IV"}, model_grade="IV")
    return aid


def _confirm(station: Store, aid: int) -> None:
    station.confirm_grade(aid, "IV", "Dr Window")


def _discard(station: Store, aid: int) -> None:
    station.discard_assessment(aid, actor="Dr Window", reason="wrong patient")


@pytest.mark.parametrize("change", [_confirm, _discard])
def test_a_change_made_while_the_export_reads_imports_cleanly_elsewhere(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change,
) -> None:
    aid = _analysed(store)
    real_captures = store.captures
    changed: list[int] = []

    def change_in_the_window(assessment_id: int):
        # The export has read the assessment rows; the window changes one of them now.
        if not changed:
            with Store.open(store.root, recover_files=False) as window:
                change(window, aid)
            changed.append(aid)
        return real_captures(assessment_id)

    monkeypatch.setattr(store, "captures", change_in_the_window)
    folder = export_patient(store, "RACE-1", tmp_path / "usb")
    assert changed

    [item] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert trail_disagreements(item["audit"], item, [r["sha256"] for r in item["reports"]]) == []
    with Store.open(tmp_path / "station2") as station2:
        assert import_patient(station2, folder).patient_id == "RACE-1"
