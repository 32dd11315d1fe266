"""A patient set still in the .zip it arrived in is named as such: given the folder it was
downloaded into (no labels.csv there, the .zip is), or the .zip itself, each command says to
unpack it first, and an existing .zip is not called "not found"."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.cli import main
from models.data.patients import PatientDataset
from models.errors import InputError

UNPACK = "unpack it first and give the unpacked folder that holds labels.csv"


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """A downloads folder holding only set.zip, the set inside it."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    with zipfile.ZipFile(folder / "set.zip", "w") as handle:
        handle.writestr("labels.csv", "patient_id,grade,side\nP1,II,left\n")
    return folder


def test_the_folder_the_zip_was_downloaded_into_names_it(download: Path) -> None:
    with pytest.raises(InputError) as caught:
        PatientDataset(download)
    assert f"{download} is not a patient data set: this folder holds set.zip: {UNPACK}; " in str(caught.value)


@pytest.mark.parametrize("command", [
    ["train", "clinic", "--out", "RUN", "--minutes", "1"],
    ["train", "grading", "--init", "WEIGHTS", "--out", "RUN", "--minutes", "1"],
    ["evaluate", "grading"],
])
@pytest.mark.parametrize(("given", "said"), [
    ("", f"this folder holds set.zip: {UNPACK}"),
    ("set.zip", f"set.zip is a .zip archive: {UNPACK}"),
], ids=["folder-holding-the-zip", "the-zip"])
def test_the_commands_say_to_unpack_it(
    download: Path, tmp_path: Path, tiny_weights: Path, capsys: pytest.CaptureFixture[str],
    command: list[str], given: str, said: str,
) -> None:
    filled = [str(tmp_path / "run") if a == "RUN" else str(tiny_weights) if a == "WEIGHTS" else a for a in command]
    assert main([*filled, "--data", str(download / given)]) == 2
    err = capsys.readouterr().err
    assert said in err and "not found" not in err and "Traceback" not in err
