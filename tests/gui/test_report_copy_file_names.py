"""A report's copy is named for the patient and the visit in characters every system accepts,
and is written only where the user chose, never in the data folder (no Qt)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.export import copy_name, copy_report, copy_target
from app.records.errors import StorageError
from app.records.files import atomic_write
from app.records_gateway import AssessmentInfo, PatientInfo
from models.errors import InputError

VISIT = AssessmentInfo(4, "MRN-1002", "confirmed", "2026-12-07T09:30:00+00:00")


def named(patient_id: str, name: str) -> str:
    return copy_name(VISIT, PatientInfo(patient_id, name))


def test_the_name_says_whose_report_of_which_visit() -> None:
    assert named("MRN-1002", "Bo Carlsson").startswith("MRN-1002_Bo Carlsson_2026-12-0")
    assert named("MRN-1002", "Bo Carlsson").endswith("_HB-report.pdf")


@pytest.mark.parametrize(("patient_id", "name", "expected"), [
    ("MRN/1002", "Bo Carlsson", "MRN-1002_Bo Carlsson"),  # "/" made a folder
    ("C:1", 'Ann "Bo" <Berg>?', "C-1_Ann -Bo- -Berg"),  # Windows refuses :"<>?
    ("A\\B|C*D", "Eva\tFalk\u202e", "A-B-C-D_Eva Falk"),  # tabs, right-to-left overrides
    ("..MRN-3", "  Jo   Ames  ", "MRN-3_Jo Ames"),  # no hidden file, no runs of spaces
    ("IN-01", "राहुल शर्मा", "IN-01_राहुल शर्मा"),  # letters of any script stay
])
def test_characters_unsafe_in_file_names_are_replaced(patient_id: str, name: str, expected: str) -> None:
    assert named(patient_id, name).rsplit("_", 3)[0] == expected  # before "_<date>_<HHMM>_HB-report.pdf"


def test_a_long_name_keeps_the_file_name_within_255_bytes() -> None:
    name = named("क" * 64, "राहुल" * 40)
    assert len(name.encode("utf-8")) <= 255 and name.endswith("_HB-report.pdf")


def test_a_copy_is_the_stored_report_byte_for_byte(tmp_path: Path) -> None:
    original = tmp_path / "data" / "reports" / "000004" / "000004_report_abc.pdf"
    original.parent.mkdir(parents=True)
    original.write_bytes(b"%PDF-1.4 report")
    copy_report(original, tmp_path / "out.pdf", tmp_path / "data")
    assert (tmp_path / "out.pdf").read_bytes() == b"%PDF-1.4 report"


def test_a_copy_is_refused_in_the_data_folder(tmp_path: Path) -> None:
    original = tmp_path / "data" / "reports" / "000004" / "000004_report_abc.pdf"
    original.parent.mkdir(parents=True)
    original.write_bytes(b"%PDF-1.4 report")
    for target in (original, tmp_path / "data" / "copy.pdf"):
        with pytest.raises(InputError, match="cannot be saved in the data folder"):
            copy_report(original, target, tmp_path / "data")
    assert original.read_bytes() == b"%PDF-1.4 report"
    assert not (tmp_path / "data" / "copy.pdf").exists()


def test_a_copy_that_cannot_be_written_says_to_choose_another_destination(tmp_path: Path) -> None:
    original = tmp_path / "report.pdf"
    original.write_bytes(b"%PDF-1.4 report")
    (tmp_path / "notes").write_text("a file, not a folder")
    with pytest.raises(StorageError, match="choose another destination") as caught:
        copy_report(original, tmp_path / "notes" / "copy.pdf", tmp_path / "data")
    assert "PALSY_HOME" not in str(caught.value)  # the user's folder, not the data folder


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_copy_gets_the_permissions_any_program_s_file_would(tmp_path: Path, umask_022: None) -> None:
    """The copy is handed on: not owner-only as the records are; a file it replaces keeps its own."""
    original = tmp_path / "data" / "reports" / "000004_report_abc.pdf"
    original.parent.mkdir(parents=True)
    atomic_write(original, b"%PDF-1.4 report")
    assert stat.S_IMODE(original.stat().st_mode) == 0o600  # the records' own stay private
    copy_report(original, tmp_path / "new.pdf", tmp_path / "data")
    assert stat.S_IMODE((tmp_path / "new.pdf").stat().st_mode) == 0o644  # 0o666 less the umask
    for mode, content in ((0o664, b"older copy"), (0o640, b"%PDF-1.4 report")):  # the same bytes: not rewritten
        existing = tmp_path / f"existing-{mode:o}.pdf"
        existing.write_bytes(content)
        existing.chmod(mode)
        copy_report(original, existing, tmp_path / "data")
        assert existing.read_bytes() == b"%PDF-1.4 report"
        assert stat.S_IMODE(existing.stat().st_mode) == mode


@pytest.mark.parametrize(("chosen", "written"), [
    ("Ada report", "Ada report.pdf"),
    ("Dr. Kim", "Dr. Kim.pdf"),  # a dot in a name is no suffix a viewer knows
    ("copy.PDF", "copy.PDF"),
    ("copy.pdf", "copy.pdf"),
])
def test_a_copy_is_named_pdf(tmp_path: Path, chosen: str, written: str) -> None:
    assert copy_target(tmp_path / chosen) == tmp_path / written
