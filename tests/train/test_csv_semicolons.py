"""labels.csv and splits.csv separated by semicolons, as Excel writes "CSV" (even "CSV UTF-8
(Comma delimited)") under German, French and other regional settings, are read as the
comma-separated ones are; the header line decides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.data.parsing import ParsingDataset, csv_delimiter, read_csv_rows
from models.data.patients import listed_patient_ids
from models.errors import InputError

LABELS = frozenset({"patient_id", "grade", "side"})


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfPatient_ID;Grade;Side\r\nM\xc3\xbcller;III;left\r\nP-2;II;right\r\n;;\r\n",  # Excel, CSV UTF-8
    b"patient_id,grade,side\nM\xc3\xbcller,III,left\nP-2,II,right\n",
])
def test_labels_with_semicolons_or_commas_are_read_alike(tmp_path: Path, data: bytes) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_bytes(data)
    rows = read_csv_rows(labels, LABELS, "patient_id,grade,side")
    assert [(line, row["patient_id"], row["grade"], row["side"]) for line, row in rows] == [
        (2, "Müller", "III", "left"), (3, "P-2", "II", "right")]
    assert listed_patient_ids(labels) == ["Müller", "P-2"]


def test_a_comma_in_a_semicolon_files_data_stays_in_its_field(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_bytes("patient_id;grade;side\n\"Müller, J.\";III;left\n".encode())
    assert [row["patient_id"] for _, row in read_csv_rows(labels, LABELS, "patient_id,grade,side")] == ["Müller, J."]


def test_the_header_line_decides_the_separator() -> None:
    assert csv_delimiter("name;split\r\na,b;train\r\n") == ";"
    assert csv_delimiter("name,split\na;b,train\n") == ","
    assert csv_delimiter("name,kind;split\n") == ","  # both: commas, and the missing column is named
    assert csv_delimiter("") == ","


def test_a_splits_csv_with_semicolons_is_read(tmp_path: Path) -> None:
    root = tmp_path / "set"
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for name in ("a", "b"):
        Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "images" / f"{name}.png")
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(root / "masks" / f"{name}.png")
    (root / "classes.json").write_bytes(b'{"classes": ["background", "skin"]}')
    (root / "splits.csv").write_bytes(b"\xef\xbb\xbfname;split\r\na;Train\r\nb; val\r\n")
    assert ParsingDataset.open(root).splits == {"a": "train", "b": "val"}


def test_a_cp1252_file_is_still_refused_with_the_encoding_hint(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_bytes("patient_id;grade;side\nMüller;III;left\n".encode("cp1252"))
    with pytest.raises(InputError, match="is not UTF-8 text.*CSV UTF-8"):
        read_csv_rows(labels, LABELS, "patient_id,grade,side")
