"""A patient set handed over in a common wrong shape is refused with what was found there, not
"add the folder": photos in a dated subfolder, an ID whose leading zeros a spreadsheet dropped,
the folder above the set, or the .zip it arrived in."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from models.data.patients import PatientDataset
from models.errors import InputError
from tests.train.conftest import draw_patients


@pytest.fixture
def root(tmp_path):
    return draw_patients(tmp_path / "set", 3, seed=4)


def _refusal(root) -> str:
    with pytest.raises(InputError) as caught:
        PatientDataset(root).check_photos()
    return str(caught.value)


def test_photos_one_level_down_name_their_subfolder(root):
    pid = PatientDataset(root).patient_ids()[0]
    visit = root / pid / "2024-03-01"
    visit.mkdir()
    for photo in (root / pid).glob("*.png"):
        photo.rename(visit / photo.name)
    message = _refusal(root)
    assert message.endswith(f"; its photos are one level down, in {visit}: move them up into {root / pid}, as each "
                            "patient's photos are read from its own folder only")
    assert "add the folder" not in message


def test_an_id_without_its_leading_zeros_names_the_folder_with_them(root):
    pid = PatientDataset(root).patient_ids()[0]
    (root / pid).rename(root / "0042")
    labels = root / "labels.csv"
    labels.write_text(labels.read_text().replace(f"{pid},", "42,"))
    message = _refusal(root)
    assert message.startswith("1 patient(s) of ") and "first 42 " in message
    assert message.endswith("; a folder '0042' is there, the same number with leading zeros, which a spreadsheet "
                            "drops from an ID: write the ID as 0042 in labels.csv (save the column as text)")


def test_an_id_with_leading_zeros_names_the_folder_without_them(root):
    # the zeros are labels.csv's: no spreadsheet dropped them, and a text column keeps them
    pid = PatientDataset(root).patient_ids()[0]
    (root / pid).rename(root / "17")
    labels = root / "labels.csv"
    labels.write_text(labels.read_text().replace(f"{pid},", "0017,"))
    message = _refusal(root)
    assert message.startswith("1 patient(s) of ") and "first 0017 " in message
    assert message.endswith("; a folder '17' is there, the same number without the leading zeros: rename the folder "
                            "0017 or write the ID as 17 in labels.csv")


def test_a_folder_without_photos_named_as_expressions_is_not_said_to_be_missing(root):
    pid = PatientDataset(root).patient_ids()[0]
    for photo in (root / pid).glob("*.png"):
        photo.rename(photo.with_name(f"IMG_{photo.name}"))
    message = _refusal(root)
    assert re.search(rf"; {re.escape(str(root / pid))} holds no photo named as an expression \(rest, .*\): name them "
                     "so, or remove the row$", message)


def test_a_missing_folder_is_still_asked_for(root):
    pid = PatientDataset(root).patient_ids()[0]
    shutil.rmtree(root / pid)
    assert _refusal(root).endswith("; add the folder or remove the row")


def test_the_folder_above_the_set_names_the_labels_one_level_down(root, tmp_path):
    with pytest.raises(InputError) as caught:
        PatientDataset(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path} is not a patient data set: this folder holds no labels.csv but "
                                        f"{root / 'labels.csv'} is one level down: give that folder; ")


def test_a_zip_of_the_set_is_to_be_unpacked_first(root, tmp_path):
    archive = tmp_path / "handover.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(root / "labels.csv", "labels.csv")
    with pytest.raises(InputError) as caught:
        PatientDataset(archive)
    assert str(caught.value).startswith(f"{archive} is not a patient data set: handover.zip is a .zip archive: unpack "
                                        "it first and give the unpacked folder that holds labels.csv; ")


def test_photos_of_several_visits_one_level_down_are_counted(root):
    pid = PatientDataset(root).patient_ids()[0]
    for visit in ("2024-03-01", "2024-06-01"):
        (root / pid / visit).mkdir()
        for photo in (root / pid).glob("*.png"):
            shutil.copy(photo, root / pid / visit / photo.name)
    for photo in (root / pid).glob("*.png"):
        photo.unlink()
    assert f"in {root / pid / '2024-03-01'} (and 1 more: keep one visit's photos): move them up" in _refusal(root)


@pytest.mark.parametrize("command", [
    ["train", "clinic", "--out", "RUN", "--minutes", "1"],
    ["train", "grading", "--init", "WEIGHTS", "--out", "RUN", "--minutes", "1"],
    ["evaluate", "grading"],
])
def test_the_commands_name_where_the_labels_are(root, tmp_path, tiny_weights, capsys, command):
    # the commands refuse a --data without labels.csv before the set is read: they say it too
    archive = tmp_path / "handover.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(root / "labels.csv", "labels.csv")
    filled = [str(tmp_path / "run") if a == "RUN" else str(tiny_weights) if a == "WEIGHTS" else a for a in command]
    from app.cli import main

    for data, said in ((tmp_path, f"{root / 'labels.csv'} is one level down: give that folder"),
                       (archive, "handover.zip is a .zip archive: unpack it first")):
        assert main([*filled, "--data", str(data)]) == 2
        assert said in capsys.readouterr().err
