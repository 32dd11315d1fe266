"""`palsy records` check / drafts / export / import, and its exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.migrations import schema_version
from tests.records.records_helpers import tiny_png


def test_records_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "a"
    with Store.open(data) as store:
        store.create_patient("CLI-1", name="Ann Cli")
        aid = store.start_assessment("CLI-1").id
        store.save_capture(aid, "rest", tiny_png(3))
        photo = store.capture_path(store.get_capture(aid, "rest"))
    assert main(["records", "--data", str(data), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == 1
    assert main(["records", "--data", str(data), "drafts", "--json"]) == 0
    [draft] = json.loads(capsys.readouterr().out)
    assert (draft["assessment"], draft["captured"], len(draft["missing"])) == (aid, ["rest"], 5)
    assert main(["records", "--data", str(data), "export", "CLI-1", "--out", str(tmp_path / "usb")]) == 0
    folder = capsys.readouterr().out.strip()
    assert main(["records", "--data", str(tmp_path / "b"), "import", folder]) == 0
    assert "imported patient CLI-1" in capsys.readouterr().out
    # A user's mistake: one line on stderr, exit 2, no traceback.
    assert main(["records", "--data", str(tmp_path / "b"), "import", folder]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error:") and "already exists" in err and "Traceback" not in err
    photo.write_bytes(b"\x89PNG\r\n\x1a\ndamaged")
    assert main(["records", "--data", str(data), "check"]) == 1
    assert "checksum" in capsys.readouterr().out


def _exported(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "src") as store:
        store.create_patient("CLI-2", name="Bo Cli")
        aid = store.start_assessment("CLI-2").id
        store.save_capture(aid, "rest", tiny_png(4))
        store.save_capture(aid, "close_eyes", tiny_png(5))
        return export_patient(store, "CLI-2", tmp_path / "usb")


def _set_assessments(m: dict, value: object) -> None:
    m["assessments"] = value


def _set_patient(m: dict, value: object) -> None:
    m["patient"] = value


def _set_captures(m: dict, value: object) -> None:
    m["assessments"][0]["captures"] = value


def _set_patient_audit(m: dict, value: object) -> None:
    m["patient"]["audit"] = value


def _twice(m: dict, _: object) -> None:
    captures = m["assessments"][0]["captures"]
    captures.append(dict(captures[0]))


def _capture_sha(m: dict, value: object) -> None:
    m["assessments"][0]["captures"][0]["sha256"] = value


def _audit_time(m: dict, value: object) -> None:
    m["assessments"][0]["audit"][0]["at"] = value


@pytest.mark.parametrize(("change", "value", "message"), [
    (_set_assessments, "abc", "assessments"),
    (_set_patient, [1], "patient"),
    (_set_captures, ["x"], r"assessments\[0\].captures\[0\]"),
    (_set_patient_audit, ["x"], r"patient.audit\[0\]"),
    (_capture_sha, 7, r"captures\[0\].sha256"),
    (_audit_time, {"t": 1}, r"assessments\[0\].audit\[0\].at"),
    (_twice, None, "rest photo of assessment 1 twice"),
])
def test_malformed_export_is_one_line_exit_2_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: object, value: object, message: str
) -> None:
    folder = _exported(tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest, value)  # type: ignore[operator]
    (folder / MANIFEST).write_text(json.dumps(manifest))
    data = tmp_path / "station2"
    Store.open(data).close()
    capsys.readouterr()
    assert main(["records", "--data", str(data), "import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error:") and err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err
    with Store.open(data) as store:
        assert store.count_patients() == 0 and store.audit_trail() == []
        assert [p for p in data.rglob("*") if p.is_file() and p.parent.name == "000001"] == []


def _photos(data: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in data.rglob("*") if p.is_file() and "palsy.db" not in p.name}


def _old_photo_folder(tmp_path: Path) -> tuple[Path, dict[Path, bytes]]:
    """A data folder with one recorded photo, aged two hours (old enough for start-up recovery)."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("CLI-3")
        aid = store.start_assessment("CLI-3").id
        photo = store.capture_path(store.save_capture(aid, "rest", tiny_png(6)))
    old = time.time() - 7200
    os.utime(photo, (old, old))
    return data, _photos(data)


def test_check_of_a_missing_folder_creates_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "dta"
    assert main(["records", "--data", str(typo), "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("palsy: error:") and str(typo) in err
    assert not typo.exists()


def test_check_of_a_folder_without_database_reports_it_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, files = _old_photo_folder(tmp_path)
    for db in data.glob("palsy.db*"):
        db.unlink()
    assert main(["records", "--data", str(data), "check"]) == 2
    err = capsys.readouterr().err
    assert str(data / "palsy.db") in err and "1 photo or report file" in err
    assert _photos(data) == files and not (data / "palsy.db").exists()
    (data / "palsy.db").write_bytes(b"")  # a zero-byte database is no store either
    assert main(["records", "--data", str(data), "check"]) == 2
    assert "empty" in capsys.readouterr().err
    assert _photos(data) == files and (data / "palsy.db").stat().st_size == 0


def test_check_reports_unrecorded_files_and_moves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, files = _old_photo_folder(tmp_path)
    for db in data.glob("palsy.db*"):
        db.unlink()
    with Store.open(tmp_path / "new", recover_files=False):  # the database was lost and a new one made
        pass
    shutil.copy2(tmp_path / "new" / "palsy.db", data / "palsy.db")
    db_bytes = (data / "palsy.db").read_bytes()
    assert main(["records", "--data", str(data), "check", "--json"]) == 1
    [problem] = json.loads(capsys.readouterr().out)["file_problems"]
    assert problem["problem"] == "unrecorded" and problem["file_name"].startswith("photos/000001/")
    assert main(["records", "--data", str(data), "check"]) == 1
    assert "unrecorded:" in capsys.readouterr().out
    assert _photos(data) == files and (data / "palsy.db").read_bytes() == db_bytes
    assert not (data / "recovered").exists()


def test_check_does_not_upgrade_an_old_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.records.test_records_migrations import _build_v1

    _build_v1(tmp_path / "v1")
    assert main(["records", "--data", str(tmp_path / "v1"), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["patients"] == 2
    conn = sqlite3.connect(tmp_path / "v1" / "palsy.db")
    assert schema_version(conn) == 1
    conn.close()
    assert list((tmp_path / "v1").glob("*.bak")) == []
