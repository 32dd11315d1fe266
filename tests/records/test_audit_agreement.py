"""A record's row must say what its own audit trail says: import refuses an export whose rows
or reports were changed (a swapped report, an edited grade), `records check` reports such rows
in the database, and `records verify` says when a report was made on another station."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from models.errors import InputError
from tests.records.records_helpers import confirmed_assessment, edit_manifest

SWAPPED = b"%PDF-1.4 a report that says grade I, not confirmed"


def _refused(tmp_path: Path, folder: Path, match: str) -> None:
    with Store.open(tmp_path / "station2") as target:
        with pytest.raises(InputError, match=match):
            import_patient(target, folder)
        assert target.count_patients() == 0


def test_a_swapped_report_is_refused_on_import(tmp_path: Path, exported: Path) -> None:
    report = json.loads((exported / MANIFEST).read_text())["assessments"][0]["reports"][0]
    (exported / report["file"]).write_bytes(SWAPPED)  # its sha256 in patient.json edited to match
    edit_manifest(exported, lambda m: m["assessments"][0]["reports"][0].update(
        sha256=hashlib.sha256(SWAPPED).hexdigest()))
    _refused(tmp_path, exported, r"assessment 1 does not match its own audit trail \(its report .*not the one")


@pytest.mark.parametrize(("field", "value"), [("confirmed_grade", "I"), ("clinician", "Dr Real"),
                                              ("status", "analysed")])
def test_a_row_edited_apart_from_its_audit_trail_is_refused_on_import(
        tmp_path: Path, exported: Path, field: str, value: str) -> None:
    def change(manifest: dict) -> None:
        manifest["assessments"][0][field] = value
        if field == "status":
            manifest["assessments"][0]["reports"] = []  # else refused as an unconfirmed visit with a report
    edit_manifest(exported, change)
    # a clinician is named by the field only: the refusal is logged, and the log holds no names
    said = "not the one its audit trail ends at" if field == "clinician" else f"'{value}'"
    _refused(tmp_path, exported, rf"does not match its own audit trail \(its {field.replace('_', ' ')} is {said}")


def test_an_unaltered_export_still_imports(tmp_path: Path, exported: Path) -> None:
    with Store.open(tmp_path / "station2") as target:
        import_patient(target, exported)
        assert target.record_problems() == []


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_verify_says_an_imported_report_was_made_on_another_station(
        tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "station2"
    with Store.open(data) as target:
        import_patient(target, exported, actor="admin")
    code, out = _run(capsys, "records", "--data", str(data), "verify", str(next((exported / "reports").iterdir())))
    assert code == 0 and "stored report of patient IMP-1" in out
    assert "IMPORTED" in out and "another station" in out and "not on this station" in out
    code, out = _run(capsys, "records", "--data", str(data), "verify", str(next((exported / "reports").iterdir())),
                     "--json")
    item = json.loads(out)
    assert item["imported"] is True and item["imported_at"]
    # On the station that stored it: not imported.
    code, out = _run(capsys, "records", "--data", str(tmp_path / "source"), "verify",
                     str(next((exported / "reports").iterdir())), "--json")
    assert code == 0 and json.loads(out)["imported"] is False and json.loads(out)["imported_at"] is None


@pytest.mark.parametrize("sql", [
    "UPDATE assessments SET confirmed_grade = 'I'",
    "UPDATE reports SET sha256 = '" + "ab" * 32 + "'",
])
def test_check_reports_rows_that_disagree_with_their_audit_trail(
        tmp_path: Path, exported: Path, capsys: pytest.CaptureFixture[str], sql: str) -> None:
    data = tmp_path / "source"  # the station that made the export: a confirmed visit with a report
    code, out = _run(capsys, "records", "--data", str(data), "check")
    assert code == 0, out
    conn = sqlite3.connect(data / "palsy.db")
    conn.execute(sql)
    conn.commit()
    conn.close()
    code, out = _run(capsys, "records", "--data", str(data), "check")
    assert code == 1 and "does not match its own audit trail" in out


def test_a_clock_stepped_back_between_two_changes_is_no_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review: the trail was judged in the order of its times, so a confirmation written before
    # the clock was corrected an hour back outranked the later override, for ever
    from app.records import validate
    from app.records.export_folder import export_patient

    times = iter(["2026-12-01T10:00:00.000+00:00", "2026-12-01T10:00:01.000+00:00", "2026-12-01T10:00:02.000+00:00",
                  "2026-12-01T11:00:00.000+00:00",  # confirmed while the clock ran an hour fast
                  "2026-12-01T10:05:00.000+00:00",  # the clock corrected: the override
                  "2026-12-01T10:06:00.000+00:00"] * 3)
    monkeypatch.setattr(validate, "now_iso", lambda: next(times))
    store = Store.open(tmp_path / "a")
    number = confirmed_assessment(store, "P1", "", "II", "Dr A")
    store.confirm_grade(number, "III", "Dr B")
    monkeypatch.undo()
    assert store.record_problems() == []
    import_patient(Store.open(tmp_path / "b"), export_patient(store, "P1", tmp_path / "exported"))


def test_two_stations_with_clocks_apart_keep_one_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # review: station A's clock 8 h ahead confirmed II; B imported and re-confirmed III the same
    # day; B's check called its own record edited and every export of it was refused
    from datetime import datetime, timedelta, timezone

    from app.records import validate
    from app.records.export_folder import export_patient

    monkeypatch.setattr(validate, "now_iso",
                        lambda: (datetime.now(timezone.utc) + timedelta(hours=8)).isoformat(timespec="milliseconds"))
    a = Store.open(tmp_path / "A")
    confirmed_assessment(a, "P1", "", "II", "Dr A")
    exported = export_patient(a, "P1", tmp_path / "from_a")
    monkeypatch.undo()
    b = Store.open(tmp_path / "B")
    import_patient(b, exported, actor="it")
    b.confirm_grade(b.history("P1")[0].id, "III", "Dr B")
    assert b.record_problems() == []
    c = Store.open(tmp_path / "C")
    from_b = export_patient(b, "P1", tmp_path / "from_b")
    import_patient(c, from_b, actor="it")
    assert c.history("P1")[0].confirmed_grade == "III" and c.record_problems() == []

    def as_an_earlier_export(manifest: dict) -> None:  # audit entries by time, no audit_order
        del manifest["audit_order"]
        for item in manifest["assessments"]:
            item["audit"].sort(key=lambda e: e["at"] or "")

    edit_manifest(from_b, as_an_earlier_export)
    with pytest.raises(InputError, match="an earlier Palsy Grader exported it with its audit trail in time order"):
        import_patient(Store.open(tmp_path / "D"), from_b, actor="it")
