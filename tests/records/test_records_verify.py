"""`palsy records verify FILE.pdf`: is this PDF a report stored in the data folder, unaltered?
(By the sha256 the store recorded for it; not a cryptographic signature.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.local_time import local_date, local_minute
from app.records import Store

PDF = b"%PDF-1.4\n% a report of MRN-9\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _stored_report(data: Path, pdf: bytes = PDF) -> tuple[int, str, str]:
    """A confirmed assessment of MRN-9 with its report stored; (assessment, created, stored at)."""
    with Store.open(data) as store:
        store.create_patient("MRN-9", name="Vera Verify", affected_side="left")
        aid = store.start_assessment("MRN-9").id
        store.record_results(aid, {"grade": "III"}, model_grade="III")
        store.confirm_grade(aid, "IV", clinician="Dr Ada Example")
        report = store.save_report(aid, pdf)
        return aid, store.get_assessment(aid).created_at, report.created_at


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_copy_of_a_stored_report_is_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    aid, created, stored_at = _stored_report(data)
    copy = tmp_path / "emailed copy.pdf"
    copy.write_bytes(PDF)
    code, out, err = _run(capsys, "records", "--data", str(data), "verify", str(copy))
    assert code == 0 and not err
    [line] = out.splitlines()
    for needle in ("MRN-9", f"assessment {aid}", local_date(created), "grade IV", "confirmed by Dr Ada Example",
                   f"stored {local_minute(stored_at)}"):
        assert needle in line, needle
    assert "Vera" not in line  # patient IDs, never names, on the terminal

    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(copy), "--json")
    item = json.loads(out)
    assert code == 0 and item["stored"] is True
    assert (item["patient_id"], item["assessment"], item["confirmed_grade"], item["clinician"]) == (
        "MRN-9", aid, "IV", "Dr Ada Example")
    assert item["report_file"].startswith("reports/")


def test_an_altered_copy_or_another_folders_report_is_not_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _stored_report(data)
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(PDF.replace(b"MRN-9", b"MRN-8"))
    code, out, err = _run(capsys, "records", "--data", str(data), "verify", str(altered))
    assert code == 1 and not err
    assert out.strip() == (f"{altered}: not a report stored in {data.resolve()} (altered, from another data folder, "
                           "or made by palsy assess / palsy demo, which do not store reports)")

    other = tmp_path / "other"
    _stored_report(other, PDF + b"% another clinic\n")
    code, out, _ = _run(capsys, "records", "--data", str(other), "verify", str(tmp_path / "altered.pdf"))
    assert code == 1 and "not a report stored in" in out
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(altered), "--json")
    assert code == 1 and json.loads(out)["stored"] is False


def test_the_grade_shown_is_the_one_confirmed_when_the_report_was_stored(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    aid, _, _ = _stored_report(data)
    with Store.open(data) as store:
        store.confirm_grade(aid, "V", clinician="Dr Later")  # after the report: the PDF still says IV
    copy = tmp_path / "r.pdf"
    copy.write_bytes(PDF)
    code, out, _ = _run(capsys, "records", "--data", str(data), "verify", str(copy))
    assert code == 3  # genuine, no longer the grade the records hold
    assert "grade IV confirmed by Dr Ada Example" in out and "confirmed again later as V by Dr Later" in out
    assert "rely on a report exported again" in out


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.txt", b"hello", "is not a PDF file"),
    ("empty.pdf", b"", "is not a PDF file"),
    ("missing.pdf", None, "not found"),
    ("folder.pdf", "dir", "is a folder"),
])
def test_a_wrong_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                             content: bytes | str | None, message: str) -> None:
    data = tmp_path / "data"
    _stored_report(data)
    target = tmp_path / name
    if content == "dir":
        target.mkdir()
    elif content is not None:
        target.write_bytes(content)
    code, out, err = _run(capsys, "records", "--data", str(data), "verify", str(target))
    assert code == 2 and not out
    [line] = err.splitlines()
    assert line.startswith("palsy: error:") and message in line and "Traceback" not in err


def test_verify_needs_an_existing_data_folder_and_changes_nothing(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "r.pdf"
    copy.write_bytes(PDF)
    code, _, err = _run(capsys, "records", "--data", str(tmp_path / "nowhere"), "verify", str(copy))
    assert code == 2 and "there is no data folder" in err
    assert not (tmp_path / "nowhere").exists()
    data = tmp_path / "data"
    _stored_report(data)
    before = sorted((p.relative_to(data), p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file()
                    and not p.name.startswith("palsy.db"))
    assert _run(capsys, "records", "--data", str(data), "verify", str(copy))[0] == 0
    after = sorted((p.relative_to(data), p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file()
                   and not p.name.startswith("palsy.db"))
    assert before == after
