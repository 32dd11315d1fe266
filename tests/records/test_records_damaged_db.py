"""A damaged palsy.db (audit: random bytes over the middle of the file) is a clear StorageError
naming it and saying what to do, never a traceback; crash recovery moves no file while the
database reports damage; `records check` reports it as a problem found (exit 1), the listings
refuse it (exit 2), and the *.bak copies are mentioned only when some exist."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.errors import DatabaseDamagedError, StorageError
from app.records.export_folder import export_patient
from tests.records.records_helpers import damage_table, tiny_png


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _filled(folder: Path) -> Path:
    """A closed store with two patients, photos and the audit trail."""
    with Store.open(folder) as store:
        for n in (1, 2):
            store.create_patient(f"MRN-{n}", name=f"Person {n}")
            aid = store.start_assessment(f"MRN-{n}").id
            store.save_capture(aid, "rest", tiny_png(n))
    return folder


def _old_orphan(folder: Path) -> Path:
    """A complete photo no row names, two hours old: crash recovery would move it to recovered/."""
    orphan = folder / "photos" / "000099" / "000099_rest_left_by_a_crash.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(tiny_png(9))
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    return orphan


def test_import_into_a_damaged_database_is_one_line_and_moves_nothing(tmp_path: Path, capsys) -> None:
    source = _filled(tmp_path / "source")
    with Store.open(source) as store:
        export = export_patient(store, "MRN-1", tmp_path / "exports")
    data = _filled(tmp_path / "data")
    _old_orphan(data)
    damage_table(data / "palsy.db", "captures")  # the table crash recovery reads
    before = _files(data)
    assert main(["records", "--data", str(data), "import", str(export)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"the database {data / 'palsy.db'} is damaged" in err and "Restore it from a backup" in err
    assert _files(data) == before  # nothing moved, nothing written
    with pytest.raises(DatabaseDamagedError):
        Store.open(data)


def test_crash_recovery_moves_nothing_while_the_database_reports_damage(tmp_path: Path) -> None:
    # the damage is in a table the recovery does not read: its query answers, the quick check does not
    data = _filled(tmp_path / "data")
    orphan = _old_orphan(data)
    damage_table(data / "palsy.db", "audit")
    with pytest.raises(DatabaseDamagedError, match="is damaged .*Restore it from a backup"):
        Store.open(data)
    assert orphan.is_file() and not (data / "recovered").exists()


def test_a_sound_database_still_recovers_an_orphan(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data")
    orphan = _old_orphan(data)
    with Store.open(data) as store:
        assert [old for old, _ in store.recovery.recovered_orphans] == [orphan]


def test_check_reports_a_damaged_database_as_a_problem_found(tmp_path: Path, capsys) -> None:
    data = _filled(tmp_path / "data")
    damage_table(data / "palsy.db", "captures")
    assert main(["records", "--data", str(data), "check"]) == 1
    out = capsys.readouterr().out
    assert "the database is damaged" in out and "Restore it from a backup" in out and ".bak" not in out
    (data / "palsy.db.v2.bak").write_bytes(b"")  # a copy taken before an upgrade: now named
    assert main(["records", "--data", str(data), "check", "--json"]) == 1
    assert "palsy.db.v2.bak beside it is a copy taken before an upgrade" in capsys.readouterr().out
    # a mistyped folder stays a user's mistake
    assert main(["records", "--data", str(tmp_path / "nowhere"), "check"]) == 2


def test_check_of_a_file_that_is_no_database_is_a_problem_found(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "palsy.db").write_bytes(b"\x13" * 8192)
    assert main(["records", "--data", str(data), "check"]) == 1
    assert "is damaged" in capsys.readouterr().out


@pytest.mark.parametrize("action", [["patients"], ["drafts"], ["export", "MRN-1", "--out", "EXPORTS"]])
def test_listings_and_export_refuse_a_damaged_database(tmp_path: Path, capsys, action: list[str]) -> None:
    data = _filled(tmp_path / "data")
    damage_table(data / "palsy.db", "audit")  # the listings' own queries still answer
    action = [str(tmp_path / "exports") if a == "EXPORTS" else a for a in action]
    assert main(["records", "--data", str(data), *action]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured
    assert f"the database {data / 'palsy.db'} is damaged" in captured.err and "Restore it from a backup" in captured.err


def test_the_error_is_a_storage_error(tmp_path: Path) -> None:
    data = _filled(tmp_path / "data")
    damage_table(data / "palsy.db", "captures")
    with pytest.raises(StorageError) as caught:
        Store.open(data)
    assert "\n" not in str(caught.value)
