"""labels.csv as spreadsheets write it: BOM, cp1252, short and blank rows (DESIGN §4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

HEADER = "patient_id,grade,side,split\r\n"


def _labels(root: Path, data: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "labels.csv").write_bytes(data)
    return root


def test_utf8_with_a_byte_order_mark_reads_like_plain_utf8(tmp_path):
    # Excel's "CSV UTF-8" starts with a BOM, which used to stick to the first column's name.
    text = HEADER + "Zoë,II,left,train\r\nP2,iv,Right,val\r\n"
    ds = PatientDataset(_labels(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert ds.patient_ids() == ["P2", "Zoë"]
    assert ds.patients["Zoë"].grade == 1 and ds.patients["P2"].side == "right" and ds.patients["P2"].split == "val"


def test_header_names_are_trimmed_and_case_insensitive(tmp_path):
    ds = PatientDataset(_labels(tmp_path, b"Patient_ID , Grade,SIDE\nP1,I,none\n"))
    assert ds.patient_ids() == ["P1"]


def test_a_cp1252_file_asks_for_utf8(tmp_path):
    # Excel's plain "CSV" on Windows: cp1252, where the e-diaeresis is one byte 0xEB.
    root = _labels(tmp_path, (HEADER + "Zoë,II,left,train\r\n").encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8.*CSV UTF-8") as caught:
        PatientDataset(root)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("rows", "line"),
    [("P1,II,left\r\nP2\r\n", 3), ("P1\r\n", 2), ("P1,II,left\r\n\r\nP3,III\r\n", 4)],
)
def test_a_short_row_names_its_line(tmp_path, rows, line):
    root = _labels(tmp_path, (HEADER + rows).encode())
    with pytest.raises(InputError, match=rf"labels.csv line {line}: .*expected patient_id,grade,side"):
        PatientDataset(root)


def test_blank_and_empty_rows_are_skipped(tmp_path):
    # Excel leaves rows of empty cells (",,,") after cleared lines.
    ds = PatientDataset(_labels(tmp_path, (HEADER + "P1,II,left,\r\n,,,\r\n\r\nP2,I,,\r\n").encode()))
    assert ds.patient_ids() == ["P1", "P2"] and ds.patients["P2"].side == "none"


def test_an_empty_patient_id_names_its_line(tmp_path):
    with pytest.raises(InputError, match="line 3: the patient_id is empty"):
        PatientDataset(_labels(tmp_path, (HEADER + "P1,II,left,\r\n ,II,left,\r\n").encode()))


def test_semicolon_separated_file_is_read(tmp_path):
    # Excel writes ";" wherever the regional list separator is one (German, French...)
    ds = PatientDataset(_labels(tmp_path / "semicolons", b"patient_id;grade;side\nP1;II;left\n"))
    assert ds.patient_ids() == ["P1"] and ds.patients["P1"].side == "left"
    with pytest.raises(InputError, match="commas or with semicolons, not both"):
        PatientDataset(_labels(tmp_path / "mixed", b"patient_id;grade,side\nP1;II,left\n"))


@pytest.mark.usefixtures("one_thread")
def test_excel_labels_reach_evaluate_as_one_line(tmp_path, tiny_weights, capsys):
    root = draw_patients(tmp_path / "patients", 6, seed=3)
    text = (root / "labels.csv").read_text(encoding="utf-8")
    # The same set saved by Excel as "CSV UTF-8" evaluates; as cp1252 with an accent, or
    # with a short row, it is refused in one line with exit 2 instead of a traceback.
    (root / "labels.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert main(["evaluate", "grading", "--data", str(root), "--weights", str(tiny_weights), "--split", "all"]) == 0
    capsys.readouterr()
    for data, message in (((text + "Zoë,II,left\n").encode("cp1252"), "CSV UTF-8"), ((text + "P9\n").encode(), "line 8")):
        (root / "labels.csv").write_bytes(data)
        assert main(["evaluate", "grading", "--data", str(root), "--weights", str(tiny_weights)]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1


def test_a_patient_listed_twice_with_other_values_is_refused(tmp_path):
    root = _labels(tmp_path / "twice", (HEADER + "P1,I,none,train\r\nP2,II,left,train\r\nP1,VI,none,test\r\n").encode())
    with pytest.raises(InputError, match="line 4: patient P1 is already listed on line 2"):
        PatientDataset(root)
    same = _labels(tmp_path / "same", (HEADER + "P1,I,none,train\r\nP1,I,none,train\r\n").encode())
    assert PatientDataset(same).patient_ids() == ["P1"]  # an identical copy of a row is harmless


def test_photo_names_are_matched_whatever_their_case(tmp_path):
    from PIL import Image

    root = _labels(tmp_path / "set", (HEADER + "P1,II,left,train\r\n").encode())
    (root / "P1").mkdir()
    for name in ("REST.JPG", "Close_Eyes_1.jpg", "open_mouth.png", "notes.jpg"):
        Image.new("RGB", (64, 64)).save(root / "P1" / name)
    found = sorted(expression for expression, _, _ in PatientDataset(root).photos("P1"))
    assert found == ["close_eyes", "open_mouth", "rest"]  # as `palsy assess` reads the same folder


def test_a_patient_folder_is_listed_once(tmp_path, monkeypatch):
    from pathlib import Path

    from PIL import Image

    root = _labels(tmp_path / "set", (HEADER + "P1,II,left,train\r\n").encode())
    (root / "P1").mkdir()
    Image.new("RGB", (64, 64)).save(root / "P1" / "rest.png")
    dataset = PatientDataset(root)
    listed = []
    real_glob = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, *a, **k: (listed.append(self), real_glob(self, *a, **k))[1])
    first = dataset.photos("P1")
    first.clear()  # a caller's copy: the dataset's own list is untouched
    assert [e for e, _, _ in dataset.photos("P1")] == ["rest"]
    assert [s.expression for s in dataset.samples()] == ["rest"]
    assert listed == [root / "P1"]  # a clinic run asked four times and listed the folder four times


@pytest.mark.parametrize("row, quoted", [("P1,II,R,train", "side 'R'"), ("P1,II,left,Training", "split 'Training'")])
def test_a_refused_value_is_quoted_as_written(tmp_path, row, quoted):
    # it was quoted lower-cased ('r'), not as the clinic's file has it
    root = _labels(tmp_path / "set", (HEADER + row + "\r\n").encode())
    with pytest.raises(InputError, match=f"line 2: {quoted} is not one of"):
        PatientDataset(root)


def test_a_split_column_with_gaps_is_refused(tmp_path):
    # empty cells were read as train: a test patient left blank silently left the test split
    root = _labels(tmp_path / "gaps", (HEADER + "P1,I,none,train\r\nP2,II,left,\r\nP3,III,left,test\r\n").encode())
    with pytest.raises(InputError, match=r"1 patient\(s\) have an empty split while others have one, first P2"):
        PatientDataset(root)
    whole = _labels(tmp_path / "whole", (HEADER + "P1,I,none,\r\nP2,II,left,\r\n").encode())
    assert PatientDataset(whole).split_source.startswith("automatic")  # an empty column: the automatic split
