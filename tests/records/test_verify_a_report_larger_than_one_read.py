"""`palsy records verify` hashes the whole PDF, however many reads that takes: a genuine report
larger than one read (1 MiB) is the stored report, and one changed past the first MiB is
altered. (Reports can exceed it: large photos; docs/assess.md names a 2.2 MB PDF.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store

# A PDF of about 3 MiB: the padding is a PDF comment, so the file stays a valid PDF.
BIG_PDF = (b"%PDF-1.4\n% a report of MRN-7\n" + b"% padding " + b"x" * (3 * 2**20) + b"\n"
           + b"1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")


def _store_big_report(data: Path) -> None:
    """A confirmed assessment of MRN-7 whose stored report is BIG_PDF."""
    with Store.open(data) as store:
        store.create_patient("MRN-7", name="Lars Large")
        aid = store.start_assessment("MRN-7").id
        store.record_results(aid, {"grade": "II"}, model_grade="II")
        store.confirm_grade(aid, "II", clinician="Dr Ada Example")
        store.save_report(aid, BIG_PDF)


def test_a_genuine_report_larger_than_one_read_is_the_stored_report(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _store_big_report(data)
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(BIG_PDF)
    code = main(["records", "--data", str(data), "verify", str(copy)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{copy}: stored report of patient MRN-7" in out and "grade II confirmed by Dr Ada Example" in out


def test_a_change_past_the_first_mib_is_altered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _store_big_report(data)
    altered = bytearray(BIG_PDF)
    altered[2 * 2**20 + 5] = ord("y")  # inside the padding, 2 MiB in: the first MiB is untouched
    copy = tmp_path / "altered.pdf"
    copy.write_bytes(bytes(altered))
    code = main(["records", "--data", str(data), "verify", str(copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith(f"{copy}: not a report stored in {data.resolve()} (altered,")
