"""What the records commands say where nothing was ever stored (a fresh install: palsy demo and
palsy assess store nothing) and what a de-identified export still holds: neither may suggest the
wrong thing (a data loss to restore from a backup; an anonymous folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.errors import StorageError
from tests.records.records_helpers import confirmed_assessment, tiny_png

FRESH = "no patient records yet: the app creates {} when it first saves a patient " \
        "(palsy demo and palsy assess store nothing)"
PSEUDONYMISED = "pseudonymise: drop name, date of birth, notes and reports; the face photos stay and identify the patient"


@pytest.mark.parametrize("action", ["check", "patients", "drafts"])
def test_a_folder_that_never_held_records_is_not_sent_to_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert main(["records", "--data", str(home), action]) == 2
    err = capsys.readouterr().err
    assert FRESH.format(home / "palsy.db") in err
    assert "backup" not in err and "missing" not in err
    assert list(home.iterdir()) == []  # nothing was created


def test_a_lost_database_beside_photos_still_says_how_to_restore_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Store.open(home) as store:
        confirmed_assessment(store, "MRN-1", "Ada", "II", "Dr Kim")
    (home / "palsy.db").unlink()
    with pytest.raises(StorageError, match="palsy.db is missing; .*Restore palsy.db from a backup"):
        Store.open_existing(home)


def test_deidentify_help_and_output_say_the_face_photos_stay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["records", "export", "--help"])
    assert " ".join(capsys.readouterr().out.split()).count(PSEUDONYMISED) == 1
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.create_patient("MRN-2", name="Ada Example")
        store.save_capture(store.start_assessment("MRN-2").id, "rest", tiny_png(1), {})
    assert main(["records", "--data", str(data), "export", "MRN-2", "--out", str(tmp_path / "out"), "--deidentify"]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == PSEUDONYMISED
    assert Path(captured.out.strip()).is_dir()  # stdout stays the folder alone, for scripts
    assert main(["records", "--data", str(data), "export", "MRN-2", "--out", str(tmp_path / "out2")]) == 0
    assert capsys.readouterr().err == ""
