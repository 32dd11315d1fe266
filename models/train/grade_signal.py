"""How much grade signal a patient set's masks hold, independent of any trained network.

Each photo's exact mask is reduced to four left/right pairs: brow height, log eye area,
mouth-corner height and log lip area either side of the rest photo's midline. A small
classifier (one hidden layer) learns the grade from them on one patient set and is scored
on another, at two levels:

- `photo`: one photo at a time, |right - left| of the pairs plus the expression, with the
  photos' probabilities averaged per patient as the app fuses E2's answers. This is E2's
  task (one expression photo, no rest photo to compare with) with perfect parsing.
- `rest`: per patient, the photo features plus each side's movement from the rest photo
  (the asymmetry of the movements and the weaker side's share of the stronger's).

The scores bound what a grader built on these mask measures can reach on that data; a
network that sees pixels can in principle use more (lid shape, folds), but E2 at 128 px sees
less detail than the masks at full size. `benchmarks/grade_signal.py` prints them as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models.data.parsing import read_mask
from models.data.patients import PatientDataset
from models.data.synthetic.mask_measures import (
    LIP_CLASSES,
    RestReference,
    brow_height,
    commissures,
    eye_area,
    rest_reference,
)
from models.errors import InputError
from models.labels import EXPRESSIONS, NUM_GRADES
from models.metrics import confusion_matrix, grading_report
from models.train.sources import shrink_mask

MEASURES = ("brow_height", "log_eye_area", "mouth_corner_y", "log_lip_area")


@dataclass(frozen=True)
class MaskMeasures:
    """`values` (patients x expressions x measures x (subject's right, left)), grades, ids."""

    values: np.ndarray
    grades: np.ndarray
    patient_ids: list[str]
    skipped: int  # patients without a mask for every expression


def photo_measures(mask: np.ndarray, ref: RestReference) -> np.ndarray:
    """(measures x 2) left/right pairs of one mask; NaN where a part is missing."""
    xs = np.nonzero(np.isin(mask, LIP_CLASSES))[1]
    midline_x = ref.midline_x
    right, left = commissures(mask, ref)
    return np.array([
        brow_height(mask),
        np.log(np.asarray(eye_area(mask)) + 1.0),
        (right[1], left[1]),
        np.log(np.array([(xs < midline_x).sum(), (xs >= midline_x).sum()]) + 1.0),
    ], dtype=np.float64)


def load_measures(folder: str | Path, split: str = "all", size: int | None = None) -> MaskMeasures:
    """Measures of every patient in `folder` (patient layout) with all six masks; `size`
    shrinks each mask first (nearest neighbour, long side = size), as a network input would."""
    dataset = PatientDataset(folder)
    by_patient: dict[str, dict[str, Path]] = {}
    for sample in dataset.samples(split):
        if sample.mask is not None:
            by_patient.setdefault(sample.patient_id, {}).setdefault(sample.expression, sample.mask)
    values, grades, ids, skipped = [], [], [], 0
    for pid in dataset.patient_ids(split):
        paths = by_patient.get(pid, {})
        if any(e not in paths for e in EXPRESSIONS):
            skipped += 1
            continue
        masks = {e: read_mask(paths[e]) if size is None else shrink_mask(read_mask(paths[e]), size) for e in EXPRESSIONS}
        ref = rest_reference(masks["rest"])
        values.append(np.stack([photo_measures(masks[e], ref) for e in EXPRESSIONS]))
        grades.append(dataset.patients[pid].grade)
        ids.append(pid)
    if not values:
        raise InputError(f"{folder}: no patient has a mask for every expression ({', '.join(EXPRESSIONS)})")
    return MaskMeasures(np.nan_to_num(np.stack(values)), np.array(grades), ids, skipped)


def _asymmetry(values: np.ndarray) -> np.ndarray:
    """|right - left| of every pair."""
    return np.abs(values[..., 0] - values[..., 1])


def photo_features(values: np.ndarray) -> np.ndarray:
    """(patients x expressions x (measures + expressions)): |right - left| and the expression."""
    onehot = np.broadcast_to(np.eye(len(EXPRESSIONS)), (len(values), len(EXPRESSIONS), len(EXPRESSIONS)))
    return np.concatenate([_asymmetry(values), onehot], axis=-1)


def rest_features(values: np.ndarray) -> np.ndarray:
    """(patients x features): photo asymmetries plus the movements from rest per side."""
    moved = np.abs(values - values[:, :1])
    share = moved.min(-1) / (moved.max(-1) + 1e-3)
    flat = [_asymmetry(values), _asymmetry(moved)[:, 1:], share[:, 1:]]
    return np.concatenate([f.reshape(len(values), -1) for f in flat], axis=1)


def _fit_predict(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, seed: int, steps: int) -> np.ndarray:
    """Class probabilities for x_test from a one-hidden-layer classifier (full-batch Adam)."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    a = torch.tensor((x_train - mean) / std, dtype=torch.float32)
    b = torch.tensor((x_test - mean) / std, dtype=torch.float32)
    y = torch.tensor(y_train, dtype=torch.long)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(a.shape[1], 64), torch.nn.ReLU(), torch.nn.Linear(64, NUM_GRADES))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2, weight_decay=1e-3)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(a), y).backward()
        opt.step()
    with torch.no_grad():
        return torch.softmax(net(b), dim=1).numpy()


def grade_signal(train: MaskMeasures, test: MaskMeasures, seed: int = 0, steps: int = 2000) -> dict:
    """DESIGN §8 grading reports of the two probes (`photo`, `rest`) on `test`."""
    n_expr = len(EXPRESSIONS)
    xa, xb = photo_features(train.values), photo_features(test.values)
    per_photo = _fit_predict(xa.reshape(-1, xa.shape[-1]), np.repeat(train.grades, n_expr), xb.reshape(-1, xb.shape[-1]), seed, steps)
    fused = per_photo.reshape(len(test.grades), n_expr, NUM_GRADES).mean(1)
    with_rest = _fit_predict(rest_features(train.values), train.grades, rest_features(test.values), seed, steps)
    return {
        "photo_level": grading_report(confusion_matrix(np.repeat(test.grades, n_expr), per_photo.argmax(1), NUM_GRADES)),
        "photo": grading_report(confusion_matrix(test.grades, fused.argmax(1), NUM_GRADES)),
        "rest": grading_report(confusion_matrix(test.grades, with_rest.argmax(1), NUM_GRADES)),
        "train_patients": len(train.grades),
        "test_patients": len(test.grades),
        "skipped": {"train": train.skipped, "test": test.skipped},
    }
