"""The mask-measure grade probe (models/train/grade_signal.py) on cartoon patients whose
affected brow and mouth corner droop in proportion to the grade."""

from __future__ import annotations

import numpy as np
import pytest

from models.errors import InputError
from models.labels import EXPRESSIONS
from models.train.grade_signal import (
    MEASURES,
    MaskMeasures,
    grade_signal,
    load_measures,
    photo_features,
)
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
    result = grade_signal(train, test, steps=400)
    assert result["train_patients"] == 48 and result["test_patients"] == 18
    assert result["photo"]["accuracy"] >= 0.8
    assert np.array(result["photo"]["confusion"]).sum() == 18
    assert np.array(result["photo_level"]["confusion"]).sum() == 18 * len(EXPRESSIONS)
    # The same probe learns nothing when the grades no longer follow the faces.
    rng = np.random.default_rng(0)
    shuffled = MaskMeasures(train.values, rng.permutation(train.grades), train.patient_ids, 0)
    assert grade_signal(shuffled, test, steps=400)["photo"]["accuracy"] < result["photo"]["accuracy"] - 0.3


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
    with pytest.raises(InputError, match="no patient has a mask"):
        load_measures(root)


def test_size_shrinks_the_masks_before_measuring(tmp_path):
    root = draw_patients(tmp_path / "p", 6, seed=5, size=64)
    full, half = load_measures(root), load_measures(root, size=32)
    brow = MEASURES.index("brow_height")
    assert full.values[..., brow, :].max() > 32 >= half.values[..., brow, :].max() > 0
    assert np.allclose(half.values[..., brow, :].mean(), full.values[..., brow, :].mean() / 2, rtol=0.15)
    assert load_measures(root, size=128).values.tolist() == full.values.tolist()  # never enlarged
