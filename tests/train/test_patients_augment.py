"""Patient-layout reader, subject-wise splits and augmentation (mirroring swaps classes and side)."""

import numpy as np
import pytest

from models.data.augment import Augmenter, colour_jitter, fit_square, mirror
from models.data.patients import PatientDataset, assign_splits
from models.errors import InputError
from models.labels import CLASS_INDEX, EXPRESSIONS, IGNORE_INDEX

from .conftest import draw_patients


def test_samples_carry_the_patients_grade(tiny_patients):
    ds = PatientDataset(tiny_patients)
    assert len(ds.patients) == 18
    samples = ds.samples("all")
    assert len(samples) == 18 * len(EXPRESSIONS)
    for s in samples:
        assert s.grade == ds.patients[s.patient_id].grade and s.mask is not None


def test_auto_split_is_subject_wise_stratified_and_deterministic(tiny_patients):
    a, b = PatientDataset(tiny_patients), PatientDataset(tiny_patients)
    assert {p: x.split for p, x in a.patients.items()} == {p: x.split for p, x in b.patients.items()}
    counts = {s: len(a.patient_ids(s)) for s in ("train", "val", "test")}
    assert counts == {"train": 12, "val": 3, "test": 3}
    for split in ("val", "test"):
        ids = a.patient_ids(split)
        assert {s.patient_id for s in a.samples(split)} == set(ids)
        assert not set(ids) & set(a.patient_ids("train"))


def test_assign_splits_by_grade():
    split = assign_splits({f"p{i}": i % 2 for i in range(24)})
    for grade in (0, 1):
        parts = [split[f"p{i}"] for i in range(24) if i % 2 == grade]
        assert sorted(parts) == ["test"] * 2 + ["train"] * 8 + ["val"] * 2


def test_split_column_is_respected(tmp_path):
    ds = PatientDataset(draw_patients(tmp_path / "p", 6, seed=2, split_column=True))
    assert ds.patient_ids("val") == ["p002_001", "p002_004"]


def test_bad_grade_is_a_clear_error(tmp_path):
    (tmp_path / "labels.csv").write_text("patient_id,grade,side\nx,VII,left\n")
    with pytest.raises(InputError, match="line 2"):
        PatientDataset(tmp_path)


def test_mirror_swaps_classes_and_side():
    image = np.zeros((4, 6, 3), np.uint8)
    image[:, :3] = 200
    mask = np.zeros((4, 6), np.uint8)
    mask[1, 4] = CLASS_INDEX["left_eye"]  # subject's left: image right
    mask[1, 1] = CLASS_INDEX["right_brow"]
    mask[2, 2] = IGNORE_INDEX
    out, swapped, side = mirror(image, mask, "left")
    assert side == "right"
    assert out[0, 5, 0] == 200 and out[0, 0, 0] == 0
    assert swapped[1, 1] == CLASS_INDEX["right_eye"]
    assert swapped[1, 4] == CLASS_INDEX["left_brow"]
    assert swapped[2, 3] == IGNORE_INDEX


def test_augmenter_always_mirroring_keeps_sides_anatomical():
    mask = np.zeros((32, 32), np.uint8)
    mask[10:14, 20:26] = CLASS_INDEX["left_eye"]
    image = np.full((32, 32, 3), 128, np.uint8)
    aug = Augmenter(32, scale=(1.0, 1.0), rotation=0.0, shift=0.0, mirror_p=1.0, jitter=0.0)
    out, m, side = aug(image, mask, "left", np.random.default_rng(0))
    assert side == "right"
    assert (m == CLASS_INDEX["right_eye"]).sum() == 24 and not (m == CLASS_INDEX["left_eye"]).any()
    assert np.nonzero(m == CLASS_INDEX["right_eye"])[1].max() < 16  # moved to the image's left half


def test_fit_square_pads_with_ignore():
    image = np.full((20, 10, 3), 255, np.uint8)
    mask = np.ones((20, 10), np.uint8)
    out, m = fit_square(image, mask, 32)
    assert out.shape == (32, 32, 3) and m.shape == (32, 32)
    assert m[16, 0] == IGNORE_INDEX and m[16, 16] == 1 and out[16, 0, 0] == 0


def test_augmenter_rotation_and_jitter_change_the_photo():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, (40, 40, 3)).astype(np.uint8)
    out, _, _ = Augmenter(32, rotation=15.0, jitter=0.3)(image, None, "none", np.random.default_rng(1))
    assert out.shape == (32, 32, 3) and out.dtype == np.uint8


def _jitter_step_by_step(image, rng, strength):
    """The colour jitter as separate float steps: gain, contrast, brightness, saturation."""
    img = image.astype(np.float32) * (1.0 + rng.uniform(-strength / 3, strength / 3, size=3))
    mean = img.mean()
    img = (img - mean) * (1.0 + rng.uniform(-strength, strength)) + mean
    img = img + rng.uniform(-strength, strength) * 128.0
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * (1.0 + rng.uniform(-strength, strength))
    return np.clip(img, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", range(6))
def test_colour_jitter_is_the_step_by_step_jitter_as_one_colour_matrix(seed):
    image = np.random.default_rng(seed).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    image[:5] = 255  # clipped highlights and shadows as well
    image[5:10] = 0
    fast = colour_jitter(image, np.random.default_rng(seed), 0.3).astype(int)
    slow = _jitter_step_by_step(image, np.random.default_rng(seed), 0.3).astype(int)
    assert fast.shape == image.shape
    assert np.abs(fast - slow).max() <= 1  # float rounding of the step-by-step version
    assert (fast == slow).mean() > 0.9
    assert np.abs(fast - image.astype(int)).mean() > 3  # it did change the colours
