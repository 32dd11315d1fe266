"""A data folder path that is a file (or lies under one): named as such, with what to set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.records.errors import StorageError, storage_error_from_os
from app.records.paths import DataLayout, ensure_private_dir
from app.records.store import Store

HINT = "set PALSY_HOME (or --data, or Settings \u2192 Data folder) to a folder."


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "palsy-data"
    path.write_text("not a folder")
    return path


def test_a_data_folder_that_is_a_file_is_named_as_a_file(a_file: Path) -> None:
    # the CLI said "there is no data folder X" beside a file X; the GUI "cannot create the folder X: File exists."
    expected = f"the data folder {a_file} is a file, not a folder: {HINT}"
    for open_it in (DataLayout.locate, Store.open_existing, Store.open):
        with pytest.raises(StorageError) as caught:
            open_it(a_file)
        assert str(caught.value) == expected


def test_a_data_folder_under_a_file_names_the_file(a_file: Path) -> None:
    # ".../file/sub" said only "Not a directory."
    with pytest.raises(StorageError) as caught:
        Store.open(a_file / "sub")
    assert str(caught.value) == f"{a_file} is a file, not a folder, so the data folder {a_file / 'sub'} cannot be made: {HINT}"
    with pytest.raises(StorageError, match=f"so the folder {a_file / 'sub' / 'photos'} cannot be made"):
        ensure_private_dir(a_file / "sub" / "photos")


def test_an_export_destination_that_is_a_file_says_choose_another(a_file: Path) -> None:
    error = storage_error_from_os(FileExistsError(17, "File exists", str(a_file)), "create the folder", a_file,
                                  destination=True)
    assert str(error) == f"cannot create the folder {a_file}: {a_file} is a file, not a folder; choose another destination."


def test_the_cli_names_the_file(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["records", "--data", str(a_file), "check"]) == 2
    assert capsys.readouterr().err == f"palsy: error: the data folder {a_file} is a file, not a folder: {HINT}\n"


@pytest.mark.skipif(os.name != "posix", reason="HOME is the POSIX home folder")
def test_an_empty_home_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # `HOME=''` put the data folder at /.local/share/palsygrader
    import pwd
    import sys

    from app.records.paths import default_data_dir

    if sys.platform == "darwin":
        pytest.skip("the Linux layout is under test")
    monkeypatch.delenv("PALSY_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", "")
    account_home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    assert default_data_dir() == account_home / ".local" / "share" / "palsygrader"

    def no_account(uid: int) -> None:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_account)
    with pytest.raises(StorageError) as caught:
        default_data_dir()
    assert "HOME is empty or unset" in str(caught.value) and "Set PALSY_HOME to the data folder" in str(caught.value)


def test_a_stray_file_inside_the_data_folder_is_named_not_the_data_folder(tmp_path) -> None:
    # a photo's folder taken by a file read "... the folder .../rest.png cannot be made: set PALSY_HOME"
    import errno

    from app.records.errors import storage_error_from_os

    (tmp_path / "photos").write_text("stray")
    said = str(storage_error_from_os(OSError(errno.ENOTDIR, "Not a directory"), "write", tmp_path / "photos" / "rest.png"))
    assert said.startswith(f"cannot write {tmp_path / 'photos' / 'rest.png'}: {tmp_path / 'photos'} is a file where a "
                           "folder should be; move or rename that file")
    assert "PALSY_HOME" not in said
