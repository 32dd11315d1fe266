"""How training and scoring prepare a patient photo for the network; the checkpoint's record says which.

- "letterbox": the whole photo, shrunk for training and letterboxed to the input for scoring.
  The default, and what every checkpoint written without the record was trained and scored on
  (the demo recipe, the stage commands), so they evaluate as they always did.
- "face_crop": the square `palsy assess` and the app cut around the detected face
  (`models.pipeline.face.crop_face`, default settings), for training and scoring alike, so a
  clinic's figures are those of the photos the app grades. A mask gets the same square,
  resized nearest-neighbour. A photo where the app finds no face, or one too small
  (`NoFaceError`, `FaceTooSmallError`), is one it would refuse: it is left out of training
  and scoring, named and counted, not graded whole.

The record is `checkpoint["training"][RECORD_KEY]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from models.errors import InputError
from models.labels import IGNORE_INDEX
from models.pipeline.face import Box, crop_face, cut_square
from models.user_warnings import print_warning

LETTERBOX = "letterbox"
FACE_CROP = "face_crop"
PREPARATIONS = (LETTERBOX, FACE_CROP)
RECORD_KEY = "photo_preparation"
SHOWN = 5  # file names shown in a warning
CHECK_SIZE = 32  # the crop `check_face` makes and drops: small, the detection is the cost


Arrays = tuple[np.ndarray, np.ndarray | None]


def check_preparation(name: str) -> str:
    """`name` when it is a known preparation; InputError naming the known ones otherwise."""
    if name not in PREPARATIONS:
        raise InputError(f"unknown photo preparation {name!r}; use {' or '.join(PREPARATIONS)}")
    return name


def preparation_of(meta: Mapping[str, Any]) -> str:
    """The preparation a checkpoint (`load_checkpoint`'s meta, or the payload) was trained and
    scored with: its record, or "letterbox" for one written without it."""
    training = meta.get("training") or {}
    name = training.get(RECORD_KEY, LETTERBOX) if isinstance(training, Mapping) else LETTERBOX
    if name not in PREPARATIONS:
        raise InputError(f"the checkpoint was prepared with photos as {name!r}, which this version does not know "
                         f"({' or '.join(PREPARATIONS)}); update the application to score it")
    return name


def preparation_record(preparation: str) -> dict[str, str]:
    """What a checkpoint's training record holds of `preparation`: nothing for the letterbox
    (records stay as they were; missing means letterbox), the name otherwise."""
    return {} if check_preparation(preparation) == LETTERBOX else {RECORD_KEY: preparation}


def clinic_preparation(recorded: str | None, started: bool) -> str:
    """The preparation of a `palsy train clinic` run: the one its state recorded; the letterbox
    for a run an earlier version started (its stages trained on whole photos, and the rest of
    the run must match them); the face crop for a new run."""
    if recorded is not None:
        return check_preparation(recorded)
    return LETTERBOX if started else FACE_CROP


def cut_mask(mask: np.ndarray, square: Box, size: int) -> np.ndarray:
    """The label mask cut to the square `cut_square` cuts from its photo, resized nearest-neighbour
    (labels are not blended); outside the frame is ignore, as a letterbox's padding."""
    x, y, side, _ = square
    h, w = mask.shape[:2]
    pad = max(0, -x, -y, x + side - w, y + side - h)
    if pad:
        mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=IGNORE_INDEX)
        x, y = x + pad, y + pad
    patch = mask[y : y + side, x : x + side]
    return np.ascontiguousarray(cv2.resize(patch, (size, size), interpolation=cv2.INTER_NEAREST))


def face_crops(image: np.ndarray, mask: np.ndarray | None, sizes: Iterable[int], name: str) -> dict[int, Arrays]:
    """The app's face crop of the photo (and its mask) at each of `sizes`, from one detection:
    `crop_face` at the first size, the same square cut again (`cut_square`) at the others.
    Raises NoFaceError, with `name`, where `palsy assess` would refuse the photo."""
    sizes = list(dict.fromkeys(sizes))
    crop = crop_face(image, sizes[0], name=name)  # its detection takes `face.CASCADE_LOCK`
    out: dict[int, Arrays] = {}
    for size in sizes:
        cut = crop.image if size == sizes[0] else cut_square(image, crop.crop_box, size)
        out[size] = cut, None if mask is None else cut_mask(mask, crop.crop_box, size)
    return out


def face_crop(image: np.ndarray, mask: np.ndarray | None, size: int, name: str) -> Arrays:
    """`face_crops` at one size."""
    return face_crops(image, mask, [size], name)[size]


def photo_name(image: Path | str) -> str:
    """A patient photo as warnings name it: its patient folder and file."""
    path = Path(image)
    return f"{path.parent.name}/{path.name}"


def no_face_note(names: list[str], what: str) -> str:
    """'left out of WHAT: 2 photos where no face was found, or the face was too small (a, b), as
    palsy assess would refuse them': the names come from NoFaceError and FaceTooSmallError alike."""
    more = ", ..." if len(names) > SHOWN else ""
    photos, them, retake = (("photo", "it", "a frontal photo") if len(names) == 1
                            else ("photos", "them", "frontal photos"))
    return (f"left out of {what}: {len(names)} {photos} where no face was found, or the face was too small "
            f"({', '.join(names[:SHOWN])}{more}), as palsy assess would refuse {them}; retake {them} as {retake} "
            "of the face, filling about half the frame")


def warn_no_face(names: list[str], what: str) -> None:
    """The `no_face_note` on stderr, when there is something to say."""
    if names:
        print_warning(no_face_note(names, what))


def stage_preparation(photos: object) -> dict[str, str]:
    """`preparation_record` of the reader a training stage read its photos through (None: the
    letterbox), so that `palsy evaluate` of a clinic run's stage1.pt or stage2.pt prepares photos
    as that stage was trained."""
    return preparation_record(getattr(photos, "preparation", LETTERBOX) if photos is not None else LETTERBOX)


def check_face(image: np.ndarray, name: str) -> None:
    """NoFaceError, with `name`, where `palsy assess` would refuse the photo (the detection of
    `face_crops` without keeping a crop: the cache of kept photos is full)."""
    crop_face(image, CHECK_SIZE, name=name)
