"""How much grade signal a patient set's masks hold: the set's exact masks (no network), or
a checkpoint's E1 masks with E2's answers beside them (`load_measures(..., model=...)`).

Two sets of measures are read from each patient's masks:

- four left/right pairs in image pixels (brow height, log eye area, mouth-corner height and
  log lip area either side of the rest photo's midline);
- the app's own measures (models/pipeline/measures.py, DESIGN §7 step 4): each mask warped
  into the face frame (eyes levelled, distances in eye spacings, so roll and framing cancel),
  six left/right pairs per photo (brow height, eye opening, ala height, cheek extent,
  mouth-corner x and y), and per patient the five regions' movements from rest.

A small classifier (one hidden layer) learns the grade from them on one patient set and is
scored on another, at these levels:

- `photo`: one photo at a time, |right - left| of the pixel pairs plus the expression, with
  the photos' probabilities averaged per patient as the app fuses E2's answers. This is E2's
  task (one expression photo, no rest photo to compare with) with perfect parsing.
- `rest`: per patient, the photo features plus each side's movement from the rest photo
  (the asymmetry of the movements and the weaker side's share of the stronger's).
- `frame_photo`: `photo` with the face-frame pairs (|right - left| and right + left).
- `frame_rest`: per patient, the five measured regions (each side's movement from rest
  over the region's typical movement, weaker, stronger and their ratio) and House's
  percent function: the app's measured grade with the bands learnt instead of House's.
- `frame_rest_network`: `frame_rest` with E2's fused grade probabilities beside the regions
  (measures taken with a checkpoint: `load_measures(..., model=...)` reads E1's masks and
  E2's answers instead of the set's masks).

The scores bound what a grader built on these mask measures can reach on that data; a
network that sees pixels can in principle use more (lid shape, folds), but E2 at 128 px sees
less detail than the masks at full size. `benchmarks/grade_signal.py` prints them as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models.cascade import CascadeNet
from models.data.parsing import read_mask
from models.data.patients import PatientDataset, PatientSample
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
from models.pipeline.measures import (
    REGIONS,
    FaceFrame,
    canvas_scale,
    face_frame,
    features,
    measure_function,
    to_canonical,
)
from models.train.evaluation import grade_photos
from models.train.sources import shrink_mask

MEASURES = ("brow_height", "log_eye_area", "mouth_corner_y", "log_lip_area")
FRAME_MEASURES = ("brow_y", "eye_open", "ala_y", "cheek_extent", "corner_x", "corner_y")
REGION_FEATURES = tuple(f"{r.name}_{k}" for r in REGIONS for k in ("weaker", "stronger", "ratio")) + ("house_function",)


@dataclass(frozen=True)
class MaskMeasures:
    """Per patient: `values` (expressions x MEASURES x (subject's right, left)), `frame_values`
    (expressions x FRAME_MEASURES x pair), `regions` (REGION_FEATURES); grades, ids; and with a
    model, `network`."""

    values: np.ndarray
    grades: np.ndarray
    patient_ids: list[str]
    skipped: int  # patients without a mask for every expression, or whose rest mask has no face frame
    frame_values: np.ndarray
    regions: np.ndarray
    network: np.ndarray | None = None  # E2's fused grade probabilities (patients x grades), when measured with a model


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


def frame_measures(mask: np.ndarray, fallback: FaceFrame) -> np.ndarray:
    """(FRAME_MEASURES x 2) pairs of one mask in the app's face frame (eye spacings); NaN
    where a part is missing. `fallback` places the frame when the eyes are closed."""
    frame = face_frame(mask, fallback=fallback)
    found = features(to_canonical(mask, frame), scale=canvas_scale(frame))
    sides = ("right", "left")
    rows = [[getattr(found, name)[side] for side in sides] for name in FRAME_MEASURES[:4]]
    corners = [found.commissure[side] for side in sides]
    rows += [[None if c is None else c[k] for c in corners] for k in (0, 1)]
    return np.array(rows, dtype=np.float64)


def region_features(masks: dict[str, np.ndarray]) -> np.ndarray:
    """REGION_FEATURES of one patient: `measure_function`'s movements from rest, each side over
    the region's typical movement (weaker, stronger, ratio), and House's percent / 100."""
    measured = measure_function(masks)
    out: list[float] = []
    for spec in REGIONS:
        region = measured.regions.get(spec.name)
        moves = (None, None) if region is None else (region.left, region.right)
        weaker, stronger = sorted(max(m or 0.0, 0.0) / spec.typical_movement for m in moves)
        out += [weaker, stronger, weaker / (stronger + 1e-3)]
    out.append((measured.function_percent or 0.0) / 100.0)
    return np.array(out, dtype=np.float64)


def load_measures(
    folder: str | Path, split: str = "all", size: int | None = None, model: CascadeNet | None = None,
    device: torch.device | None = None,
) -> MaskMeasures:
    """Measures of every patient in `folder` (patient layout) with all six masks; `size`
    shrinks each mask first (nearest neighbour, long side = size), as a network input would.

    With `model`, the masks measured are E1's (mirror-averaged, at the model's input size, as
    `palsy evaluate` makes them) instead of the set's, and `network` holds E2's grade
    probabilities per patient (the mean over its photos, DESIGN §7 fusion)."""
    dataset = PatientDataset(folder)
    samples: dict[str, dict[str, PatientSample]] = {}
    for sample in dataset.samples(split):
        if sample.mask is not None or model is not None:
            samples.setdefault(sample.patient_id, {}).setdefault(sample.expression, sample)
    complete = [pid for pid in dataset.patient_ids(split) if all(e in samples.get(pid, {}) for e in EXPRESSIONS)]
    network: dict[str, np.ndarray] = {}
    if model is None:
        def masks_of(pid: str) -> dict[str, np.ndarray]:
            read = {e: read_mask(samples[pid][e].mask) for e in EXPRESSIONS}
            return read if size is None else {e: shrink_mask(m, size) for e, m in read.items()}
    else:
        ordered = [samples[pid][e] for pid in complete for e in EXPRESSIONS]
        photos = grade_photos(model, ordered, dataset, split, device or torch.device("cpu"))
        n = len(EXPRESSIONS)
        by_pid = {pid: i for i, pid in enumerate(complete)}
        network = {pid: photos.probabilities[i * n:(i + 1) * n].mean(0) for pid, i in by_pid.items()}

        def masks_of(pid: str) -> dict[str, np.ndarray]:
            i = by_pid[pid] * n
            return dict(zip(EXPRESSIONS, photos.masks[i:i + n], strict=True))
    values, frames, regions, probabilities, grades, ids = [], [], [], [], [], []
    for pid in complete:
        masks = masks_of(pid)
        try:  # FrameError is a ValueError: no eyes or nose at rest
            ref, rest_frame = rest_reference(masks["rest"]), face_frame(masks["rest"])
        except ValueError:
            continue
        values.append(np.stack([photo_measures(masks[e], ref) for e in EXPRESSIONS]))
        frames.append(np.stack([frame_measures(masks[e], rest_frame) for e in EXPRESSIONS]))
        regions.append(region_features(masks))
        probabilities.append(network.get(pid))
        grades.append(dataset.patients[pid].grade)
        ids.append(pid)
    if not values:
        raise InputError(f"{folder}: no patient has a face-frame-able mask for every expression ({', '.join(EXPRESSIONS)})")
    return MaskMeasures(
        np.nan_to_num(np.stack(values)), np.array(grades), ids, len(dataset.patient_ids(split)) - len(ids),
        np.nan_to_num(np.stack(frames)), np.stack(regions), np.stack(probabilities) if model is not None else None,
    )


def _asymmetry(values: np.ndarray) -> np.ndarray:
    """|right - left| of every pair."""
    return np.abs(values[..., 0] - values[..., 1])


def photo_features(values: np.ndarray, with_sums: bool = False) -> np.ndarray:
    """(patients x expressions x features): |right - left| (then right + left with `with_sums`)
    and the expression one-hot."""
    onehot = np.broadcast_to(np.eye(len(EXPRESSIONS)), (len(values), len(EXPRESSIONS), len(EXPRESSIONS)))
    return np.concatenate([_asymmetry(values), *([values.sum(-1)] if with_sums else []), onehot], axis=-1)


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


def _report(truth: np.ndarray, probabilities: np.ndarray) -> dict:
    return grading_report(confusion_matrix(truth, probabilities.argmax(1), NUM_GRADES))


def _photo_probe(xa: np.ndarray, train: MaskMeasures, xb: np.ndarray, test: MaskMeasures, seed: int, steps: int) -> tuple[dict, dict]:
    """(per photo, fused per patient by the mean) reports of a classifier on photo features."""
    n_expr = len(EXPRESSIONS)
    per_photo = _fit_predict(xa.reshape(-1, xa.shape[-1]), np.repeat(train.grades, n_expr), xb.reshape(-1, xb.shape[-1]), seed, steps)
    fused = per_photo.reshape(len(test.grades), n_expr, NUM_GRADES).mean(1)
    return _report(np.repeat(test.grades, n_expr), per_photo), _report(test.grades, fused)


PROBES = ("photo", "rest", "frame_photo", "frame_rest", "frame_rest_network")


def grade_signal(
    train: MaskMeasures, test: MaskMeasures, seed: int = 0, steps: int = 2000, probes: tuple[str, ...] | None = None,
) -> dict:
    """DESIGN §8 grading reports of the `probes` on `test` (the two photo probes add their
    per-photo report as `<probe>_level`). `frame_rest_network` is `frame_rest` with E2's fused
    probabilities beside the regions and needs measures taken with a model; by default every
    probe the measures allow runs. With a model, `network` reports E2's own fused grade."""
    with_network = train.network is not None and test.network is not None
    if probes is None:
        probes = PROBES if with_network else PROBES[:-1]
    unknown = set(probes) - set(PROBES)
    if unknown:
        raise ValueError(f"unknown probes {sorted(unknown)}; expected some of {', '.join(PROBES)}")
    if "frame_rest_network" in probes and not with_network:
        raise ValueError("the frame_rest_network probe needs measures taken with a model (E2's probabilities)")
    out: dict = {}
    if "photo" in probes:
        out["photo_level"], out["photo"] = _photo_probe(photo_features(train.values), train, photo_features(test.values), test, seed, steps)
    if "rest" in probes:
        out["rest"] = _report(test.grades, _fit_predict(rest_features(train.values), train.grades, rest_features(test.values), seed, steps))
    if "frame_photo" in probes:
        out["frame_photo_level"], out["frame_photo"] = _photo_probe(
            photo_features(train.frame_values, with_sums=True), train, photo_features(test.frame_values, with_sums=True), test, seed, steps,
        )
    if "frame_rest" in probes:
        out["frame_rest"] = _report(test.grades, _fit_predict(train.regions, train.grades, test.regions, seed, steps))
    if "frame_rest_network" in probes:
        joined = [np.concatenate([m.regions, m.network], axis=1) for m in (train, test)]
        out["frame_rest_network"] = _report(test.grades, _fit_predict(joined[0], train.grades, joined[1], seed, steps))
    if test.network is not None:
        out["network"] = _report(test.grades, test.network)
    return out | {
        "train_patients": len(train.grades),
        "test_patients": len(test.grades),
        "skipped": {"train": train.skipped, "test": test.skipped},
    }
