"""Scoring a checkpoint on a parsing set or a patient set (DESIGN §4, §8).

E1's masks and E2's grade probabilities are mirror-averaged as the app makes them
(`models.mirror_parsing`; `mirror=False` scores E1's and E2's single pass). Parsing: each photo is letterboxed to the network's input (padding
ignored), the predicted project classes are mapped back to the data set's classes
(`project_to_dataset`, the DESIGN §4 rule for coarse sets) and scored there at input resolution, background excluded
from the means (a set's class whose `maps_to` is exactly background, whatever its name). Grading: by default per patient, the grade from the mean of the expressions'
probabilities, each expression's frames averaged first, as the app fuses them (DESIGN §7,
`models.pipeline.fusion`); `level="photo"` scores every photo alone;
`level="measured"` scores the measured grade (DESIGN §7 step 4) computed from E1's masks,
and `level="measured-exact"` the same measure on the set's exact masks brought to the
network's input size: the ceiling of the measure at that resolution, no network involved.
A patient whose measure gives no grade is left out of the measured matrices and counted
under `unmeasured`.

A patient set's photos are prepared as the checkpoint was trained (`face_prep`,
`preparation`): letterboxed whole (above, the default), or the app's face crop, in which
case the reports say so (`photo_preparation`) and name the photos left out because the app
finds no face in them (`no_face`). A parsing set's images are always letterboxed whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from models.cascade import CascadeNet
from models.data.augment import fit_square
from models.data.parsing import ParsingDataset
from models.data.patients import PatientDataset, PatientSample
from models.errors import InputError
from models.labels import CLASSES, GRADES, IGNORE_INDEX, NUM_GRADES
from models.metrics import confusion_matrix, grading_report, parsing_report
from models.mirror_parsing import parse_and_grade, parse_masks
from models.pipeline.face import NoFaceError
from models.pipeline.flag_wording import LOW_CONFIDENCE
from models.pipeline.fusion import fuse_patients
from models.pipeline.measures import MeasuredFunction, measure_function, side_doubt
from models.train.face_prep import FACE_CROP, LETTERBOX, photo_name, warn_no_face
from models.train.sources import PhotoReader, to_tensor


def _batches(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _predict_masks(model: CascadeNet, images: list[np.ndarray], device: torch.device, mirror: bool) -> np.ndarray:
    model.eval()
    with torch.inference_mode():
        batch = to_tensor(images).to(device)
        logits = model.forward_parsing(batch)["logits"]
        return parse_masks(model.e1, batch, logits, mirror).cpu().numpy()


def default_split(path: str | Path) -> str:
    """'auto' resolved: a parsing set's val part when it has one, else every image/patient."""
    if (Path(path) / "labels.csv").is_file():
        return "all"
    dataset = ParsingDataset.open(path)
    return "val" if dataset.has_split else "all"


def _reader(photos: PhotoReader | None, preparation: str) -> PhotoReader:
    """`photos` (whose own preparation rules), or a reader that decodes with `preparation`."""
    return photos if photos is not None else PhotoReader(preparation)


def _prepared(report: dict, reader: PhotoReader, no_face: list[str]) -> dict:
    """The report, saying it is of the face crop and which photos it left out; a letterbox
    report is left as it always was (DESIGN §8 keys)."""
    if reader.preparation == FACE_CROP:
        report["photo_preparation"] = FACE_CROP
        report["no_face"] = sorted(no_face)
    return report


def evaluate_parsing(
    model: CascadeNet, data: str | Path, split: str = "auto", device: torch.device | None = None, batch_size: int = 8,
    mirror: bool = True, photos: PhotoReader | None = None, preparation: str = LETTERBOX,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """DESIGN §8 parsing report on a parsing set (its classes) or a patient set with masks (project classes);
    masks mirror-averaged as the app makes them (`models.mirror_parsing`), or E1's single pass.
    A patient set's photos are read through `photos` (`sources.PhotoReader`: decoded when none is
    given, prepared as `preparation` says; with the face crop, photos without a face are left out).
    `progress(done, total)` after each batch of images."""
    device = device or torch.device("cpu")
    model.to(device)
    size = model.config.input_size
    split = default_split(data) if split == "auto" else split
    reader, no_face = _reader(photos, preparation), []
    if (Path(data) / "labels.csv").is_file():
        patients = PatientDataset(data)
        masked = [s for s in patients.samples(split) if s.mask is not None]
        if not masked:
            raise InputError(f"{data}: no photos with masks in the split {split!r} to score parsing on; "
                             "choose another --split or add masks/EXPRESSION.png")

        def fitted(sample: PatientSample) -> tuple[np.ndarray, np.ndarray] | None:
            try:
                return reader.fitted(sample, size, with_mask=True)
            except NoFaceError:
                no_face.append(photo_name(sample.image))
                return None

        items = [lambda s=s: fitted(s) for s in masked]
        names, back, background = list(CLASSES), np.arange(len(CLASSES)), ["background"]
    else:
        dataset = ParsingDataset.open(data)
        chosen = dataset.split_names(split)
        if not chosen:
            raise InputError(f"{data}: no images in split {split!r}")
        # ParsingDataset.load refuses mask values outside the set's classes
        items = [lambda n=n: fit_square(*_with_ignore(dataset.load(n), dataset.ignore_index), size) for n in chosen]
        names, back = dataset.classes, dataset.project_to_dataset()
        # the set's own name for background ("bg" mapped to it) is left out of the means too
        background = [c for c in names if dataset.maps_to[c] == ["background"]]
        reader = PhotoReader()  # a parsing set is scored whole, as stage 1 trains on it
    conf = np.zeros((len(names), len(names)), dtype=np.int64)
    done = 0
    for chunk in _batches(items, batch_size):
        loaded = [pair for pair in (load() for load in chunk) if pair is not None]
        if loaded:
            images, masks = zip(*loaded, strict=True)
            predicted = back[_predict_masks(model, list(images), device, mirror)]
            conf += confusion_matrix(np.stack(masks), predicted, len(names))
        done += len(chunk)
        if progress is not None:
            progress(done, len(items))
    warn_no_face(no_face, "the parsing scores")
    if no_face and len(no_face) == len(items):
        raise InputError(f"{data}: no face found in any photo with a mask in the split {split!r}: nothing to score")
    return _prepared(parsing_report(conf, names, exclude=background), reader, no_face)


def _with_ignore(pair: tuple[np.ndarray, np.ndarray], ignore_index: int) -> tuple[np.ndarray, np.ndarray]:
    """A set's own ignore value (classes.json "ignore_index") as the project's IGNORE_INDEX."""
    image, mask = pair
    if ignore_index != IGNORE_INDEX:
        mask = np.where(mask == ignore_index, IGNORE_INDEX, mask).astype(mask.dtype)
    return image, mask


@dataclass
class PhotoPass:
    """What one pass over a patient set's photos yields, one entry per photo."""

    ids: list[str]  # patient id
    truth: np.ndarray  # true grade index
    probabilities: np.ndarray  # N x 6
    masks: np.ndarray  # E1's masks, N x size x size
    exact_masks: list[np.ndarray] | None  # the set's masks letterboxed alike; None when one is missing
    expressions: list[str]  # the photo's expression
    no_face: list[str] = field(default_factory=list)  # photos left out: the app finds no face in them (face_crop)


def grade_photos(
    model: CascadeNet, samples: list[PatientSample], patients: PatientDataset, split: str, device: torch.device,
    batch_size: int = 8, mirror: bool = True, progress: Callable[[int, int], None] | None = None,
    photos: PhotoReader | None = None,
) -> PhotoPass:
    """Run the cascade over the photos, each read once (through `photos`, `sources.PhotoReader`);
    E1's masks and E2's probabilities as the app makes them (`parse_and_grade`: mirror-averaged,
    or one pass with `mirror` False); the photo's own mask (when every photo has one) is
    letterboxed with it, padding counted as background. `progress(done, total)` after each batch.
    A photo the reader refuses as the app would (NoFaceError, face crop) is left out and named
    in `no_face`; InputError when none is left."""
    if not samples:
        raise InputError(f"{patients.root}: no patients with expression photos in the split {split!r}; "
                         "choose another --split")
    size = model.config.input_size
    with_masks = all(s.mask is not None for s in samples)
    photos = photos or PhotoReader()
    model.to(device).eval()
    probabilities, masks, exact = [], [], []
    scored: list[PatientSample] = []
    no_face: list[str] = []
    done = 0
    for chunk in _batches(samples, batch_size):
        fitted = []
        for sample in chunk:
            try:
                fitted.append(photos.fitted(sample, size, with_masks))
            except NoFaceError:
                no_face.append(photo_name(sample.image))
                continue
            scored.append(sample)
        done += len(chunk)
        if not fitted:
            if progress is not None:
                progress(done, len(samples))
            continue
        with torch.inference_mode():
            batch = to_tensor([image for image, _ in fitted]).to(device)
            model.check_input(batch)
            chunk_masks, chunk_probabilities = parse_and_grade(model, batch, mirror=mirror)
        masks.append(chunk_masks.cpu().numpy())
        probabilities.append(chunk_probabilities.cpu().numpy())
        if with_masks:
            exact += [np.where(mask == IGNORE_INDEX, 0, mask).astype(np.uint8) for _, mask in fitted]
        if progress is not None:
            progress(done, len(samples))
    warn_no_face(no_face, "the grading scores")
    if not scored:
        raise InputError(f"{patients.root}: no face found in any photo of the split {split!r}: nothing to score")
    return PhotoPass(
        [s.patient_id for s in scored], np.array([s.grade for s in scored]), np.concatenate(probabilities),
        np.concatenate(masks), exact if with_masks else None, [s.expression for s in scored], no_face,
    )


def measured_report(samples: list[PatientSample], masks: Sequence[np.ndarray], patients: PatientDataset) -> dict:
    """Grading report of the measured grade (DESIGN §7 step 4) from one mask per photo.

    Patients for whom the measure gives no grade are left out of the matrix and counted in
    `unmeasured`; `coverage` is the measured fraction; `side` scores the affected side
    (`side_report`).
    """
    by_patient: dict[str, dict[str, np.ndarray]] = {}
    for sample, mask in zip(samples, masks, strict=True):
        by_patient.setdefault(sample.patient_id, {}).setdefault(sample.expression, mask)
    truth, predicted, unmeasured = [], [], 0
    sides: list[tuple[str, MeasuredFunction]] = []
    for pid in sorted(by_patient):
        measured = measure_function(by_patient[pid])
        if measured.grade is None:
            unmeasured += 1
            continue
        truth.append(patients.patients[pid].grade)
        predicted.append(GRADES.index(measured.grade))
        sides.append((patients.patients[pid].side, measured))
    report = grading_report(confusion_matrix(np.array(truth, dtype=np.int64), np.array(predicted, dtype=np.int64), NUM_GRADES))
    report["unmeasured"] = unmeasured
    report["coverage"] = len(truth) / len(by_patient) if by_patient else 0.0
    report["side"] = side_report(sides)
    return report


def side_report(sides: Sequence[tuple[str, MeasuredFunction]]) -> dict:
    """How well the measure named the affected side, over the measured patients whose true
    side is left or right: `named` (a side was named), `right` (it was the true one),
    `opposite` (the other one), `no_side` (none named: measured grade I), `accuracy` (right /
    named, None when none was named), and how many named sides `side_doubt` flagged, of the
    opposite ones and of the right ones."""
    known = [(truth, m) for truth, m in sides if truth in ("left", "right")]
    named = [(truth, m) for truth, m in known if m.affected_side in ("left", "right")]
    right = [m for truth, m in named if m.affected_side == truth]
    opposite = [m for truth, m in named if m.affected_side != truth]
    return {
        "patients": len(known), "named": len(named), "right": len(right), "opposite": len(opposite),
        "no_side": len(known) - len(named), "accuracy": len(right) / len(named) if named else None,
        "opposite_doubted": sum(bool(side_doubt(m)) for m in opposite),
        "right_doubted": sum(bool(side_doubt(m)) for m in right),
    }


LEVELS = ("patient", "photo", "measured", "measured-exact")  # report keys, with "_" for "-"
REPORT_KEYS = tuple(level.replace("-", "_") for level in LEVELS)


def grading_reports(
    model: CascadeNet, data: str | Path, split: str = "auto", device: torch.device | None = None, mirror: bool = True,
    progress: Callable[[int, int], None] | None = None, photos: PhotoReader | None = None,
    preparation: str = LETTERBOX, levels: Sequence[str] | None = None,
) -> dict:
    """{'patient', 'photo', 'measured'[, 'measured_exact']: report} from one pass over the photos
    ('measured_exact' only when every photo has its mask; 'patient' also holds the fused top
    probability per true grade, `top_probabilities`); `mirror` as in `evaluate_parsing`;
    `progress` and `photos` as in `grade_photos`; `preparation` as in `evaluate_parsing`
    (each report then names the photos left out). `levels` (report keys) limits the reports
    to those: the measured ones read every patient's masks (seconds each), which a caller
    that shows only the network grade need not pay for; None: all of them."""
    wanted = set(REPORT_KEYS if levels is None else levels)
    if not wanted <= set(REPORT_KEYS):
        raise ValueError(f"unknown report levels {sorted(wanted - set(REPORT_KEYS))}; use {', '.join(REPORT_KEYS)}")
    device = device or torch.device("cpu")
    patients = PatientDataset(data)
    split = "all" if split == "auto" else split
    reader = _reader(photos, preparation)
    samples = patients.samples(split)
    graded = grade_photos(model, samples, patients, split, device, mirror=mirror, progress=progress, photos=reader)
    if graded.no_face:  # the photos scored, in order
        left_out = set(graded.no_face)
        samples = [s for s in samples if photo_name(s.image) not in left_out]
    reports = {}
    if "patient" in wanted:
        unique, fused = fuse_patients(graded.ids, graded.expressions, graded.probabilities)
        patient_truth = np.array([patients.patients[p].grade for p in unique])
        reports["patient"] = {**grading_report(confusion_matrix(patient_truth, fused.argmax(1), NUM_GRADES)),
                              "top_probability": top_probabilities(patient_truth, fused)}
    if "photo" in wanted:
        reports["photo"] = grading_report(confusion_matrix(graded.truth, graded.probabilities.argmax(1), NUM_GRADES))
    if "measured" in wanted:
        reports["measured"] = measured_report(samples, list(graded.masks), patients)
    if "measured_exact" in wanted and graded.exact_masks is not None:
        reports["measured_exact"] = measured_report(samples, graded.exact_masks, patients)
    return {level: _prepared(report, reader, graded.no_face) for level, report in reports.items()}


def top_probabilities(truth: np.ndarray, fused: np.ndarray) -> dict[str, dict[str, float | int]]:
    """{true grade: patients, min, max, flagged} of the patients' fused top probability (what the
    app calls the network's confidence), `flagged` counting those below LOW_CONFIDENCE: the app
    flags them for review, so the model card can say how often it will. Rounded to 4 decimals,
    as the app stores and flags it (`assess.build_flags`); grades no patient has are left out."""
    tops = np.array([round(float(p), 4) for p in fused.max(axis=1)])
    summary: dict[str, dict[str, float | int]] = {}
    for index, grade in enumerate(GRADES):
        mine = tops[np.asarray(truth) == index]
        if len(mine):
            summary[grade] = {"patients": len(mine), "min": float(mine.min()), "max": float(mine.max()),
                              "flagged": int((mine < LOW_CONFIDENCE).sum())}
    return summary


def evaluate_grading(
    model: CascadeNet, data: str | Path, split: str = "auto", device: torch.device | None = None, level: str = "patient",
    mirror: bool = True, preparation: str = LETTERBOX, progress: Callable[[int, int], None] | None = None,
) -> dict:
    """DESIGN §8 grading report; `level` 'patient' (fused expressions), 'photo', 'measured'
    (the measured grade from E1's masks) or 'measured-exact' (the measure on the set's masks);
    photos prepared as `preparation` says (`face_prep`); `progress` as in `grade_photos`."""
    if level not in LEVELS:
        raise InputError(f"unknown --level {level!r}; use {', '.join(LEVELS)}")
    if level == "measured-exact":  # said before the pass over the photos, naming a photo
        _check_every_mask(data, split)
    key = level.replace("-", "_")
    reports = grading_reports(model, data, split, device, mirror, progress, preparation=preparation, levels=(key,))
    if key not in reports:
        raise InputError(f"{data}: --level {level} needs a mask for every photo (masks/ of the photo's own name)")
    return reports[key]


def _check_every_mask(data: str | Path, split: str) -> None:
    """InputError naming the first photo of the split without a mask and the mask it needs:
    masks/EXPRESSION.png goes with an expression's first frame only (DESIGN §4), so a set
    with one per expression still lacks the other frames' ('rest_2.png has none')."""
    samples = PatientDataset(data).samples("all" if split == "auto" else split)
    bare = next((s for s in samples if s.mask is None), None)
    if bare is not None:
        raise InputError(f"{data}: --level measured-exact needs a mask for every photo, and {bare.patient_id}/"
                         f"{bare.image.name} has none: add {bare.patient_id}/masks/{bare.image.stem}.png "
                         "(masks/EXPRESSION.png goes with the expression's first frame only)")
