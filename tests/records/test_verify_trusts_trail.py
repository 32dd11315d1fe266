"""`palsy records verify` certifies a report only while the records naming it agree with the
append-only audit trail (audit s1, findings 1 and 2): the `reports` and `assessments` tables
have no triggers, and one UPDATE certified a forged PDF as "stored", exit 0, named the wrong
patient for a moved row, or called a grade edited by hand a clinician's later confirmation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import confirmed_assessment, edit_behind_the_app

PDF_1 = b"%PDF-1.4\n% the report of MRN-1, grade IV\n%%EOF\n"
PDF_2 = b"%PDF-1.4\n% the report of MRN-2, grade III\n%%EOF\n"
FORGED = b"%PDF-1.4\n% the report of MRN-1, grade II\n%%EOF\n"


def _two_reports(data: Path) -> tuple[int, int]:
    """MRN-1 (grade IV) and MRN-2 (grade III), each with one confirmed visit and its report stored."""
    with Store.open(data) as store:
        first = confirmed_assessment(store, "MRN-1", "Ann One", "IV", "Dr Real", seed=1)
        store.save_report(first, PDF_1)
        second = confirmed_assessment(store, "MRN-2", "Bob Two", "III", "Dr Real", seed=2)
        store.save_report(second, PDF_2)
    return first, second


def _verify(capsys: pytest.CaptureFixture[str], data: Path, pdf: Path, *more: str) -> tuple[int, str]:
    code = main(["records", "--data", str(data), "verify", str(pdf), *more])
    out, err = capsys.readouterr()
    assert not err
    return code, out


def _copy(tmp_path: Path, body: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


def _refused(out: str) -> None:
    assert "disagree with their audit trail" in out and "palsy records check" in out
    assert "do not rely on this report" in out
    assert "stored report of patient" not in out and "confirmed again later" not in out


def test_a_forged_report_row_is_not_certified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    first, _ = _two_reports(data)
    edit_behind_the_app(data, "UPDATE reports SET sha256 = ? WHERE assessment_id = ?", hashlib.sha256(FORGED).hexdigest(), first)
    code, out = _verify(capsys, data, _copy(tmp_path, FORGED, "forged.pdf"))
    assert code == 1
    _refused(out)
    assert "is not the one its audit trail recorded" in out

    code, out = _verify(capsys, data, _copy(tmp_path, FORGED, "forged.pdf"), "--json")
    item = json.loads(out)
    assert code == 1 and item["stored"] is False and item["disagrees_with_audit_trail"]


def test_swapped_report_rows_name_no_wrong_patient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    first, second = _two_reports(data)
    edit_behind_the_app(data, "UPDATE reports SET assessment_id = ? - assessment_id", first + second)
    code, out = _verify(capsys, data, _copy(tmp_path, PDF_1, "good1.pdf"))
    assert code == 1
    _refused(out)
    assert "MRN-2" not in out


def test_a_visit_moved_to_another_patient_is_not_certified_as_theirs(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    first, _ = _two_reports(data)
    edit_behind_the_app(data, "UPDATE assessments SET patient_ref = (SELECT id FROM patients WHERE patient_id = 'MRN-2') WHERE id = ?",
          first)
    code, out = _verify(capsys, data, _copy(tmp_path, PDF_1, "good1.pdf"))
    assert code == 1
    _refused(out)
    assert f"assessment {first}'s audit trail names patient MRN-1, not MRN-2" in out


def test_a_grade_edited_by_hand_is_no_later_confirmation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    first, _ = _two_reports(data)
    edit_behind_the_app(data, "UPDATE assessments SET confirmed_grade = 'II' WHERE id = ?", first)
    code, out = _verify(capsys, data, _copy(tmp_path, PDF_1, "good1.pdf"))
    assert code == 1
    _refused(out)
    assert "its confirmed grade is 'II' but its audit trail ends at 'IV'" in out


def test_the_other_patients_report_still_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # only the report whose records were edited is refused; a genuine one stays current
    data = tmp_path / "data"
    first, second = _two_reports(data)
    edit_behind_the_app(data, "UPDATE assessments SET confirmed_grade = 'II' WHERE id = ?", first)
    code, out = _verify(capsys, data, _copy(tmp_path, PDF_2, "good2.pdf"))
    assert code == 0
    assert f"stored report of patient MRN-2, assessment {second}" in out and "grade III confirmed by Dr Real" in out
