"""Two photos of one expression frame in a patient folder (a retake `REST.jpg` beside the old
`rest.png`, or `rest.png` and `rest_0.png`) are refused by training and scoring with the words
`palsy assess` refuses the folder with (audit a2 finding 1: both were trained, paired with the
one mask masks/rest.png, a mirrored take with left and right swapped)."""

from __future__ import annotations

import re
import shutil

import pytest
import torch
from PIL import Image

from models.data.patients import PatientDataset
from models.errors import InputError
from models.pipeline.patient_dir import find_expression_photos
from models.train.clinic import ClinicRecipe, run_clinic

from .conftest import draw_patients

PID = "p005_000"


def _with_twin(tmp_path, name: str):
    root = draw_patients(tmp_path / "p", 2, seed=5)
    photo = Image.open(root / PID / "rest.png").convert("RGB")
    photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(root / PID / name)
    return root


@pytest.mark.parametrize("twin", ["REST.jpg", "rest_0.png"])
def test_two_photos_of_one_frame_are_refused_as_palsy_assess_refuses_them(tmp_path, twin):
    root = _with_twin(tmp_path, twin)
    with pytest.raises(InputError) as assess:
        find_expression_photos(root / PID)
    with pytest.raises(InputError) as training:
        PatientDataset(root).photos(PID)
    message = str(training.value)
    assert message == str(assess.value)
    assert f"in {root / PID} are both the rest photo; keep one of them" in message
    assert twin in message and "rest.png" in message


def test_the_start_check_and_the_samples_refuse_the_folder(tmp_path):
    root = _with_twin(tmp_path, "REST.jpg")
    with pytest.raises(InputError, match=re.escape(f"REST.jpg and rest.png in {root / PID} are both the rest photo")):
        PatientDataset(root).check_photos()
    with pytest.raises(InputError, match="are both the rest photo"):
        PatientDataset(root).samples("all")


def test_a_clinic_run_refuses_before_training(tiny_patients, tiny_weights, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(tiny_patients, data)
    pid = PatientDataset(data).patient_ids("train")[0]
    shutil.copy(data / pid / "open_mouth.png", data / pid / "Open_Mouth.jpg")
    work = tmp_path / "run"
    with pytest.raises(InputError, match=re.escape(f"Open_Mouth.jpg and open_mouth.png in {data / pid} are both the open_mouth photo")):
        run_clinic(ClinicRecipe(patients=str(data), init=str(tiny_weights), work=str(work), steps=1, batch_size=2),
                   torch.device("cpu"))
    assert not (work / "stage1.pt").exists()


def test_other_frames_and_files_are_still_read(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    shutil.copy(root / PID / "rest.png", root / PID / "rest_2.png")
    (root / PID / "notes.txt").write_text("x")
    dataset = PatientDataset(root)
    assert sorted(path.name for _, path, _ in dataset.photos(PID) if path.stem.startswith("rest")) == ["rest.png", "rest_2.png"]
    assert dataset.ignored()["files"] == [f"{PID}/notes.txt"]
