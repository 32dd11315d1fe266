"""`palsy records` without --data never works on, or makes, another folder than the window
would without a word: a settings file that cannot be read, or names a folder this version
refuses, is said on stderr with the folder used instead; an import never makes a new data
folder where Settings name one that is not there (a drive not connected) unless --data gives
it; and "check the folder" messages name where the folder came from."""

from __future__ import annotations

from pathlib import Path

from app.records import Store
from tests.scripts import fresh_palsy


def _settings(home: Path, text: str | None) -> Path:
    """The settings file under `home`, written with `text` (None: a folder in its place)."""
    path = home / ".config" / "PalsyGrader" / "PalsyGrader.ini"
    if text is None:
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return path


def _export(tmp_path: Path) -> Path:
    """A patient folder made by `records export`."""
    source = tmp_path / "source"
    with Store.open(source) as store:
        store.create_patient("P-1")
    out = tmp_path / "exports"
    done = fresh_palsy(tmp_path / "exporter", "records", "--data", str(source), "export", "P-1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def test_an_unreadable_settings_file_is_said_with_the_folder_used(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = _settings(home, None)
    folder = tmp_path / "records"
    with Store.open(folder) as store:
        store.create_patient("ONLY-HERE")
    done = fresh_palsy(home, "records", "patients", palsy_home=folder)
    assert done.returncode == 0, done.stderr
    assert f"The settings file {settings} cannot be read" in done.stderr
    assert f"The data folder {folder} is used (named in PALSY_HOME)." in done.stderr


def test_a_refused_settings_folder_is_said(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _settings(home, "[clinic]\ndata_folder=rel/palsy\n")
    folder = tmp_path / "records"
    with Store.open(folder) as store:
        store.create_patient("ONLY-HERE")
    done = fresh_palsy(home, "records", "patients", palsy_home=folder)
    assert done.returncode == 0, done.stderr
    assert "names the data folder 'rel/palsy', which cannot be used: it is not a full path" in done.stderr
    assert f"The data folder {folder} is used (named in PALSY_HOME)." in done.stderr


def test_a_missing_settings_folder_is_named_as_chosen_in_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    gone = tmp_path / "nas" / "palsy"
    settings = _settings(home, f"[clinic]\ndata_folder={gone}\n")
    done = fresh_palsy(home, "records", "check")
    assert done.returncode == 2
    assert f"there is no data folder {gone}" in done.stderr
    assert f"chosen in Settings: the line data_folder= under [clinic] in {settings}" in done.stderr
    assert "PALSY_HOME" not in done.stderr


def test_import_makes_no_new_folder_where_settings_name_a_missing_one(tmp_path: Path) -> None:
    export = _export(tmp_path)
    home = tmp_path / "home"
    (tmp_path / "mnt" / "nas").mkdir(parents=True)  # the mount point, the drive not mounted
    gone = tmp_path / "mnt" / "nas" / "palsy"
    _settings(home, f"[clinic]\ndata_folder={gone}\n")
    done = fresh_palsy(home, "records", "import", str(export))
    assert done.returncode == 2
    assert f"The data folder {gone} does not exist." in done.stderr
    assert f"give it with --data: palsy records --data \"{gone}\" import" in done.stderr
    assert not gone.exists()
    made = fresh_palsy(home, "records", "--data", str(gone), "import", str(export))
    assert made.returncode == 0, made.stderr
    assert "imported patient P-1" in made.stdout


def test_import_names_the_folder_chosen_in_settings(tmp_path: Path) -> None:
    export = _export(tmp_path)
    home = tmp_path / "home"
    folder = tmp_path / "records"
    with Store.open(folder) as store:
        store.create_patient("OTHER")
    settings = _settings(home, f"[clinic]\ndata_folder={folder}\n")
    done = fresh_palsy(home, "records", "import", str(export))
    assert done.returncode == 0, done.stderr
    assert f"importing into the data folder {folder} (chosen in Settings: the line data_folder= under [clinic] " \
           f"in {settings})" in done.stderr


def test_import_makes_no_new_folder_where_palsy_home_names_a_missing_one(tmp_path: Path) -> None:
    export = _export(tmp_path)
    gone = tmp_path / "usb" / "palsy"
    done = fresh_palsy(tmp_path / "home", "records", "import", str(export), palsy_home=gone)
    assert done.returncode == 2
    assert f"The data folder {gone} does not exist." in done.stderr
    assert "is not there either (is a drive not connected?)" in done.stderr
    assert "The data folder is named in PALSY_HOME. Nothing was imported." in done.stderr
    assert not gone.exists()


def test_a_lost_database_in_the_settings_folder_names_settings(tmp_path: Path) -> None:
    export = _export(tmp_path)
    home = tmp_path / "home"
    folder = tmp_path / "records"
    (folder / "photos" / "P-1").mkdir(parents=True)
    (folder / "photos" / "P-1" / "rest.png").write_bytes(b"\x89PNG")
    _settings(home, f"[clinic]\ndata_folder={folder}\n")
    done = fresh_palsy(home, "records", "import", str(export))
    assert done.returncode == 2
    assert "is missing" in done.stderr and "the data folder (chosen in Settings: the line data_folder=" in done.stderr
    assert not (folder / "palsy.db").exists()
