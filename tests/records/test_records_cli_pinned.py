"""`palsy records check` and `verify` at their edges: a database problem alone fails the
check; a later confirmation by another clinician with the same grade is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.commands.records import SUPERSEDED, superseded_line
from app.export import THIS_VISIT
from app.records import Store
from tests.records.records_helpers import tiny_png

PDF = b"%PDF-1.4\n% a report of MRN-9\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize("problem", [
    "broken reference: captures row 1 names assessment 9",  # a stale reference
    "*** in database main *** Page 3: btreeInitPage() returns error code 11",  # damage
])
def test_records_check_fails_on_a_database_problem_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, problem: str) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("CHK-1", name="Carl Check")
        aid = store.start_assessment("CHK-1").id
        store.save_capture(aid, "rest", tiny_png(3))
    assert main(["records", "--data", str(data), "check"]) == 0  # sound files, sound database
    capsys.readouterr()
    monkeypatch.setattr(Store, "integrity_problems", lambda self: [problem])
    assert main(["records", "--data", str(data), "check"]) == 1
    assert problem in capsys.readouterr().out
    assert main(["records", "--data", str(data), "check", "--json"]) == 1
    assert problem in json.loads(capsys.readouterr().out)["database_problems"]


@pytest.mark.parametrize("one_millisecond", [False, True])
def test_verify_reports_a_later_confirmation_by_another_clinician_with_the_same_grade(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, one_millisecond: bool) -> None:
    # In one millisecond (a fast machine: CI met it once), the later confirmation had the
    # report's time and was taken for the one the report shows; the order written decides.
    if one_millisecond:
        from app.records import validate

        monkeypatch.setattr(validate, "now_iso", lambda: "2026-12-06T17:00:00.000+00:00")
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-9", name="Vera Verify", affected_side="left")
        aid = store.start_assessment("MRN-9").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "IV", clinician="Dr Ada Example")
        store.save_report(aid, PDF)
        store.confirm_grade(aid, "IV", clinician="Dr Later")  # same grade, another clinician
    copy = tmp_path / "r.pdf"
    copy.write_bytes(PDF)
    # genuine, and no longer the visit as the records hold it: exit 3, not 0
    assert main(["records", "--data", str(data), "verify", str(copy), "--json"]) == SUPERSEDED == 3
    item = json.loads(capsys.readouterr().out)
    assert (item["confirmed_grade"], item["clinician"]) == ("IV", "Dr Ada Example")
    assert item["confirmed_again_later"] is True
    assert main(["records", "--data", str(data), "verify", str(copy)]) == SUPERSEDED
    out = capsys.readouterr().out
    assert "grade IV confirmed by Dr Ada Example" in out and "confirmed again later as IV by Dr Later" in out
    assert out.splitlines()[-1] == superseded_line([THIS_VISIT])
