"""A discarded visit (marked entered in error: another person's photos filed under this
patient; or a draft discarded) leaves with no photo and no report in any export; a plain export
keeps its row and audit trail, a de-identified one leaves it out; both import, and the
importing station's `records check` finds nothing wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from tests.records.records_helpers import confirmed_assessment, tiny_png

OTHER_PERSON = "recorded under the wrong patient: these are Mr Other's photos"


def _patient_with_discarded_visits(data: Path) -> tuple[int, int, int]:
    """WD-1 with a confirmed visit (with a report) withdrawn as entered in error, a draft with a
    photo discarded, and a kept confirmed visit; (withdrawn, discarded draft, kept)."""
    with Store.open(data) as store:
        withdrawn = confirmed_assessment(store, "WD-1", "Jane Secretname", "IV", "Dr Who", seed=11)
        store.save_report(withdrawn, b"%PDF-1.4 report printing Jane beside Mr Other's photos")
        store.withdraw_assessment(withdrawn, actor="gui", reason=OTHER_PERSON)
        draft = store.start_assessment("WD-1").id
        store.save_capture(draft, "rest", tiny_png(12))
        store.discard_assessment(draft, actor="gui", reason="patient left")
        kept = store.start_assessment("WD-1").id
        store.save_capture(kept, "rest", tiny_png(13))
        store.record_results(kept, {"grade": "II"}, model_grade="II")
        store.confirm_grade(kept, "II", "Dr Who")
        return withdrawn, draft, kept


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_plain_export_keeps_the_rows_and_trails_of_discarded_visits_but_not_their_files(tmp_path: Path) -> None:
    withdrawn, draft, kept = _patient_with_discarded_visits(tmp_path / "data")
    with Store.open(tmp_path / "data") as store:
        kept_photo = store.captures(kept)[0].sha256
        withdrawn_report = store.reports(withdrawn)[0].sha256
        folder = export_patient(store, "WD-1", tmp_path / "usb")
    manifest = json.loads((folder / MANIFEST).read_text())
    by_number = {item["number"]: item for item in manifest["assessments"]}
    assert [by_number[n]["status"] for n in (withdrawn, draft, kept)] == ["discarded", "discarded", "confirmed"]
    for number in (withdrawn, draft):
        assert by_number[number]["captures"] == [] and by_number[number]["reports"] == []
        assert by_number[number]["audit"][-1]["new_value"] == "discarded"  # the trail says what happened
    # the report's sha256 stays in the withdrawn visit's trail: the record of what existed
    assert withdrawn_report in [e["new_value"] for e in by_number[withdrawn]["audit"]]
    assert [c["sha256"] for c in by_number[kept]["captures"]] == [kept_photo]
    assert _files(folder) == [MANIFEST, by_number[kept]["captures"][0]["file"]]


def test_a_deidentified_export_leaves_discarded_visits_out(tmp_path: Path) -> None:
    _withdrawn, _draft, kept = _patient_with_discarded_visits(tmp_path / "data")
    with Store.open(tmp_path / "data") as store:
        kept_photo = store.captures(kept)[0].sha256
        folder = export_patient(store, "WD-1", tmp_path / "usb", deidentify=True, pseudonym="STUDY-7")
    text = (folder / MANIFEST).read_text()
    [item] = json.loads(text)["assessments"]
    assert item["status"] == "confirmed" and [c["sha256"] for c in item["captures"]] == [kept_photo]
    assert "Other" not in text and "discarded" not in text
    assert _files(folder) == [MANIFEST, item["captures"][0]["file"]]


@pytest.mark.parametrize("options", [[], ["--deidentify", "--pseudonym", "STUDY-7"]])
def test_an_export_with_discarded_visits_imports_and_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
) -> None:
    _patient_with_discarded_visits(tmp_path / "data")
    records = ["records", "--data"]
    assert main([*records, str(tmp_path / "data"), "export", "WD-1", "--out", str(tmp_path / "usb"), *options]) == 0
    folder = capsys.readouterr().out.strip()
    assert main([*records, str(tmp_path / "fresh"), "import", folder]) == 0
    capsys.readouterr()
    assert main([*records, str(tmp_path / "fresh"), "check", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["database_problems"] == [] and report["file_problems"] == []
    with Store.open(tmp_path / "fresh") as station:
        patient = Path(folder).name
        statuses = [a.status for a in station.history(patient, include_discarded=True)]
        assert statuses == (["confirmed"] if options else ["discarded", "discarded", "confirmed"])
        assert [len(station.captures(a.id)) for a in station.history(patient, include_discarded=True)] == (
            [1] if options else [0, 0, 1])
