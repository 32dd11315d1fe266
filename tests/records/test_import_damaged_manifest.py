"""`palsy records import` of an export whose patient.json was cut short or edited to a value the
store refuses: one line that names patient.json, says nothing was imported and what helps, in
the importer's words (not the JSON parser's, nor the patient form's "write it as YYYY-MM-DD")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.records import Store
from app.records.export_format import MANIFEST
from tests.records.records_helpers import edit_manifest

EXPORT_AGAIN = "nothing was imported. Export the patient again from the sending station."


def _import_line(capsys: pytest.CaptureFixture[str], data: Path, folder: Path) -> str:
    """The one stderr line of a refused `records import` (exit 2, nothing recorded)."""
    code = main(["records", "--data", str(data), "import", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2 and not out
    [line] = err.splitlines()
    with Store.open(data) as store:
        assert store.count_patients() == 0
    return line


def test_a_patient_json_cut_short_is_called_damaged_with_what_to_do(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = exported / MANIFEST
    manifest.write_bytes(manifest.read_bytes()[: manifest.stat().st_size // 2])
    line = _import_line(capsys, tmp_path / "station2", exported)
    assert line == f"palsy: error: {manifest} is damaged (cut short or edited); {EXPORT_AGAIN}"


@pytest.mark.parametrize(("field", "value", "fault"), [
    ("birth_date", "yesterday", "the date of birth is not a date"),
    ("sex", "x", "unknown sex 'x', expected one of female, male, other"),
    ("patient_id", "", "the patient ID (MRN) is empty"),
])
def test_a_patient_field_edited_to_a_bad_value_names_the_export_not_the_form(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str], field: str, value: Any, fault: str
) -> None:
    edit_manifest(exported, lambda m: m["patient"].update({field: value}))
    line = _import_line(capsys, tmp_path / "station2", exported)
    assert line == f"palsy: error: {exported / MANIFEST} is not a valid export ({fault}); {EXPORT_AGAIN}"


def test_a_photo_listed_under_an_unknown_expression_names_the_export(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_manifest(exported, lambda m: m["assessments"][0]["captures"][0].update(expression="wink"))
    line = _import_line(capsys, tmp_path / "station2", exported)
    assert line.startswith(f"palsy: error: {exported / MANIFEST} is not a valid export (unknown expression 'wink', "
                           "expected one of ")
    assert line.endswith(EXPORT_AGAIN)


def test_no_photo_of_a_refused_import_is_left_in_the_data_folder(
    tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The store's checks of the patient's values run after the photos were placed: the refusal removes them."""
    edit_manifest(exported, lambda m: m["patient"].update(birth_date="yesterday"))
    _import_line(capsys, tmp_path / "station2", exported)
    left = [p for p in (tmp_path / "station2").rglob("*") if p.is_file() and "palsy.db" not in p.name]
    assert left == []
