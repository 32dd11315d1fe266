"""One text cell whose bytes are not valid UTF-8 (bit rot inside a row, which SQLite's integrity
check passes, or a tool that wrote another encoding): the records still open and read, with a
replacement character in its place; `records check` lists the cell as a database problem, exit
1, with its other findings; `records backup` keeps its byte-exact copy and says so, exit 1."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from tests.records.records_helpers import confirmed_assessment, tiny_png

BAD_NAME = b"Name\xff"  # what the audit wrote: CAST(x'4e616d65ff' AS TEXT)


def _folder(data: Path) -> tuple[int, int]:
    """Two patients, each with a confirmed visit and a stored report; the numbers of the
    visits."""
    with Store.open(data) as store:
        first = confirmed_assessment(store, "MRN-1001", "Ada Lovelace", "IV", "Dr. Auditor", seed=1)
        second = confirmed_assessment(store, "MRN-1002", "Otto Lilienthal", "II", "Dr. Auditor", seed=2)
        store.save_report(first, b"%PDF-1.4 first")
        store.save_report(second, b"%PDF-1.4 second")
    return first, second


def _edit(data: Path, script: str) -> None:
    conn = sqlite3.connect(data / "palsy.db", isolation_level=None)
    try:
        conn.executescript(script)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # SQLite sees nothing wrong
    finally:
        conn.close()


def _damage_name(data: Path, patient_id: str = "MRN-1002") -> None:
    _edit(data, f"UPDATE patients SET name = CAST(x'{BAD_NAME.hex()}' AS TEXT) WHERE patient_id = '{patient_id}'")


def _audit_row(data: Path, field: str) -> int:
    conn = sqlite3.connect(data / "palsy.db")
    try:
        return conn.execute("SELECT max(id) FROM audit WHERE field = ?", (field,)).fetchone()[0]
    finally:
        conn.close()


def _damage_audit(data: Path, entry: int, column: str, value: bytes) -> None:
    """As the audit did: the append-only trigger dropped, the entry edited, the trigger made again."""
    _edit(data, f"""DROP TRIGGER audit_no_update;
        UPDATE audit SET {column} = CAST(x'{value.hex()}' AS TEXT) WHERE id = {entry};
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""")


def _stored(db_path: Path, patient_id: str) -> bytes:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT CAST(name AS BLOB) FROM patients WHERE patient_id = ?", (patient_id,)).fetchone()[0]
    finally:
        conn.close()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["records", *argv])
    captured = capsys.readouterr()
    assert "Could not decode" not in captured.out + captured.err
    return status, captured.out + captured.err


def test_a_name_that_is_not_utf8_is_read_with_a_replacement_character(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    _folder(data)
    _damage_name(data)
    caplog.set_level(logging.WARNING, logger="palsy.records")
    # The window's patients page lists every patient at start (`search_patients`): one bad byte
    # in another patient's name stopped Palsy Grader from starting at all.
    with Store.open(data) as store:
        names = {p.patient_id: p.name for p in store.search_patients("")}
        assert names == {"MRN-1001": "Ada Lovelace", "MRN-1002": "Name\ufffd"}
        assert store.get_patient("MRN-1002").name == "Name\ufffd"
        # Nothing writes the shown text back: an edit of another field leaves the name's bytes alone.
        store.update_patient("MRN-1002", actor="nurse", notes="seen")
    assert _stored(data / "palsy.db", "MRN-1002") == BAD_NAME
    # said once in the log (the window's log file), naming no text of the cell
    said = [r.getMessage() for r in caplog.records if "not valid UTF-8" in r.getMessage()]
    assert len(said) == 1 and "Run `palsy records check` to find it." in said[0] and "Name" not in said[0]


def test_check_lists_each_undecodable_cell_with_its_other_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _folder(data)
    _damage_name(data)
    entry = _audit_row(data, "clinician")
    _damage_audit(data, entry, "at", b"2026-12-07T21:28:37.03\xff")
    # another finding: a photo no row records, older than crash recovery's hour
    stray = data / "photos" / "000009" / "000009_rest_0123456789ab.png"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(tiny_png(9))
    old = time.time() - 3 * 3600
    os.utime(stray, (old, old))

    status, out = _run(capsys, "--data", str(data), "check")
    assert status == 1
    lines = out.splitlines()
    assert lines[0].startswith("2 patients in ") and "2 database and 1 file problem" in lines[0], out
    assert ("database: the name of table patients, row 2, is not valid text (its stored bytes are not UTF-8; "
            "the app shows a replacement character in their place): the database is damaged. Restore palsy.db "
            "from a backup") in out
    assert f"database: the at of table audit, row {entry}, is not valid text" in out
    assert "unrecorded: " in out and stray.name in out  # the other findings are still listed
    assert "Name" not in out  # the cell's text is never quoted (a name; the lines reach palsy.log)
    # nor explained away by a note: no older release's time offset, no older station's search terms
    assert "note:" not in out and "(1 note" not in lines[0], out


def test_check_lists_a_damaged_clinician_of_the_audit_trail_and_verify_still_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    first, _ = _folder(data)
    entry = _audit_row(data, "clinician")
    _damage_audit(data, entry, "actor", b"Dr. \xffAud")
    status, out = _run(capsys, "--data", str(data), "check")
    assert status == 1
    assert f"database: the actor of table audit, row {entry}, is not valid text" in out
    pdf = next((data / "reports" / f"{first:06d}").glob("*.pdf"))  # the report of the damaged entry's visit
    status, out = _run(capsys, "--data", str(data), "verify", str(pdf))
    assert status != 2, out  # SQLite's raw error, exit 2, before


def test_backup_keeps_the_byte_exact_copy_and_says_the_cell_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _folder(data)
    _damage_name(data)
    status, text = _run(capsys, "--data", str(data), "backup", "--out", str(out))
    assert status == 1
    assert "database: the name of table patients, row 2, is not valid text" in text
    assert f"the backup in {out} has problems" in text
    assert _stored(out / "palsy.db", "MRN-1002") == BAD_NAME  # kept as it was: no replacement written
    assert sorted(p.name for p in (out / "photos").rglob("*.png")) == sorted(
        p.name for p in (data / "photos").rglob("*.png"))
    assert len(list((out / "reports").rglob("*.pdf"))) == 2


def test_an_older_folder_read_from_an_upgraded_copy_reads_a_damaged_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from tests.records.test_records_upgrade_paths import _build_v3

    data = tmp_path / "data"
    _build_v3(data)  # its upgrade rebuilds the name search terms from the names
    _edit(data, f"UPDATE patients SET name = CAST(x'{BAD_NAME.hex()}' AS TEXT)")
    status, out = _run(capsys, "--data", str(data), "patients", "--json")
    assert status == 0
    assert [p["patient_id"] for p in json.loads(out)] == ["OLD-1"]
    assert _stored(data / "palsy.db", "OLD-1") == BAD_NAME  # the folder itself is left as it is


def test_backup_of_a_photo_row_whose_checksum_is_damaged_keeps_its_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    _folder(data)
    _edit(data, "UPDATE captures SET sha256 = CAST(CAST(sha256 AS BLOB) || x'ff' AS TEXT) WHERE id = 1")
    status, text = _run(capsys, "--data", str(data), "backup", "--out", str(out))
    assert status == 1
    assert "database: the sha256 of table captures, row 1, is not valid text" in text
    assert "sha256 mismatch: photos/" in text  # the photo is copied; its record cannot name it any more
    assert (out / "palsy.db").is_file() and len(list((out / "photos").rglob("*.png"))) == 2


def test_check_lists_twenty_damaged_cells_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.records.text_checks as text_checks

    monkeypatch.setattr(text_checks, "CHUNK_ROWS", 4)  # the damaged cells fall in several chunks, edges included
    data = tmp_path / "data"
    with Store.open(data) as store:
        for n in range(25):
            store.create_patient(f"MRN-{n:02d}", name=f"Patient {n}")
    _edit(data, "UPDATE patients SET name = CAST(CAST(name AS BLOB) || x'c3' AS TEXT) WHERE id <= 25")
    status, out = _run(capsys, "--data", str(data), "check")
    assert status == 1
    listed = [line for line in out.splitlines() if " is not valid text " in line]
    assert [line.split(",")[1] for line in listed] == [f" row {n}" for n in range(1, 21)]
    assert "database: 5 more text cells are not valid text (not listed): the database is damaged" in out


def test_confirming_again_leaves_damaged_notes_and_clinician_bytes_alone(tmp_path: Path) -> None:
    """A visit confirmed again (another grade) whose notes and clinician cells do not decode:
    only the grade is written; the shown text with U+FFFD once replaced the stored bytes, unaudited."""
    data = tmp_path / "data"
    first, _ = _folder(data)
    notes, clinician = b"seen \xff", b"Dr. Aud\xfftor"
    _edit(data, f"UPDATE assessments SET notes = CAST(x'{notes.hex()}' AS TEXT), "
                f"clinician = CAST(x'{clinician.hex()}' AS TEXT) WHERE id = {first}")
    with Store.open(data) as store:
        shown = store.get_assessment(first)
        store.confirm_grade(first, "III", shown.clinician)  # notes=None: kept as stored
    conn = sqlite3.connect(data / "palsy.db")
    try:
        row = conn.execute("SELECT confirmed_grade, CAST(notes AS BLOB), CAST(clinician AS BLOB) FROM assessments "
                           "WHERE id = ?", (first,)).fetchone()
    finally:
        conn.close()
    assert row == ("III", notes, clinician)
