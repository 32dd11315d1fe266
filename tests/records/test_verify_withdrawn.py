"""`records verify` of a report whose visit was marked entered in error says so and exits 1
(review 2026-12-06: it called the report of a withdrawn visit a valid report of that patient,
exit 0, with nothing in the text or the JSON). The reason is not printed: it may name the
other patient."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient

PDF = b"%PDF-1.4\n% a report of MRN-5\n%%EOF\n"
REASON = "recorded under the wrong patient: belongs to Grace Other"


def _withdrawn_report(data: Path, tmp_path: Path) -> Path:
    with Store.open(data) as store:
        store.create_patient("MRN-5", name="Jon Smyth")
        aid = store.start_assessment("MRN-5").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", clinician="Dr A")
        store.save_report(aid, PDF)
        store.withdraw_assessment(aid, actor="gui", reason=REASON)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    return pdf


def test_verify_says_the_visit_was_withdrawn_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    pdf = _withdrawn_report(data, tmp_path)
    assert main(["records", "--data", str(data), "verify", str(pdf), "--json"]) == 1
    item = json.loads(capsys.readouterr().out)
    assert item["stored"] is True and item["entered_in_error"]["at"]
    assert main(["records", "--data", str(data), "verify", str(pdf)]) == 1
    out = capsys.readouterr().out
    assert "this visit was marked entered in error" in out and "do not use this report" in out
    assert "Grace" not in out and "Jon" not in out


def test_a_report_of_a_visit_not_withdrawn_says_nothing_of_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-6")
        aid = store.start_assessment("MRN-6").id
        store.record_results(aid, {"grade": "II"}, model_grade="II")
        store.confirm_grade(aid, "II", clinician="Dr B")
        store.save_report(aid, PDF)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    assert main(["records", "--data", str(data), "verify", str(pdf), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entered_in_error"] is None


def test_the_report_of_an_imported_withdrawn_visit_is_not_to_be_used_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """An export carries no report of a discarded visit (privacy audit P1, 2026-12-07), but its
    audit entry with the sha256: the importing station says it is that visit's report and not to
    be used, exit 1 (review r2 F1: it said "not a report stored here (altered, ...)")."""
    source = tmp_path / "source"
    pdf = _withdrawn_report(source, tmp_path)
    with Store.open(source) as store:
        folder = export_patient(store, "MRN-5", tmp_path / "out")
    data = tmp_path / "data"
    with Store.open(data) as store:
        import_patient(store, folder, actor="nurse")
    assert main(["records", "--data", str(data), "verify", str(pdf), "--json"]) == 1
    item = json.loads(capsys.readouterr().out)
    assert item["stored"] is False and item["entered_in_error"]["at"]
    assert (item["patient_id"], item["assessment"]) == ("MRN-5", 1)
    assert main(["records", "--data", str(data), "verify", str(pdf)]) == 1
    out = capsys.readouterr().out
    assert "report of patient MRN-5, assessment 1" in out and "altered" not in out
    assert "this visit was marked entered in error" in out and "do not use this report" in out
    assert "Grace" not in out and "Jon" not in out


def test_a_pdf_unknown_to_the_trail_is_still_not_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _withdrawn_report(data, tmp_path)
    other = tmp_path / "other.pdf"
    other.write_bytes(PDF + b"% changed\n")
    assert main(["records", "--data", str(data), "verify", str(other)]) == 1
    assert "not a report stored in" in capsys.readouterr().out
