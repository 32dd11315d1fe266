"""`palsy records backup`: a consistent, checked, private copy of a data folder while the app runs."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.backup import backup_data_folder
from models.errors import InputError
from tests.records.records_helpers import tiny_png


def _patients(db_path: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("SELECT patient_id FROM patients")}
    except sqlite3.OperationalError:  # no table at all: even the schema was only in the -wal
        return set()
    finally:
        conn.close()


def filled(store: Store) -> int:
    """One patient with one confirmed assessment: two photos and a report. Its number (the
    crash findings' tests fill their data folders with it too)."""
    store.create_patient("MRN-1", name="Ada Lovelace")
    aid = store.start_assessment("MRN-1").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.save_capture(aid, "close_eyes", tiny_png(2))
    store.record_results(aid, {"grade": "II"}, model_grade="II")
    store.confirm_grade(aid, "II", "Dr Kim")
    store.save_report(aid, b"%PDF-1.4 report")
    return aid


def test_backup_while_the_app_runs_keeps_what_is_only_in_the_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "backup"
    app = Store.open(data)  # the running app: its commits stay in palsy.db-wal (no checkpoint yet)
    other = Store.open(data)
    try:
        filled(app)
        app.create_patient("MRN-WAL")
        assert (data / "palsy.db-wal").stat().st_size > 0
        # The audit's failure: a plain copy of palsy.db alone loses the patient still in the -wal.
        (tmp_path / "plain").mkdir()
        shutil.copy2(data / "palsy.db", tmp_path / "plain" / "palsy.db")
        assert "MRN-WAL" not in _patients(tmp_path / "plain" / "palsy.db")
        with other.transaction():  # another window in the middle of a save: not committed
            other.create_patient("MRN-UNCOMMITTED")
            status = main(["records", "--data", str(data), "backup", "--out", str(out)])
        assert status == 0
    finally:
        other.close()
        app.close()
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("backed up 2 patients, 1 assessment, 3 files (") and "MB) to " in line
    assert "checks clean" in line
    assert _patients(out / "palsy.db") == {"MRN-1", "MRN-WAL"}
    assert not (out / "palsy.db-wal").exists()  # one self-contained file
    assert sorted(p.name for p in (out / "photos").rglob("*") if p.is_file()) == sorted(
        p.name for p in (data / "photos").rglob("*") if p.is_file())
    if os.name == "posix":
        for path in [out, *out.rglob("*")]:
            assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    # The copy is a data folder: `records check` passes on it, and the app opens it.
    assert main(["records", "--data", str(out), "check"]) == 0
    with Store.open(out) as restored:
        assert restored.count_patients() == 2


@pytest.mark.parametrize("kind", ["not empty", "a file"])
def test_backup_refuses_an_existing_out_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    with Store.open(data) as store:
        filled(store)
    if kind == "a file":
        out.write_text("keep")
    else:
        out.mkdir()
        (out / "keep.txt").write_text("keep")
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert (out.read_text() if kind == "a file" else sorted(os.listdir(out))) in ("keep", ["keep.txt"])


def test_backup_into_an_empty_folder_and_of_a_missing_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 2  # a mistyped --data
    assert "no data folder" in capsys.readouterr().err
    assert not data.exists() and not out.exists()
    with Store.open(data) as store:
        filled(store)
    out.mkdir()
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 0
    assert main(["records", "--data", str(data), "backup", "--out", str(data / "copy")]) == 2  # inside it


def test_backup_into_an_empty_folder_filled_meanwhile_is_refused(tmp_path: Path) -> None:
    # Another program writes into the empty folder while the copy is checked: the backup must
    # not be moved in beside its file, and no staging folder is left behind.
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()

    def fill(copy: Store) -> None:
        (out / "x.txt").write_text("someone else's")

    with Store.open(data) as store:
        filled(store)
        with pytest.raises(InputError, match="already exists and is not an empty folder"):
            backup_data_folder(store, out, check=fill)
    assert sorted(os.listdir(out)) == ["x.txt"]
    assert (out / "x.txt").read_text() == "someone else's"


def test_backup_of_an_altered_photo_reports_it_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    with Store.open(data) as store:
        filled(store)
    photo = next(p for p in (data / "photos").rglob("*") if p.is_file())
    photo.write_bytes(photo.read_bytes() + b"x")
    assert main(["records", "--data", str(data), "backup", "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "sha256 mismatch" in printed and "has problems" in printed
