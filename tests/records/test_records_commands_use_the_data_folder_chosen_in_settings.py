"""`palsy records` without --data works on the data folder the window opens: the one chosen in
Settings, else PALSY_HOME, else the platform's. After the data folder was moved in Settings, a
nightly `records backup` kept copying the folder left behind, and said only where it wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store
from tests.scripts import fresh_palsy


@pytest.fixture
def moved(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A home whose platform data folder is the old copy and whose Settings name the moved one,
    which alone holds the patient registered after the move: (home, old folder, moved folder)."""
    home = tmp_path / "home"
    old, new = home / ".local" / "share" / "palsygrader", tmp_path / "moved data"
    for folder in (old, new):
        with Store.open(folder) as store:
            store.create_patient("BEFORE-MOVE")
    with Store.open(new) as store:
        store.create_patient("AFTER-MOVE")
    settings = home / ".config" / "PalsyGrader" / "PalsyGrader.ini"
    settings.parent.mkdir(parents=True)
    settings.write_text(f"[clinic]\ndata_folder={new}\n", encoding="utf-8")
    return home, old, new


def test_backup_copies_the_folder_chosen_in_settings_and_names_it(moved: tuple[Path, Path, Path],
                                                                  tmp_path: Path) -> None:
    home, _old, new = moved
    out = tmp_path / "nightly"
    done = fresh_palsy(home, "records", "backup", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f" (from the data folder {new.resolve()}, " in done.stdout
    assert f" to {out.resolve()}; the copy checks clean" in done.stdout
    listed = fresh_palsy(home, "records", "--data", str(out), "patients")
    assert "AFTER-MOVE" in listed.stdout


def test_palsy_home_gives_way_to_settings_with_a_word(moved: tuple[Path, Path, Path]) -> None:
    home, old, new = moved
    done = fresh_palsy(home, "records", "patients", palsy_home=old)
    assert done.returncode == 0, done.stderr
    assert "AFTER-MOVE" in done.stdout and f"in {new.resolve()}" in done.stdout
    assert f"PALSY_HOME names another one, {old}, which is used only while Settings names none" in done.stderr


def test_without_settings_palsy_home_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    with Store.open(folder) as store:
        store.create_patient("ONLY-HERE")
    done = fresh_palsy(tmp_path / "home", "records", "patients", palsy_home=folder)
    assert done.returncode == 0, done.stderr
    assert "ONLY-HERE" in done.stdout and not done.stderr
