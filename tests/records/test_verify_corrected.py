"""`records verify` says when the patient's name or date of birth was corrected after the report
was stored (audit 2026-12-06, F8): the PDF prints the old ones. No name on the terminal."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.cli import main
from app.commands.records import SUPERSEDED, superseded_line
from app.export import PATIENT
from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient

PDF = b"%PDF-1.4\n% a report of MRN-5\n%%EOF\n"
LINE = superseded_line([PATIENT])
# The keys verify printed before this field: unchanged.
KEYS = {"file", "sha256", "data_folder", "stored", "patient_id", "assessment", "assessment_date", "confirmed_grade",
        "clinician", "stored_at", "report_file", "imported", "imported_at", "confirmed_again_later",
        "changed_since"}


def _report(store: Store) -> None:
    """Patient MRN-5 'Jon Smyth', 1960-02-03, with a confirmed assessment and its report stored."""
    store.create_patient("MRN-5", name="Jon Smyth", birth_date="1960-02-03")
    aid = store.start_assessment("MRN-5").id
    store.record_results(aid, {"grade": "III"}, model_grade="III")
    store.confirm_grade(aid, "III", clinician="Dr A")
    store.save_report(aid, PDF)


def _verify(capsys: pytest.CaptureFixture[str], data: Path, pdf: Path) -> tuple[dict, list[str]]:
    code = main(["records", "--data", str(data), "verify", str(pdf), "--json"])
    item = json.loads(capsys.readouterr().out)
    # genuine; 3 once the patient was corrected after it (a script reading the status alone took it as good)
    assert code == (SUPERSEDED if item["patient_corrected_later"] else 0)
    assert main(["records", "--data", str(data), "verify", str(pdf)]) == code
    out = capsys.readouterr().out
    assert "Jon" not in out and "John" not in out and "1960" not in out
    return item, out.splitlines()


@pytest.mark.parametrize("changes", [{"name": "John Smith"}, {"birth_date": "1960-03-02"},
                                     {"name": "John Smith", "birth_date": "1960-03-02"}])
def test_a_correction_after_the_report_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               changes: dict) -> None:
    data, pdf = tmp_path / "data", tmp_path / "old.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        _report(store)
    item, lines = _verify(capsys, data, pdf)
    assert item["patient_corrected_later"] is False and set(item) == KEYS | {"patient_corrected_later", "entered_in_error"}
    assert len(lines) == 1
    with Store.open(data) as store:
        store.update_patient("MRN-5", actor="clerk", **changes)
    item, lines = _verify(capsys, data, pdf)
    assert item["patient_corrected_later"] is True and item["confirmed_again_later"] is False
    assert lines[0].startswith(f"{pdf}: stored report of patient MRN-5") and lines[1:] == [LINE]


def test_a_correction_before_the_report_or_of_an_unprinted_field_is_not(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, pdf = tmp_path / "data", tmp_path / "new.pdf"
    pdf.write_bytes(PDF)
    with Store.open(data) as store:
        store.create_patient("MRN-5", name="Jon Smyth", birth_date="1960-02-03")
        store.update_patient("MRN-5", actor="clerk", name="John Smith")
        aid = store.start_assessment("MRN-5").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", clinician="Dr A")
        store.save_report(aid, PDF)
        store.update_patient("MRN-5", actor="clerk", notes="moved house")  # sex and side count (r3 tests)
    item, lines = _verify(capsys, data, pdf)
    assert item["patient_corrected_later"] is False and LINE not in lines


def test_an_imported_report_is_judged_by_when_things_happened(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An import copies the patient's entries before the visits', whatever their times: a
    correction made on the sending station after the report is still after it."""
    pdf = tmp_path / "old.pdf"
    pdf.write_bytes(PDF)
    with Store.open(tmp_path / "a") as store:
        _report(store)
        time.sleep(0.01)  # the correction in a later millisecond than the report
        store.update_patient("MRN-5", actor="clerk", name="John Smith")
        folder = export_patient(store, "MRN-5", tmp_path / "usb")
    with Store.open(tmp_path / "b") as store:
        import_patient(store, folder)
    item, lines = _verify(capsys, tmp_path / "b", pdf)
    assert item["imported"] is True and item["patient_corrected_later"] is True and lines[-1] == LINE


def test_an_imported_correction_made_before_the_report_is_not_said(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = tmp_path / "new.pdf"
    pdf.write_bytes(PDF)
    with Store.open(tmp_path / "a") as store:
        store.create_patient("MRN-5", name="Jon Smyth", birth_date="1960-02-03")
        store.update_patient("MRN-5", actor="clerk", name="John Smith")
        time.sleep(0.01)
        aid = store.start_assessment("MRN-5").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "III", clinician="Dr A")
        store.save_report(aid, PDF)
        folder = export_patient(store, "MRN-5", tmp_path / "usb")
    data = tmp_path / "b"
    with Store.open(data) as store:
        import_patient(store, folder)
    item, _ = _verify(capsys, data, pdf)
    assert item["imported"] is True and item["patient_corrected_later"] is False
    with Store.open(data) as store:  # corrected here, after the import: after the report
        store.update_patient("MRN-5", actor="clerk", birth_date="1960-03-02")
    item, lines = _verify(capsys, data, pdf)
    assert item["patient_corrected_later"] is True and lines[-1] == LINE
