"""Training and scoring refuse a patient photo the app cannot read only when no readable photo
of its frame is there (review: P/rest.png beside P/rest.heic, or a RAW+JPEG camera's rest.nef,
stopped a data set that trained with rest.png before); the copy is listed in `ignored()`."""

from __future__ import annotations

import shutil

import pytest

from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

PID = "p005_000"


@pytest.mark.parametrize("copy", ["rest.heic", "rest.NEF", "rest_0.heic"])
def test_an_unreadable_copy_beside_the_readable_photo_is_ignored(tmp_path, copy):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    (root / PID / copy).write_bytes(b"x")
    dataset = PatientDataset(root)
    assert len(dataset.samples("all")) == 6
    assert dataset.ignored()["files"] == [f"{PID}/{copy}"]


def test_an_unreadable_copy_of_a_numbered_frame_is_ignored(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    shutil.copy(root / PID / "rest.png", root / PID / "rest_2.png")
    (root / PID / "rest_2.heic").write_bytes(b"x")
    dataset = PatientDataset(root)
    assert len(dataset.samples("all")) == 7
    assert dataset.ignored()["files"] == [f"{PID}/rest_2.heic"]


def test_an_unreadable_frame_without_a_readable_one_is_still_refused(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    (root / PID / "rest_2.heic").write_bytes(b"x")  # rest.png is another frame
    with pytest.raises(InputError, match=rf"{PID}/rest_2\.heic is a HEIC photo"):
        PatientDataset(root).samples("all")
