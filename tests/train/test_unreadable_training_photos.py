"""Training and scoring refuse a patient photo in a format the app cannot read (audit: P02/rest.heic
was "not named as an expression photo" and the patient trained without its rest photo)."""

from __future__ import annotations

import pytest

from app.cli import main
from models.data.patients import PatientDataset
from models.errors import InputError

from .conftest import draw_patients

PID = "p005_000"


def test_a_heic_expression_photo_is_refused_naming_it(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    (root / PID / "rest.png").rename(root / PID / "rest.HEIC")
    with pytest.raises(InputError, match=rf"{PID}/rest\.HEIC is a HEIC photo, which Palsy Grader cannot read: save it "
                                         r"as JPEG or PNG \(on an iPhone: .*\), or move it out of the patient folder"):
        PatientDataset(root).samples("all")


def test_other_files_stay_left_out_without_a_refusal(tmp_path):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    for name in ("rest.xmp", "holiday.heic"):  # a sidecar; a HEIC named as no expression
        (root / PID / name).write_bytes(b"x")
    dataset = PatientDataset(root)
    assert len(dataset.samples("all")) == 6
    assert dataset.ignored()["files"] == [f"{PID}/holiday.heic", f"{PID}/rest.xmp"]


def test_training_exits_2_before_a_step(tmp_path, capsys, tiny_weights):
    root = draw_patients(tmp_path / "p", 6, seed=5)
    (root / PID / "open_mouth.png").rename(root / PID / "open_mouth.dng")
    out = tmp_path / "g.pt"
    code = main(["train", "grading", "--data", str(root), "--input-size", "64", "--epochs", "1", "--out", str(out),
                 "--init", str(tiny_weights)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"{PID}/open_mouth.dng is a DNG raw photo, which Palsy Grader cannot read" in err
    assert not out.exists()
