"""`palsy records check` on two edits the audit made with one UPDATE each: a confirmed grade
changed in the row (listed as a problem, and no longer explained away by the note on overrides
without a reason), and the stored analysis result (`result_json`) changed (compared with nothing:
the window then showed two network grades for one visit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import edit_behind_the_app, tiny_png

# A result as the pipeline stores it (grade IV, its probabilities, the measured grade), trimmed.
RESULT = {
    "grade": "IV",
    "probabilities": {"I": 0.05, "II": 0.1, "III": 0.2, "IV": 0.28, "V": 0.22, "VI": 0.15},
    "measured": {"grade": "IV", "function_percent": 40.0, "regions": {}},
}


def _visit(store: Store, patient_id: str, result: dict, confirmed: str, notes: str | None = None, seed: int = 1) -> int:
    store.create_patient(patient_id, name="Ada Lovelace")
    aid = store.start_assessment(patient_id).id
    store.save_capture(aid, "rest", tiny_png(seed))
    store.record_results(aid, result, model_grade=result["grade"], measured_grade=result["measured"]["grade"])
    store.confirm_grade(aid, confirmed, "Dr. Auditor", notes)
    return aid


def _check(capsys: pytest.CaptureFixture[str], data: Path) -> tuple[int, str]:
    status = main(["records", "--data", str(data), "check"])
    return status, capsys.readouterr().out


def test_a_grade_edited_in_the_row_is_not_explained_away_as_an_override_without_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        edited = _visit(store, "MRN-1001", RESULT, "IV", seed=1)
        # an older release's override with empty notes, as confirmed: still a note
        older = _visit(store, "MRN-1002", RESULT, "III", notes="", seed=2)
    edit_behind_the_app(data, "UPDATE assessments SET confirmed_grade = 'II' WHERE id = ?", edited)
    status, out = _check(capsys, data)
    assert status == 1
    assert (f"database: assessment {edited} of patient MRN-1001 does not match its own audit trail (its confirmed "
            "grade is 'II' but its audit trail ends at 'IV')") in out
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert notes == [f"note: assessment {older} of patient MRN-1002: override without a recorded reason: grade III "
                     "was confirmed over the network's IV with empty notes (older releases allowed that, and their "
                     "de-identified exports dropped the notes; the audit trail names who confirmed and when; "
                     "nothing to repair.)"], out


def test_a_stored_analysis_edited_to_another_grade_is_a_database_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        aid = _visit(store, "MRN-1001", RESULT, "IV")
    assert _check(capsys, data)[0] == 0
    # as the audit did: network grade, probabilities and measured grade all made grade I
    edited = {**RESULT, "grade": "I", "probabilities": {"I": 0.9, "II": 0.05, "III": 0.02, "IV": 0.01, "V": 0.01,
                                                        "VI": 0.01},
              "measured": {**RESULT["measured"], "grade": "I", "function_percent": 95.0}}
    edit_behind_the_app(data, "UPDATE assessments SET result_json = ? WHERE id = ?", json.dumps(edited), aid)
    status, out = _check(capsys, data)
    assert status == 1
    assert (f"database: assessment {aid} of patient MRN-1001: its stored analysis gives network grade I but its record "
            "says IV; its stored analysis gives measured grade I but its record says IV: the database was edited") in out
    assert "0 file problems" in out.splitlines()[0] and "1 database" in out.splitlines()[0]


def test_probabilities_edited_alone_are_compared_and_a_rounded_tie_is_no_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    tied = {**RESULT, "probabilities": {"I": 0.0, "II": 0.0, "III": 0.4, "IV": 0.4, "V": 0.1, "VI": 0.1}}
    with Store.open(data) as store:
        aid = _visit(store, "MRN-1001", tied, "IV")  # stored rounded: IV tied with III for the highest
    assert _check(capsys, data)[0] == 0
    edited = {**RESULT, "probabilities": {"I": 0.7, "II": 0.1, "III": 0.1, "IV": 0.05, "V": 0.05, "VI": 0.0}}
    edit_behind_the_app(data, "UPDATE assessments SET result_json = ? WHERE id = ?", json.dumps(edited), aid)
    status, out = _check(capsys, data)
    assert status == 1
    assert (f"database: assessment {aid} of patient MRN-1001: its stored analysis's probabilities put grade I highest "
            "but its record says network grade IV: the database was edited") in out
