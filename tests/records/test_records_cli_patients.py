"""`palsy records patients`: every patient ID with its visits, for an export or a backup check
(the only listing was the GUI's); no names; a mistyped folder creates nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store


def test_patients_lists_ids_and_visits_without_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("b-2", name="Ada Lovelace")
        store.create_patient("A-1", name="Grace Hopper")
        store.create_patient("C-3")
        first = store.start_assessment("A-1", created_at="2026-01-05T10:00:00+00:00").id
        store.record_results(first, {"grade": "III"}, model_grade="III")
        store.confirm_grade(first, "IV", "Dr. K")
        store.start_assessment("A-1", created_at="2026-03-01T09:30:00+00:00")
        gone = store.start_assessment("b-2").id
        store.discard_assessment(gone, actor="test")
    assert main(["records", "--data", str(data), "patients", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"patient_id": "A-1", "visits": 2, "confirmed": 1, "last_visit": "2026-03-01T09:30:00+00:00"},
        {"patient_id": "b-2", "visits": 0, "confirmed": 0, "last_visit": None},  # a discarded draft is no visit
        {"patient_id": "C-3", "visits": 0, "confirmed": 0, "last_visit": None},
    ]
    assert main(["records", "--data", str(data), "patients"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["A-1\t2 visits, 1 confirmed, last 2026-03-01", "b-2\t0 visits, 0 confirmed",
                                "C-3\t0 visits, 0 confirmed", f"3 patients in {data}"]
    assert "Ada" not in out and "Grace" not in out


def test_patients_of_a_mistyped_folder_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "dta"
    assert main(["records", "--data", str(typo), "patients"]) == 2
    assert str(typo) in capsys.readouterr().err
    assert not typo.exists()
