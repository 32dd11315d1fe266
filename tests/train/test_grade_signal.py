"""The mask-measure grade probe (models/train/grade_signal.py) on cartoon patients whose
affected brow and mouth corner droop in proportion to the grade, and on synthetic patients
whose affected side moves less with the grade."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import cv2
import numpy as np
import pytest

import models.train.grade_signal as grade_signal_module
from models.data.parsing import read_mask
from models.data.synthetic.dataset import write_patient_dataset
from models.errors import InputError
from models.labels import EXPRESSIONS, GRADES
from models.train.evaluation import PhotoPass
from models.train.grade_signal import (
    FRAME_MEASURES,
    MEASURES,
    REGION_FEATURES,
    grade_signal,
    load_measures,
    photo_features,
)
from tests.scripts import load_script
from tests.train.conftest import draw_patients


def test_measures_are_symmetric_for_grade_one_and_grow_with_the_grade(tmp_path):
    measures = load_measures(draw_patients(tmp_path / "p", 12, seed=3))
    assert measures.values.shape == (12, len(EXPRESSIONS), len(MEASURES), 2)
    asym = photo_features(measures.values)[..., : len(MEASURES)]  # |right - left|
    brow, mouth = MEASURES.index("brow_height"), MEASURES.index("mouth_corner_y")
    by_grade = {g: asym[measures.grades == g].mean(axis=(0, 1)) for g in range(6)}
    assert by_grade[0][brow] < 0.5 and by_grade[0][mouth] < 0.5
    assert by_grade[5][brow] > by_grade[2][brow] > by_grade[0][brow]
    assert by_grade[5][mouth] > by_grade[0][mouth] + 2


def test_probe_grades_held_out_cartoons_and_fails_on_shuffled_grades(tmp_path):
    train = load_measures(draw_patients(tmp_path / "train", 48, seed=1))
    test = load_measures(draw_patients(tmp_path / "test", 18, seed=2))
    result = grade_signal(train, test, steps=400, probes=("photo",))
    assert set(result) == {"photo_level", "photo", "train_patients", "test_patients", "skipped"}
    assert result["train_patients"] == 48 and result["test_patients"] == 18
    assert result["photo"]["accuracy"] >= 0.8
    assert np.array(result["photo"]["confusion"]).sum() == 18
    assert np.array(result["photo_level"]["confusion"]).sum() == 18 * len(EXPRESSIONS)
    # The same probe learns nothing when the grades no longer follow the faces.
    rng = np.random.default_rng(0)
    shuffled = replace(train, grades=rng.permutation(train.grades))
    assert grade_signal(shuffled, test, steps=400, probes=("photo",))["photo"]["accuracy"] < result["photo"]["accuracy"] - 0.3
    with pytest.raises(ValueError, match="unknown probes"):
        grade_signal(train, test, probes=("photos",))


def test_patients_without_all_masks_are_skipped_or_refused(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=4)
    first = sorted(p for p in root.iterdir() if p.is_dir())[0]
    (first / "masks" / "close_eyes.png").unlink()
    measures = load_measures(root)
    assert measures.skipped == 1 and len(measures.grades) == 5 and first.name not in measures.patient_ids
    for folder in root.iterdir():
        if folder.is_dir():
            for mask in (folder / "masks").glob("*.png"):
                mask.unlink()
    with pytest.raises(InputError, match="no patient has a face-frame-able mask"):
        load_measures(root)


def test_a_rest_mask_without_a_face_is_skipped(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=6)
    first = sorted(p for p in root.iterdir() if p.is_dir())[0]
    cv2.imwrite(str(first / "masks" / "rest.png"), np.zeros((64, 64), np.uint8))  # background only
    measures = load_measures(root)
    assert measures.skipped == 1 and first.name not in measures.patient_ids


@pytest.fixture(scope="module")
def synthetic_sets(tmp_path_factory):
    """24 training and 12 held-out synthetic patients at 128 px (grades balanced)."""
    root = tmp_path_factory.mktemp("grade_signal")
    write_patient_dataset(root / "train", patients=24, seed=5, size=128)
    write_patient_dataset(root / "test", patients=12, seed=6, size=128)
    return load_measures(root / "train"), load_measures(root / "test")


def test_face_frame_measures_follow_the_generators_palsy(synthetic_sets):
    train, _ = synthetic_sets
    n = len(train.grades)
    assert train.frame_values.shape == (n, len(EXPRESSIONS), len(FRAME_MEASURES), 2)
    assert train.regions.shape == (n, len(REGION_FEATURES))
    ratio = {r: REGION_FEATURES.index(f"{r}_ratio") for r in ("brow", "eye", "commissure")}
    house = REGION_FEATURES.index("house_function")
    by_grade = {g: train.regions[train.grades == g] for g in range(len(GRADES))}
    # Grade I moves alike on both sides, grade VI not at all on the affected side.
    for column in ratio.values():
        assert by_grade[0][:, column].mean() > 0.8 > 0.2 > by_grade[5][:, column].mean()
    assert by_grade[0][:, house].mean() > by_grade[2][:, house].mean() > by_grade[4][:, house].mean()
    # The brow rises in raise_eyebrows (y grows down, so brow_y falls) on the healthy side.
    brow = FRAME_MEASURES.index("brow_y")
    rise = train.frame_values[:, 0, brow] - train.frame_values[:, EXPRESSIONS.index("raise_eyebrows"), brow]
    assert (rise[train.grades == 0] > 0.05).all()


def test_frame_probes_grade_held_out_synthetic_patients(synthetic_sets):
    train, test = synthetic_sets
    result = grade_signal(train, test, steps=400, probes=("frame_photo", "frame_rest"))
    assert result["skipped"] == {"train": 0, "test": 0}
    for level in ("frame_photo", "frame_rest"):
        assert np.array(result[level]["confusion"]).sum() == 12
    assert np.array(result["frame_photo_level"]["confusion"]).sum() == 12 * len(EXPRESSIONS)
    # The measured regions compared with rest order the grades on new patients ...
    assert result["frame_rest"]["quadratic_kappa"] > 0.8 and result["frame_rest"]["within_one"] >= 11 / 12
    # ... and tell nothing once the grades no longer follow the faces.
    shuffled = replace(train, grades=np.random.default_rng(0).permutation(train.grades))
    assert grade_signal(shuffled, test, steps=400, probes=("frame_rest",))["frame_rest"]["quadratic_kappa"] < 0.5


def test_size_shrinks_the_masks_before_measuring(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=5, size=64)
    full, half = load_measures(root), load_measures(root, size=32)
    brow = MEASURES.index("brow_height")
    assert full.values[..., brow, :].max() > 32 >= half.values[..., brow, :].max() > 0
    assert np.allclose(half.values[..., brow, :].mean(), full.values[..., brow, :].mean() / 2, rtol=0.15)
    assert load_measures(root, size=128).values.tolist() == full.values.tolist()  # never enlarged


def test_benchmark_prints_the_chosen_probes_for_each_seed(tmp_path, monkeypatch, capsys):
    train, test = draw_patients(tmp_path / "train", 12, seed=1), draw_patients(tmp_path / "test", 6, seed=2)
    module = load_script("benchmarks/grade_signal.py")
    monkeypatch.setattr(sys, "argv", ["grade_signal.py", "--train", str(train), "--test", str(test), "--steps", "50",
                                      "--seed", "0", "1", "--probes", "photo", "rest"])
    module.main()
    result = json.loads(capsys.readouterr().out)
    assert {"photo", "photo_level", "rest"} <= set(result) and "frame_rest" not in result
    assert result["test_patients"] == 6 and result["mask_size"] == "as stored"
    assert set(result["by_seed"]) == {"0", "1"}
    first = result["by_seed"]["0"]
    assert set(first) == {"photo", "photo_level", "rest"} and first["photo"][0] == round(result["photo"]["accuracy"], 3)


def test_measures_from_a_model_use_its_masks_and_fuse_its_answers(tmp_path, monkeypatch):
    """The model path with a stand-in for the cascade pass: it returns each photo's exact mask
    and a probability vector that names the patient's grade on its rest photo only."""
    root = tmp_path / "set"
    write_patient_dataset(root, patients=6, seed=6, size=128)
    calls = []

    def fake_pass(model, samples, patients, split, device):
        calls.append(len(samples))
        masks = np.stack([read_mask(s.mask) for s in samples])
        probabilities = np.full((len(samples), len(GRADES)), 0.1)
        for i, sample in enumerate(samples):
            probabilities[i, sample.grade] += 0.5 * (sample.expression == "rest")
        return PhotoPass([s.patient_id for s in samples], np.array([s.grade for s in samples]), probabilities, masks, None,
                         [s.expression for s in samples])

    monkeypatch.setattr(grade_signal_module, "grade_photos", fake_pass)
    from_files, from_model = load_measures(root), load_measures(root, model=object())
    assert calls == [6 * len(EXPRESSIONS)]  # one pass over every photo
    assert from_files.network is None and from_model.patient_ids == from_files.patient_ids
    assert np.array_equal(from_model.frame_values, from_files.frame_values)
    assert np.array_equal(from_model.regions, from_files.regions)
    expected = np.full((6, len(GRADES)), 0.1)
    expected[np.arange(6), from_model.grades] += 0.5 / len(EXPRESSIONS)  # the mean over the six photos
    assert np.allclose(from_model.network, expected)
    result = grade_signal(from_model, from_model, steps=100, probes=("frame_rest_network",))
    assert result["network"]["accuracy"] == 1.0 and set(result) >= {"frame_rest_network", "network"}
    with pytest.raises(ValueError, match="needs measures taken with a model"):
        grade_signal(from_files, from_files, probes=("frame_rest_network",))
    assert "frame_rest_network" not in grade_signal(from_files, from_files, steps=10, probes=None)
