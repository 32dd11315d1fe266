"""Patient data sets read and replaced as Windows and macOS would: patient ids that Windows reads
as another folder (`C:..`, `CON`, `P1.`), and ids that a case-insensitive file system opens as one
folder (`syn1_00000` and `SYN1_00000`)."""

from __future__ import annotations

import unicodedata
from pathlib import Path, PosixPath, PureWindowsPath

import pytest

from app.cli import main
from app.commands.synth import remove_old_set
from models.data.patients import PatientDataset
from models.errors import InputError
from models.folder_names import folder_name_problem

HEADER = "patient_id,grade,side,split\n"
REFUSED = ["C:..", "D:", "C:x", "a<b", "a>b", 'a"b', "a|b", "a?b", "a*b", "tab\there", "P1.", "P1 ", "...",
           "CON", "con", "Nul.txt", "aux.tar.gz", "PRN .png", "COM1", "lpt9.jpg", "COM\u00b9", "../x", "a\\b", ".", ".."]
ACCEPTED = ["P-10", "syn1_00000", "Zoë", "Müller", "CONSOLE", "COM0", "com10", "NULL", "P1.x", ".hidden_ok", "a b"]


@pytest.mark.parametrize("name", REFUSED)
def test_names_windows_reads_otherwise_are_refused_with_a_reason(name):
    assert folder_name_problem(name)


@pytest.mark.parametrize("name", ACCEPTED)
def test_a_plain_name_stays_inside_its_folder_on_windows(name):
    assert folder_name_problem(name) is None
    root = PureWindowsPath("C:/data/set")
    joined = root / name
    assert joined.parent == root and joined.name == name  # `C:..` gave C:\data\set\.. (the parent)


def _set(root: Path, *rows: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "labels.csv").write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return root


@pytest.mark.parametrize("pid, reason", [("C:..", "':'"), ("CON", "device name"), ("P1.", "ends in a dot")])
def test_labels_csv_with_such_an_id_names_its_line_and_why(tmp_path, pid, reason):
    root = _set(tmp_path / "set", "P0,I,none,train", f"{pid},II,left,test")
    with pytest.raises(InputError, match=f"line 3: patient_id .* is not a plain folder name: .*{reason}"):
        PatientDataset(root)


class WindowsJoin(PosixPath):
    """A folder whose `/` joins names as Windows does (`C:..` is the parent), mapped back to this
    machine's paths: what `remove_old_set` meets on Windows."""

    def __truediv__(self, name):  # type: ignore[override]
        joined = PureWindowsPath("C:" + str(self)) / name
        return Path(str(joined).removeprefix("C:").replace("\\", "/"))


def test_force_never_deletes_a_folder_windows_reaches_by_a_drive_relative_id(tmp_path):
    out = tmp_path / "data" / "set"
    assert main(["synth", "--out", str(out), "--patients", "2", "--seed", "6", "--size", "48", "--workers", "1"]) == 0
    (tmp_path / "data" / "other_set").mkdir()  # beside the set: its parent must survive
    (tmp_path / "data" / "other_set" / "keep.txt").write_text("mine")
    with (out / "labels.csv").open("a", newline="") as handle:
        handle.write("C:..,III,left,train\n")  # an edited labels.csv
    assert remove_old_set(WindowsJoin(out)) == 2  # the set's own two folders
    assert (tmp_path / "data" / "other_set" / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["other_set", "set"]


def test_ids_differing_in_case_only_are_refused_naming_both_rows(tmp_path):
    root = _set(tmp_path / "set", "syn1_00000,II,right,test", "syn1_00001,III,right,train", "SYN1_00000,II,right,train")
    (root / "syn1_00000").mkdir()  # on macOS and Windows also SYN1_00000: test photos in training
    with pytest.raises(InputError, match="line 4: patient_id 'SYN1_00000' and 'syn1_00000' on line 2 differ only"):
        PatientDataset(root)


def test_ids_differing_in_unicode_form_only_are_refused(tmp_path):
    composed, decomposed = "Müller", unicodedata.normalize("NFD", "Müller")
    root = _set(tmp_path / "set", f"{composed},II,right,train", f"{decomposed},II,right,train")
    with pytest.raises(InputError, match="line 3: .* on line 2 differ only in upper/lower case or Unicode form"):
        PatientDataset(root)


def test_a_synthetic_set_with_a_row_retyped_in_upper_case_is_refused(tmp_path):
    root = tmp_path / "set"
    assert main(["synth", "--out", str(root), "--patients", "3", "--seed", "1", "--size", "48", "--workers", "1"]) == 0
    first = (root / "labels.csv").read_text().splitlines()[1].split(",")
    with (root / "labels.csv").open("a") as handle:
        handle.write(f"{first[0].upper()},{first[1]},{first[2]},train\n")
    with pytest.raises(InputError, match="differ only in upper/lower case"):
        PatientDataset(root)


def test_ids_a_file_system_keeps_apart_are_not_called_duplicates(tmp_path):
    """Review: `str.casefold` made "Strauß" and "Strauss" (two surnames; two folders on NTFS and
    APFS, which change case one character at a time) one id."""
    root = _set(tmp_path / "set", "Strauß,I,none,train", "Strauss,II,left,train", "ﬁsh,III,left,train",
                "fish,IV,left,train")
    for pid in ("Strauß", "Strauss", "ﬁsh", "fish"):
        (root / pid).mkdir()
    assert sorted(PatientDataset(root).patients) == sorted(["Strauß", "Strauss", "ﬁsh", "fish"])


def test_force_still_removes_an_old_folder_only_windows_would_refuse(tmp_path):
    """Review: with the stricter id rule, `--force` kept an old set's `2024:01` folder on Linux
    (it is inside the set there) while it deleted labels.csv."""
    out = tmp_path / "set"
    _set(out, "2024:01,II,left,train", "P1.,III,left,train", "ok1,I,none,train")
    for pid in ("2024:01", "P1.", "ok1"):
        (out / pid).mkdir()
        (out / pid / "rest.png").write_bytes(b"old")
    assert remove_old_set(out) == 3
    assert list(out.iterdir()) == []
