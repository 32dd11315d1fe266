"""Sources over files: a video file (looped) and a folder of photos (one per expression)."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import numpy as np

from app.camera.source import CameraError, StepUnavailable
from models.clutter import is_clutter
from models.counted import counted
from models.labels import EXPRESSIONS
from models.photo_formats import refused_unreadable_photos, unreadable_photo_problem
from models.pipeline.images import IMAGE_SUFFIXES  # the suffixes `palsy assess` reads
from models.pipeline.patient_dir import no_expression_photos

log = logging.getLogger(__name__)

# A clip's rate outside these is taken for a damaged header, or (below) is too slow for the capture
# page, which calls a camera frozen after 2 s without a picture: read at the default rate instead.
MIN_VIDEO_FPS, MAX_VIDEO_FPS = 1.0, 240.0
REPLACE = "replace the file and press Retry"  # what to do about a photo of the folder that cannot be used

# The names cameras and phones give their photos, a running number that says nothing of the
# expression: Canon and iPhone IMG_0001, Nikon DSC_0001, _DSC0001 and DSCN0001, Sony DSC00001,
# Fujifilm DSCF0001, Pentax IMGP0001, Olympus and Panasonic P1010001, Canon's Adobe RGB
# _MG_0001, Android IMG_20240501_093012 or the date alone (20240501_093012), Pixel
# PXL_20240501_093012345 (PXL_..._093012345.MP for a motion photo).
CAMERA_NAME = re.compile(r"(?:_?(?:IMG|MG|DSC|DSCN|DSCF|IMGP|PXL|P)[_-]?)?\d+(?:[_-]\d+)*(?:\.MP)?", re.IGNORECASE)


def _on_windows() -> bool:
    return os.name == "nt"


def _short_path(path: str) -> str | None:
    """The 8.3 short form of an existing Windows path (C:\\Users\\JOS~1\\...), None when the
    volume keeps none."""
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)  # type: ignore[attr-defined]
    if not size:
        return None
    buffer = ctypes.create_unicode_buffer(size)
    return buffer.value if ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size) else None  # type: ignore[attr-defined]


def opencv_file_name(path: Path) -> str:
    """`path` as OpenCV's video functions can open it. On Windows they pass the name through the
    ANSI code page, so a path with non-ASCII characters (C:\\Users\\José\\clip.mp4) is given
    in its 8.3 short form; CameraError with a hint when the volume keeps no short names."""
    name = str(path)
    if name.isascii() or not _on_windows():
        return name
    short = _short_path(str(path.resolve()))
    if short is not None and short.isascii():
        return short
    raise CameraError(f"OpenCV cannot open a video whose path has letters outside A-Z on Windows ({path}); "
                      "copy it into a folder with a plain name (C:\\Videos\\clip.mp4) and choose that file in Settings")


class VideoFileSource:
    """Frames of a video file, restarting at the end so the preview never runs dry. Its `fps`
    (the clip's own rate) paces the camera thread, which played a 30 fps clip 134 times too fast."""

    repeats_frames = True  # a still scene of a clip decodes to the same pixels: not a frozen feed

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"video {self.path.name}"
        self.fps: float | None = None  # known once open; None: the camera thread's default rate
        self._capture = None

    def open(self) -> None:
        import cv2

        if not self.path.is_file():
            raise CameraError(f"video file not found: {self.path}; choose a file in Settings")
        capture = cv2.VideoCapture(opencv_file_name(self.path))
        if not capture.isOpened():
            capture.release()
            raise CameraError(f"{self.path.name} is not a video OpenCV can read; try an .mp4 or .avi file")
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if MIN_VIDEO_FPS <= fps <= MAX_VIDEO_FPS else None  # a header may say 0, or nonsense
        self._capture = capture

    def read(self) -> np.ndarray:
        import cv2

        if self._capture is None:
            raise CameraError(f"{self.name} is not open")
        ok, frame = self._capture.read()
        if not ok:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraError(f"{self.path.name} has no readable frames")
        return cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


def _load_rgb(path: Path) -> np.ndarray:
    """The photo as `palsy assess` reads it (`models.pipeline.images.load_image`: 16-bit and
    float scaled, alpha over white, EXIF upright, over 40 MP or under 64 px refused before
    decoding). A file that cannot be used is StepUnavailable: that step's error, never the
    camera's. Its next step is this source's alone: the loader's advice is for `palsy assess`."""
    from models.pipeline.images import MIN_PHOTO_SIDE, ImageError, load_image

    try:
        return load_image(path, min_side=MIN_PHOTO_SIDE)
    except (ImageError, OSError) as exc:  # OSError: unreadable (permissions, a vanished disk)
        fault = exc.fault if isinstance(exc, ImageError) else f"{path.name} cannot be read ({exc.strerror or exc})"
        raise StepUnavailable(f"{fault}; {REPLACE}") from exc
    except Exception as exc:  # a damaged file can make a decoder raise almost anything
        log.warning("reading %s failed", path, exc_info=True)
        raise StepUnavailable(f"{path.name} is not a readable image; {REPLACE}") from exc


class PhotoFolderSource:
    """A folder of existing photos: shows the photo named after the requested expression.

    Files are matched by stem (`rest.jpg`, `close_eyes_1.png`, ...). In a folder with
    expression names, a missing or damaged photo is `StepUnavailable` for its step only:
    another expression's photo is never shown in its place. So is a photo in a format the app
    cannot read (`rest.heic`, `models.photo_formats`) when the folder holds no readable photo
    of that expression. A folder whose photos all have a camera's names (IMG_0001.jpg,
    `CAMERA_NAME`) is taken in name order, one photo per step, and `name_order_photo` names
    the file of each step so that the page can show it. Any other folder is refused at open
    as `palsy assess` refuses it: a clinic's 01_Ruhe.jpg, 02_Stirn_runzeln.jpg ... in name
    order gave "Close eyes" the raised brows. Which a folder is depends on its readable photos
    only; a folder of unreadable files alone is read by expression names.
    """

    repeats_frames = True  # the same still photo at every read

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.name = f"photos in {self.folder.name}"
        self._photos: list[Path] = []
        self._by_expression: dict[str, Path] = {}
        # expression -> why its photo cannot be read (rest.heic), when no readable one is named so
        self._unreadable: dict[str, str] = {}
        # the photos of a folder of camera names, one per step; () for one read by expression
        # names (set in one assignment: the page reads it from the GUI thread)
        self._in_name_order: tuple[Path, ...] = ()
        self._open = False
        self._current: np.ndarray | None = None
        self._expression = EXPRESSIONS[0]

    def open(self) -> None:
        if not self.folder.is_dir():
            raise CameraError(f"photo folder not found: {self.folder}; choose a folder in Settings")
        # not macOS's `._rest.jpg` (AppleDouble metadata, left on USB sticks and shares)
        files = sorted(p for p in self.folder.iterdir() if not is_clutter(p))
        self._photos = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
        self._by_expression, self._unreadable = {}, {}
        for photo in self._photos:
            expression = _expression_of(photo)
            if expression is not None:
                self._by_expression.setdefault(expression, photo)
        # an iPhone's rest.heic was skipped: "no rest photo" though it is there. Not in a folder
        # shown in name order (IMG_0001.jpg ...): one rest.heic there made every step unavailable
        if self._by_expression or not self._photos:
            for path in refused_unreadable_photos(files, _expression_of):
                self._unreadable.setdefault(_expression_of(path), unreadable_photo_problem(path))
        if not self._photos and not self._unreadable:
            raise CameraError(f"no photos ({', '.join(IMAGE_SUFFIXES)}) in {self.folder}{_unreadable_hint(files)}")
        in_name_order = not self._by_expression and not self._unreadable
        if in_name_order:
            _refuse_other_names(self.folder, self._photos)
        self._in_name_order = tuple(self._photos) if in_name_order else ()
        self._open = True
        self._current = None

    def set_expression(self, expression: str) -> None:
        """Switch to the photo of `expression` (the wizard calls this at each step)."""
        if expression != self._expression:
            self._expression = expression
            self._current = None

    def read(self) -> np.ndarray:
        if not self._open:
            raise CameraError(f"{self.name} is not open")
        if self._current is None:
            self._current = _load_rgb(self._photo_of(self._expression))
        return self._current

    def name_order_photo(self, expression: str) -> str | None:
        """The name of the file a folder of camera names gives `expression`'s step
        (IMG_0001.jpg for rest), None in a folder read by expression names or when no photo is
        left for the step: nothing in a camera's names says which expression a photo shows,
        so the capture page names the file for the therapist to check."""
        photos = self._in_name_order
        position = EXPRESSIONS.index(expression) if expression in EXPRESSIONS else len(photos)
        return photos[position].name if position < len(photos) else None

    def _photo_of(self, expression: str) -> Path:
        """The file of `expression`'s step; StepUnavailable when the folder has none that can be
        shown for it (never another expression's photo)."""
        if self._in_name_order:
            name = self.name_order_photo(expression)
            if name is None:
                raise StepUnavailable(
                    f"{self.folder.name} holds {counted(len(self._in_name_order), 'photo')}, taken in name order, "
                    f"one per step: none is left for {expression}; add it and press Retry, or take this step with a camera")
            return self.folder / name
        path = self._by_expression.get(expression)
        if path is not None:
            return path
        if expression in self._unreadable:
            raise StepUnavailable(f"{self._unreadable[expression]}; {REPLACE}, or take this step with a camera")
        raise StepUnavailable(f"no {expression} photo in {self.folder.name} (a file named {expression}.jpg "
                              "or .png); add it and press Retry, or take this step with a camera")

    def close(self) -> None:
        self._photos = []
        self._in_name_order = ()
        self._open = False
        self._current = None


def _expression_of(path: Path) -> str | None:
    """The expression a file of a photo folder is named after (`rest.jpg`, `close_eyes_1.png`,
    `rest_front.jpg`), None for another name."""
    stem = path.stem.lower()
    return next((e for e in EXPRESSIONS if stem == e or stem.startswith(e + "_")), None)


def _refuse_other_names(folder: Path, photos: list[Path]) -> None:
    """CameraError, worded as `palsy assess` refuses such a folder, unless every photo has a
    camera's name: the order of other names says nothing of what each photo shows (a clinic's
    own order put the raised brows before the closed eyes), and a clinic names files in its
    own language, so the message says the names are English and the files can be renamed."""
    other = [photo for photo in photos if not CAMERA_NAME.fullmatch(photo.stem)]
    if not other:
        return
    mixed = (f"; camera names (IMG_0001.jpg ...) are taken in name order only when every photo has one, "
             f"and {other[0].name} has not") if len(other) < len(photos) else ""
    raise CameraError(f"{no_expression_photos(folder)}: rename the photos ({other[0].name} ...) after the "
                      f"expressions they show and press Retry{mixed}")


def _unreadable_hint(files: list[Path]) -> str:
    """'; IMG_0001.HEIC is a HEIC photo, which Palsy Grader cannot read: ...' for a folder with
    no photo the app reads but files in a format it cannot (an iPhone's IMG_0001.HEIC), so
    that "no photos" says why; '' when there are none."""
    unreadable = [p for p in files if p.is_file() and unreadable_photo_problem(p) is not None]
    if not unreadable:
        return ""
    more = f" ({counted(len(unreadable) - 1, 'more file')} like it)" if len(unreadable) > 1 else ""
    return f"; {unreadable_photo_problem(unreadable[0])}{more}"
