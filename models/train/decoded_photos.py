"""A clinic run's patient photos, decoded once (`palsy train clinic`).

The run decodes every photo its remaining steps read before any training, so a damaged one
is refused at once rather than after hours (`check_and_keep`, the check of
`PatientDataset.check_files` with the same message). Stage 1, stage 2 and the scoring used to
decode the same photos again, so a first run decoded each photo three times: a 12 MP JPEG
takes 160-185 ms, the check of 3,000 of them about 8 minutes of one core (docs/train.md), and
the stages and the scoring spent twice that again. Keeping the decoded photos themselves
would take 36 MB each; the check keeps instead, of its one decode, only the arrays the later
steps read, which are what their training sources hold anyway: a training photo shrunk to the long side stage 1 reads it at
(with its mask) and to the one stage 2 reads it at, a val or test photo letterboxed to the
input size with its mask (about 0.4, 0.15 and 0.26 MB at 256 px). `DecodedPhotos` serves
them (each training array once: the stage's source takes it over) and decodes anything
it did not keep, exactly as before: a size the check did not know, or what came after
`KEEP_LIMIT_GB` was full (so a very large clinic, or one trained at 512 px, keeps what fits
and decodes the rest again, rather than running out of memory).

With the "face_crop" preparation (`face_prep`) the kept arrays are the app's face crops at
those sizes (the training ones square), cut from one detection per photo; a photo where the
app finds no face is remembered (`no_face`), so no later step decodes or searches it again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.data.augment import fit_square
from models.data.patients import PatientDataset, PatientSample
from models.errors import InputError
from models.pipeline.face import NoFaceError
from models.train.face_prep import FACE_CROP, LETTERBOX, check_face, face_crops, photo_name
from models.train.sources import PhotoReader, shrink

# The most the kept arrays may take: 500 patients' 3,000 photos at 256 px take about 1.3 GB
# (the training sources would hold 1 GB of it anyway, once their stage starts).
KEEP_LIMIT_GB = 2.0

Arrays = tuple[np.ndarray, np.ndarray | None]


@dataclass(frozen=True)
class Wanted:
    """What the run's remaining steps read of each photo (None: that step does not run)."""

    parsing_side: int | None = None  # stage 1: train photos with masks, shrunk to this long side
    grading_side: int | None = None  # stage 2: train photos, shrunk to this long side
    scoring_size: int | None = None  # scoring: val and test photos (and masks), letterboxed to this size


def _shrunk_key(sample: PatientSample, long_side: int, with_mask: bool) -> tuple[Any, ...]:
    return ("shrunk", sample.image, sample.mask, long_side, with_mask)


def _fitted_key(sample: PatientSample, size: int) -> tuple[Any, ...]:
    return ("fitted", sample.image, sample.mask, size)


class DecodedPhotos(PhotoReader):
    """The arrays `check_and_keep` kept of each photo; what was not kept is decoded when asked for."""

    def __init__(self, limit_gb: float | None = None, preparation: str = LETTERBOX) -> None:
        super().__init__(preparation)
        self.limit_bytes = round((KEEP_LIMIT_GB if limit_gb is None else limit_gb) * 1e9)
        self.kept_bytes = 0
        self._kept: dict[tuple[Any, ...], Arrays] = {}
        self._no_face: dict[Any, str] = {}  # photo path -> the NoFaceError message
        self._lock = threading.Lock()

    def no_face(self) -> list[str]:
        """The photos the check found no face in (face_crop), sorted: left out of every step."""
        with self._lock:
            return sorted(photo_name(path) for path in self._no_face)

    def scorable(self, samples: Iterable[PatientSample]) -> bool:
        """Whether any of `samples` is not a photo the check found no face in (face_crop)."""
        with self._lock:
            return any(sample.image not in self._no_face for sample in samples)

    def _refuse_known(self, sample: PatientSample) -> None:
        """NoFaceError again, without decoding, for a photo the check found no face in."""
        with self._lock:
            message = self._no_face.get(sample.image)
        if message is not None:
            raise NoFaceError(message, photo=photo_name(sample.image))

    def full(self) -> bool:
        return self.kept_bytes >= self.limit_bytes

    def keep(self, arrays: dict[tuple[Any, ...], Arrays]) -> None:
        """Keep one photo's arrays (all of them, or none once the limit is reached)."""
        size = sum(a.nbytes for pair in arrays.values() for a in pair if a is not None)
        with self._lock:
            if self.kept_bytes + size <= self.limit_bytes:
                self._kept.update(arrays)
                self.kept_bytes += size

    def shrunk(self, sample: PatientSample, long_side: int, with_mask: bool) -> Arrays:
        """As `PhotoReader.shrunk`; a kept array is handed over (a stage's source reads it once)."""
        self._refuse_known(sample)
        with self._lock:
            kept = self._kept.pop(_shrunk_key(sample, long_side, with_mask), None)
        return kept if kept is not None else super().shrunk(sample, long_side, with_mask)

    def fitted(self, sample: PatientSample, size: int, with_mask: bool) -> Arrays:
        """As `PhotoReader.fitted`; kept until `forget` (the grading and the parsing scores read it)."""
        self._refuse_known(sample)
        with self._lock:
            kept = self._kept.get(_fitted_key(sample, size))
        if kept is None:
            return super().fitted(sample, size, with_mask)
        image, mask = kept
        return image, mask if with_mask else None

    def forget(self) -> None:
        """Drop whatever is still kept (once the steps that read it are done)."""
        with self._lock:
            self._kept.clear()

    def refuse(self, sample: PatientSample, error: NoFaceError) -> None:
        """Remember that the app finds no face in this photo (`no_face`)."""
        with self._lock:
            self._no_face[sample.image] = str(error)


def _derived(wanted: Wanted, split: str, sample: PatientSample, image: np.ndarray,
             mask: np.ndarray | None, preparation: str = LETTERBOX) -> dict[tuple[Any, ...], Arrays]:
    """The arrays the steps in `wanted` read of one decoded photo, as `PhotoReader` makes them
    (NoFaceError, with the face crop, for a photo the app would refuse)."""
    if preparation == FACE_CROP:
        return _derived_crops(wanted, split, sample, image, mask)
    arrays: dict[tuple[Any, ...], Arrays] = {}
    if split == "train":
        if wanted.parsing_side and mask is not None:
            arrays[_shrunk_key(sample, wanted.parsing_side, True)] = shrink(image, mask, wanted.parsing_side)
        if wanted.grading_side:
            arrays[_shrunk_key(sample, wanted.grading_side, False)] = shrink(image, None, wanted.grading_side)
    elif wanted.scoring_size:
        arrays[_fitted_key(sample, wanted.scoring_size)] = fit_square(image, mask, wanted.scoring_size)
    return arrays


def _derived_crops(wanted: Wanted, split: str, sample: PatientSample, image: np.ndarray,
                   mask: np.ndarray | None) -> dict[tuple[Any, ...], Arrays]:
    """`_derived` for the face crop: every size the steps read, cut from one detection."""
    if split == "train":
        parsing = wanted.parsing_side if mask is not None else None
        sizes = [s for s in (parsing, wanted.grading_side) if s]
    else:
        sizes = [wanted.scoring_size] if wanted.scoring_size else []
    if not sizes:
        return {}
    crops = face_crops(image, mask, sizes, photo_name(sample.image))
    arrays: dict[tuple[Any, ...], Arrays] = {}
    if split == "train":
        if parsing:
            arrays[_shrunk_key(sample, parsing, True)] = crops[parsing]
        if wanted.grading_side:
            arrays[_shrunk_key(sample, wanted.grading_side, False)] = (crops[wanted.grading_side][0], None)
    else:
        arrays[_fitted_key(sample, wanted.scoring_size)] = crops[wanted.scoring_size]
    return arrays


def check_and_keep(
    patients: PatientDataset, splits: tuple[str, ...], photos: DecodedPhotos, wanted: Wanted,
    progress: Callable[[int, int], None] | None = None, threads: int | None = None,
) -> int:
    """`PatientDataset.check_files` (every photo and mask of `splits` decoded as training and
    scoring read them, the same refusal), keeping in `photos` what the steps in `wanted` read
    of each photo (`_derived`), so that they need not decode it again. Returns the number of
    photos; nothing is kept when a photo is refused."""

    def keep(split: str, sample: PatientSample, image: np.ndarray, mask: np.ndarray | None) -> None:
        try:
            if not photos.full():
                photos.keep(_derived(wanted, split, sample, image, mask, photos.preparation))
            elif photos.preparation == FACE_CROP:  # nothing kept, yet every photo's face is looked for
                check_face(image, photo_name(sample.image))
        except NoFaceError as error:  # left out by every step, as the app would refuse it
            photos.refuse(sample, error)

    try:
        return patients.check_files(progress, splits=splits, threads=threads, keep=keep)
    except InputError:
        photos.forget()
        raise
