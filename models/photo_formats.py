"""Photo formats Palsy Grader cannot read, by suffix, so that a photo named as an expression in
one (an iPhone's `rest.heic`) is refused with what to do rather than skipped: skipped, the
patient was graded or trained without that expression. Shared by `palsy assess`
(`models.pipeline.patient_dir`), the patient data set reader (`models.data.patients`) and the
GUI's photo-folder camera, with one rule (`refused_unreadable_photos`): such a file is refused
only when no readable photo of its frame is there (a camera's rest.nef beside its rest.jpg, an
iPhone's rest.heic beside a converted rest.png are ignored, as before)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from models.pipeline.images import IMAGE_SUFFIXES

_HEIF = "HEIF"
# suffix -> the format in words; none of them is in `models.pipeline.images.IMAGE_SUFFIXES`
UNREADABLE_PHOTO_FORMATS: dict[str, str] = {
    ".heic": "HEIC", ".heif": _HEIF, ".hif": _HEIF, ".avif": "AVIF", ".jxl": "JPEG XL",
    ".dng": "DNG raw", ".cr2": "Canon raw", ".cr3": "Canon raw", ".crw": "Canon raw",
    ".nef": "Nikon raw", ".nrw": "Nikon raw", ".arw": "Sony raw", ".srf": "Sony raw", ".sr2": "Sony raw",
    ".orf": "Olympus raw", ".rw2": "Panasonic raw", ".raf": "Fujifilm raw", ".pef": "Pentax raw",
    ".srw": "Samsung raw", ".rwl": "Leica raw", ".3fr": "Hasselblad raw", ".iiq": "Phase One raw",
    ".x3f": "Sigma raw", ".mrw": "Minolta raw", ".kdc": "Kodak raw", ".erf": "Epson raw", ".raw": "camera raw",
    # Pillow decodes GIF, but 256 colours at most (dithered skin) are no photo to grade; rest.gif
    # was skipped as any other file, and the patient graded without a rest photo
    ".gif": "GIF", ".jp2": "JPEG 2000", ".j2k": "JPEG 2000", ".jpf": "JPEG 2000", ".jpx": "JPEG 2000",
}
_IPHONE = " (on an iPhone: Settings > Camera > Formats > Most Compatible)"
_RAW = " (export it from the camera's or photo library's software)"
_GIF = " (a GIF holds 256 colours at most, too few to grade by)"


def unreadable_photo_problem(path: Path, label: str | None = None) -> str | None:
    """'rest.heic is a HEIC photo, which Palsy Grader cannot read: save it as JPEG or PNG (...)'
    for a file in a format of UNREADABLE_PHOTO_FORMATS (`label` names it, its file name by
    default); None for any other suffix (a sidecar such as rest.xmp is no photo). The caller
    decides whether the file is named as an expression photo."""
    kind = UNREADABLE_PHOTO_FORMATS.get(path.suffix.lower())
    if kind is None:
        return None
    article = "an" if kind[0] in "AEIOU" else "a"
    hint = _IPHONE if kind in ("HEIC", _HEIF) else _RAW if kind.endswith("raw") else _GIF if kind == "GIF" else ""
    return (f"{label or path.name} is {article} {kind} photo, which Palsy Grader cannot read: "
            f"save it as JPEG or PNG{hint}")


def refused_unreadable_photos(files: Iterable[Path], frame_of: Callable[[Path], Hashable | None]) -> list[Path]:
    """The regular files among `files` in a format of UNREADABLE_PHOTO_FORMATS that name a frame
    (`frame_of(path)`, None for a file named as no expression photo) of which no readable photo
    (a regular file of IMAGE_SUFFIXES) is among `files`, in the order given. The other
    unreadable files, copies of a readable photo (RAW+JPEG cameras, rest.heic kept beside
    rest.png), are for the caller to ignore as any other file: refused, a folder that was
    graded and trained with its readable photo stopped working. A folder named rest.heic is
    no photo."""
    files = [p for p in files if p.is_file()]
    readable = {frame_of(p) for p in files if p.suffix.lower() in IMAGE_SUFFIXES} - {None}
    return [p for p in files if p.suffix.lower() in UNREADABLE_PHOTO_FORMATS
            and (frame := frame_of(p)) is not None and frame not in readable]
