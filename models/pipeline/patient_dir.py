"""A patient folder of expression photos (DESIGN §4): `EXPRESSION.jpg|png` or
`EXPRESSION_N.*` for several frames of one expression."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from models.clutter import is_clutter
from models.errors import InputError
from models.labels import EXPRESSIONS
from models.photo_formats import refused_unreadable_photos, unreadable_photo_problem
from models.pipeline.images import (
    IMAGE_SUFFIXES,
    MAX_PIXELS,
    MIN_PHOTO_SIDE,
    load_image,
    what_it_is,
)

_NAME = re.compile(r"^(?P<expression>[a-z_]+?)(?:_(?P<index>\d+))?$")


def find_expression_photos(folder: str | os.PathLike) -> dict[str, list[Path]]:
    """{expression: [photo paths, frame order]} for the recognised files in `folder`.

    Raises InputError when the folder is missing or holds no recognised photo, when two
    files name the same frame (`rest.jpg` and `REST.png`, or `rest.png` and `rest_0.png`), and
    when a file named as an expression photo is in a format the app cannot read (`rest.heic`,
    `models.photo_formats`) and no readable photo of that frame is there (rest.heic beside
    rest.png is ignored, as any other file).
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(f"patient folder not found: {folder}")
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; pass the folder that holds the expression photos")
    found: dict[str, list[tuple[int, Path]]] = {}
    entries = sorted(folder.iterdir())
    refused = refused_unreadable_photos(entries, frame_of)
    if refused:  # an iPhone's rest.heic, skipped, graded the patient without it
        raise InputError(f"{unreadable_photo_problem(refused[0])}, or move it out of {folder}")
    for path in entries:
        match = _NAME.match(path.stem.lower())
        if not match or match["expression"] not in EXPRESSIONS:
            continue
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue  # rest.txt, rest.xmp, a rest.heic beside rest.png: no photo
        if not path.is_file():
            # named as a photo but none: skipping it silently graded without that expression
            raise InputError(f"{path} is {what_it_is(path)}, not a photo; put the {match['expression']} photo there "
                             "or move it out of the patient folder")
        index = int(match["index"]) if match["index"] else 0
        frames = found.setdefault(match["expression"], [])
        twin = next((other for i, other in frames if i == index), None)
        if twin is not None:
            # REST.JPG, rest.png and rest_0.png all became rest frame 0: one graded, the others
            # silently averaged in or dropped
            raise InputError(
                f"{twin.name} and {path.name} in {folder} are both the {match['expression']} photo"
                f"{f' (frame {index})' if index else ''}; keep one of them, or name the other "
                f"{match['expression']}_N with a frame number N not used yet"
            )
        frames.append((index, path))
    if not found:
        raise InputError(no_expression_photos(folder))
    return {e: [p for _, p in sorted(found[e])] for e in EXPRESSIONS if e in found}


def ignored_photos(folder: str | os.PathLike) -> list[Path]:
    """The photos in `folder` not named after an expression (eyes_closed.png, IMG_0001.jpg),
    which `find_expression_photos` skips: `assess` names them in the `ignored_files` flag, since
    a patient graded without a photo the clinician put there looked complete. A file browser's
    clutter (`models.clutter`: ._rest.jpg, Thumbs.db) is no photo of the clinic's."""
    return [path for path in sorted(Path(folder).iterdir())
            if path.suffix.lower() in IMAGE_SUFFIXES and frame_of(path) is None and not is_clutter(path) and path.is_file()]


def no_expression_photos(folder: Path) -> str:
    """Why a folder none of whose photos is named after an expression is refused, for `palsy
    assess` and the app's photo folder alike: the names it needs, which are English whatever
    language the clinic names its files in (a clinic's 01_Ruhe.jpg ...)."""
    return (f"no expression photos found in {folder}; name them {', '.join(EXPRESSIONS)} (.jpg or .png, or "
            "EXPRESSION_N.* for several frames). These names are English, whatever language the clinic uses")


def frame_of(path: Path) -> tuple[str, int] | None:
    """(expression, frame number) a file is named after (rest.heic: ("rest", 0)), None for
    another name; rest.png and rest_0.png are one frame. Training sets read names so too
    (`models.data.patients`)."""
    match = _NAME.match(path.stem.lower())
    if not match or match["expression"] not in EXPRESSIONS:
        return None
    return match["expression"], int(match["index"]) if match["index"] else 0


def load_patient_photos(
    folder: str | os.PathLike, max_pixels: int = MAX_PIXELS
) -> tuple[dict[str, list[np.ndarray]], dict[str, list[Path]]]:
    """Load every recognised photo (RGB uint8); InputError names the first bad file."""
    paths = find_expression_photos(folder)
    photos = {e: [load_image(p, max_pixels, MIN_PHOTO_SIDE) for p in files] for e, files in paths.items()}
    return photos, paths
