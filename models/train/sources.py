"""In-memory training sources: photos decoded and shrunk once, then augmented per batch.

A `ParsingSource` holds (image, mask) pairs whose masks are already in a shared
`LabelSpace`; a `GradingSource` holds expression photos with their patient's grade.
Preloading keeps the per-step cost to one affine warp per image, which matters on 2 cores.
Patient photos are read through a `PhotoReader` (decoded when asked for; a clinic run's
`decoded_photos.DecodedPhotos` gives the arrays its photo check kept instead), prepared as
its `preparation` says (`face_prep`: the whole photo, or the app's face crop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import torch

from models.data.augment import Augmenter, fit_square
from models.data.glasses import draw_glasses
from models.data.parsing import ParsingDataset
from models.data.patients import PatientDataset, PatientSample, read_labelled_photo, read_photo
from models.labels import IGNORE_INDEX, SIDES
from models.pipeline.face import NoFaceError
from models.train.face_prep import (
    FACE_CROP,
    LETTERBOX,
    check_preparation,
    face_crop,
    photo_name,
    warn_no_face,
)
from models.train.losses import LabelSpace


def _shrunk_size(shape: tuple[int, ...], long_side: int) -> tuple[int, int] | None:
    """(width, height) with the longer side `long_side`, or None when it is that small already."""
    h, w = shape[:2]
    factor = long_side / max(h, w)
    if factor >= 1.0:
        return None
    return max(1, round(w * factor)), max(1, round(h * factor))


def shrink_mask(mask: np.ndarray, long_side: int) -> np.ndarray:
    """A label mask resized (nearest) so the longer side is at most `long_side`."""
    size = _shrunk_size(mask.shape, long_side)
    return mask if size is None else cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST)


def shrink(image: np.ndarray, mask: np.ndarray | None, long_side: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Resize so the longer side is at most `long_side` (area filter; nearest for masks)."""
    size = _shrunk_size(image.shape, long_side)
    if size is None:
        return image, mask
    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return image, None if mask is None else shrink_mask(mask, long_side)


def read_sample(sample: PatientSample, with_mask: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """A patient photo as `palsy assess` reads it, with its checked mask when `with_mask`."""
    if with_mask:
        return read_labelled_photo(sample.image, sample.mask)
    return read_photo(sample.image), None


class PhotoReader:
    """How the training sources and the scoring read patient photos: decoded (`read_sample`)
    each time one is asked for, then prepared (`face_prep`) at the size the step reads:
    "letterbox" shrinks or letterboxes the whole photo; "face_crop" cuts the app's face square
    at that size, and raises NoFaceError for a photo the app would refuse."""

    def __init__(self, preparation: str = LETTERBOX) -> None:
        self.preparation = check_preparation(preparation)

    def shrunk(self, sample: PatientSample, long_side: int, with_mask: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """The photo (with its mask when `with_mask`) as a stage trains on it: shrunk to `long_side`
        (`shrink`), or its face crop at `long_side` x `long_side`."""
        if self.preparation == FACE_CROP:
            return face_crop(*read_sample(sample, with_mask), long_side, photo_name(sample.image))
        return shrink(*read_sample(sample, with_mask), long_side)

    def fitted(self, sample: PatientSample, size: int, with_mask: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """The photo (with its mask when `with_mask`) as the scoring reads it: letterboxed to `size`
        (`fit_square`), or its face crop at `size`, as `palsy assess` grades it."""
        if self.preparation == FACE_CROP:
            return face_crop(*read_sample(sample, with_mask), size, photo_name(sample.image))
        return fit_square(*read_sample(sample, with_mask), size)


def to_tensor(images: Sequence[np.ndarray]) -> torch.Tensor:
    """Stack RGB uint8 HxWx3 arrays into a float (B, 3, H, W) tensor in [0, 1]."""
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float().div_(255.0)


@dataclass
class ParsingSource:
    """Named list of (image, label-space mask) pairs."""

    name: str
    images: list[np.ndarray] = field(default_factory=list)
    masks: list[np.ndarray] = field(default_factory=list)
    no_face: list[str] = field(default_factory=list)  # photos left out: the app finds no face in them (face_crop)

    def __len__(self) -> int:
        return len(self.images)


def load_parsing_source(
    dataset: ParsingDataset, names: Sequence[str], space: LabelSpace, long_side: int, name: str | None = None
) -> ParsingSource:
    """Decode `names` of a parsing data set, translate masks into `space`, shrink to `long_side`.
    A mask value outside the set's classes and ignore values is refused with the file named
    (`ParsingDataset.load`), as `palsy evaluate` refuses it, rather than trained as unlabelled."""
    table = space.register(dataset.allowed_matrix())
    if dataset.ignore_index != IGNORE_INDEX:
        table[dataset.ignore_index] = IGNORE_INDEX
    source = ParsingSource(name or dataset.root.name)
    for item in names:
        image, mask = dataset.load(item)
        image, mask = shrink(image, table[mask], long_side)
        source.images.append(image)
        source.masks.append(mask)
    return source


def load_patient_parsing_source(
    dataset: PatientDataset, patient_ids: Sequence[str], long_side: int, name: str = "patients",
    photos: PhotoReader | None = None,
) -> ParsingSource:
    """Expression photos that have masks (project label set, so no translation is needed).

    A mask value outside the label set (0 to NUM_CLASSES - 1, or 255 = ignore) is refused with
    the file named: it would either crash the loss or, once coarse label sets are registered,
    silently stand for one of them; a mask in another convention is better fixed than guessed.
    So is a mask whose size differs from its photo's (its labels would land on the wrong
    pixels), and a patient of labels.csv without photos (`PatientDataset.check_photos`).
    Photos are read as `palsy assess` reads them (`read_photo`), through `photos`; with the
    face crop, a photo the app would refuse is left out, named in `no_face` and a warning."""
    dataset.check_photos()
    photos = photos or PhotoReader()
    source = ParsingSource(name)
    for sample in dataset.samples(patient_ids=list(patient_ids)):
        if sample.mask is None:
            continue
        try:
            image, mask = photos.shrunk(sample, long_side, with_mask=True)
        except NoFaceError:
            source.no_face.append(photo_name(sample.image))
            continue
        source.images.append(image)
        source.masks.append(mask)
    warn_no_face(source.no_face, "stage 1 (parsing)")
    return source


@dataclass
class GradingSource:
    """Expression photos with grade index and affected side."""

    images: list[np.ndarray] = field(default_factory=list)
    grades: list[int] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)
    no_face: list[str] = field(default_factory=list)  # photos left out: the app finds no face in them (face_crop)

    def __len__(self) -> int:
        return len(self.images)


def load_grading_source(
    dataset: PatientDataset, patient_ids: Sequence[str], long_side: int, photos: PhotoReader | None = None
) -> GradingSource:
    """Every expression photo of the given patients, labelled with the patient's grade; a
    patient of labels.csv without photos is refused (`PatientDataset.check_photos`), not dropped.
    Photos are read as `palsy assess` reads them (`read_photo`), through `photos`; with the
    face crop, a photo the app would refuse is left out, named in `no_face` and a warning."""
    dataset.check_photos()
    photos = photos or PhotoReader()
    source = GradingSource()
    for sample in dataset.samples(patient_ids=list(patient_ids)):
        try:
            image, _ = photos.shrunk(sample, long_side, with_mask=False)
        except NoFaceError:
            source.no_face.append(photo_name(sample.image))
            continue
        source.images.append(image)
        source.grades.append(sample.grade)
        source.sides.append(sample.side)
    return source


class ParsingBatcher:
    """Draws augmented parsing batches from several sources with given sampling weights."""

    def __init__(self, sources: Sequence[ParsingSource], weights: Sequence[float], augmenter: Augmenter, batch_size: int,
                 glasses_p: float = 0.0, eye_labels: np.ndarray | None = None) -> None:
        """`glasses_p` of the draws get wire-rim glasses around their `eye_labels` pixels
        (`models.data.glasses`) before the augmentation; 0 draws nothing extra from the rng."""
        if glasses_p > 0 and eye_labels is None:
            raise ValueError("glasses need the labels that mean an eye")
        self.glasses_p, self.eye_labels = glasses_p, eye_labels
        kept = [(s, w) for s, w in zip(sources, weights, strict=True) if len(s) and w > 0]
        if not kept:
            raise ValueError("no parsing training data: every source is empty")
        self.sources = [s for s, _ in kept]
        total = sum(w for _, w in kept)
        self.weights = np.array([w / total for _, w in kept])
        self.augmenter = augmenter
        self.batch_size = batch_size

    def __call__(self, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        images, masks = [], []
        for _ in range(self.batch_size):
            source = self.sources[rng.choice(len(self.sources), p=self.weights)]
            i = int(rng.integers(len(source)))
            image, mask = source.images[i], source.masks[i]
            if self.glasses_p > 0 and rng.random() < self.glasses_p:
                image = draw_glasses(image, mask, self.eye_labels, rng)
            image, mask, _ = self.augmenter(image, mask, "none", rng)
            images.append(image)
            masks.append(mask)
        return to_tensor(images), torch.from_numpy(np.stack(masks)).long()


def sampling_weights(grades: Sequence[int], balance: bool = True) -> np.ndarray:
    """Draw probabilities of samples with these grade indices: every grade equally often
    (`balance`), or every sample equally often."""
    graded = np.asarray(grades)
    counts = np.bincount(graded, minlength=6).astype(np.float64)
    weights = 1.0 / counts[graded] if balance else np.ones(len(graded))
    return weights / weights.sum()


class GradingBatcher:
    """Draws augmented (images, grades, sides) batches, grades balanced by default."""

    def __init__(self, source: GradingSource, augmenter: Augmenter, batch_size: int, balance: bool = True) -> None:
        if not len(source):
            raise ValueError("no grading training data: the patient split is empty")
        self.source = source
        self.augmenter = augmenter
        self.batch_size = batch_size
        self.p = sampling_weights(source.grades, balance)

    def __call__(self, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        images, grades, sides = [], [], []
        for i in rng.choice(len(self.source), size=self.batch_size, p=self.p):
            image, _, side = self.augmenter(self.source.images[i], None, self.source.sides[i], rng)
            images.append(image)
            grades.append(self.source.grades[i])
            sides.append(SIDES.index(side))
        return to_tensor(images), torch.tensor(grades), torch.tensor(sides)
