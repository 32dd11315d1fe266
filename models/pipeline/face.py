"""Face detection and the square face crop the network sees (DESIGN §7 step 1).

Detection uses OpenCV's bundled Haar cascade (frontal face 'alt2'; the rig keeps heads
frontal), on a copy downscaled to 320 px, faces of at least 20 % of the shorter side.
The crop is a square of `crop_scale` x the detected box side, centred on the box; with the
default 2.0 a face fills about half the crop, the framing of the LFW parsing photos. A square
larger than the frame is shrunk to the frame's shorter side, and a square crossing an edge
slides back inside, so the crop holds no padding unless the frame is smaller than the face.

When no face is found the photo may still be a rig photo the cascade missed (strong
lighting, a hand near the face, a synthetic demo face): the crop falls back to the frame
centre with a warning, but only when the centre looks like skin with texture. The
criterion (see `looks_like_face_region`): at least 25 % of the central square's pixels in
the YCrCb skin range (Cr 133-173, Cb 77-127, Y > 40) AND a grey-level standard deviation of
at least 8 (a face has eyes, brows and a mouth). A blank page, a uniform skin-coloured
wall, random noise, a landscape or a greyscale document fail and are refused with an
InputError.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from models.errors import InputError

# (x, y, width, height) in pixels of the full frame.
Box = tuple[int, int, int, int]


# The 'alt2' frontal cascade: on 150 synthetic rig photos it found the face in 148 with no
# false box, where the 'default' cascade returned a small false box (an eye) in 4-6.
FACE_CASCADE = "haarcascade_frontalface_alt2.xml"


class NoFaceError(InputError):
    """No face was found and the image does not look like a face photo.

    The message names the photo and the figures that decided it (for the command line and the
    log); `expression` (set by the pipeline) and `advice` let a GUI say it in plain words."""

    advice = "use a frontal photo of the face, evenly lit, filling about half the frame"

    def __init__(self, message: str, photo: str = "", expression: str | None = None) -> None:
        super().__init__(message)
        self.photo = photo
        self.expression = expression


@dataclass(frozen=True)
class FaceCropSettings:
    """How faces are searched for and cropped. Ranges are checked on construction."""

    crop_scale: float = 2.0  # crop side / detected box side, 1.2 .. 3.0
    detect_max_side: int = 320  # frames are downscaled to this longest side to detect, 160 .. 2000
    min_face_fraction: float = 0.2  # smallest face side / shorter frame side searched, 0.05 .. 0.9
    min_neighbors: int = 3  # Haar cascade votes, 1 .. 20
    min_skin_fraction: float = 0.25  # fallback criterion, 0 .. 1
    min_texture_std: float = 8.0  # fallback criterion, 0 .. 128

    def __post_init__(self) -> None:
        _check_range("crop_scale", self.crop_scale, 1.2, 3.0)
        _check_range("detect_max_side", self.detect_max_side, 160, 2000)
        _check_range("min_face_fraction", self.min_face_fraction, 0.05, 0.9)
        _check_range("min_neighbors", self.min_neighbors, 1, 20)
        _check_range("min_skin_fraction", self.min_skin_fraction, 0.0, 1.0)
        _check_range("min_texture_std", self.min_texture_std, 0.0, 128.0)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name}={value} is outside its range {low}..{high}")


@dataclass
class FaceCrop:
    """The network's input for one photo and how it was obtained."""

    image: np.ndarray  # size x size x 3 RGB uint8
    box: Box  # detected face box in the frame, or the fallback square
    crop_box: Box  # the square cut from the frame (may extend past its edges: padded)
    faces: list[Box] = field(default_factory=list)  # every detection, largest first
    detected: bool = True
    warning: str | None = None


# One cascade object serves every thread, and OpenCV's cascade is not safe to run from two at
# once (opencv#4287): the capture page's live check and its check of each saved photo run on
# two threads, and 33 of 160 calls made in parallel returned another face box.
CASCADE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def _cascade(name: str) -> cv2.CascadeClassifier | None:
    """The bundled cascade, loaded once; None when this OpenCV build lacks it.

    The XML is read by Python and parsed from memory: OpenCV's own file functions cannot open
    a path with non-ASCII characters on Windows (an app unzipped under C:/Users/José found no
    face). Same classifier, same detections as `cv2.CascadeClassifier(path)`."""
    if not hasattr(cv2, "CascadeClassifier") or not hasattr(cv2, "data"):
        return None
    try:
        text = Path(cv2.data.haarcascades, name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    classifier = cv2.CascadeClassifier()
    try:
        storage = cv2.FileStorage(text, cv2.FILE_STORAGE_READ | cv2.FILE_STORAGE_MEMORY)
        try:
            loaded = classifier.read(storage.getFirstTopLevelNode())
        finally:
            storage.release()
    except cv2.error:  # a damaged or old-format file
        return None
    return classifier if loaded and not classifier.empty() else None


def face_detector_available() -> bool:
    """True when OpenCV ships the Haar cascade (opencv-python < 5)."""
    return _cascade(FACE_CASCADE) is not None


def to_grey(rgb: np.ndarray) -> np.ndarray:
    """RGB uint8 -> grey uint8."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def detect_faces(rgb: np.ndarray, settings: FaceCropSettings | None = None) -> list[Box]:
    """Frontal faces in an RGB frame, largest first, in full-frame pixel coordinates."""
    settings = settings or FaceCropSettings()
    cascade = _cascade(FACE_CASCADE)
    if cascade is None:
        return []
    grey = to_grey(rgb)
    h, w = grey.shape
    scale = min(1.0, settings.detect_max_side / max(h, w))
    if scale < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(grey)
    min_side = max(20, int(settings.min_face_fraction * min(grey.shape)))
    with CASCADE_LOCK:
        found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=settings.min_neighbors,
                                         minSize=(min_side, min_side))
    boxes = [tuple(int(round(v / scale)) for v in box) for box in (found if len(found) else [])]
    return _plausible(sorted(boxes, key=lambda b: b[2] * b[3], reverse=True))


SECONDARY_MIN_RATIO = 0.5  # a second face counts only if its side is >= half the largest's


def _plausible(boxes: list[Box]) -> list[Box]:
    """Drop boxes nested in a larger one (the same face found twice) and boxes under half
    the largest face's side: with the sensitive settings above those are the cascade's false
    alarms (an eye, a shoulder) in rig photos, not a second person."""
    kept: list[Box] = []
    for box in boxes:
        x, y, w, h = box
        cx, cy = x + w / 2.0, y + h / 2.0
        if kept and w < SECONDARY_MIN_RATIO * kept[0][2]:
            continue
        if any(kx <= cx <= kx + kw and ky <= cy <= ky + kh for kx, ky, kw, kh in kept):
            continue
        kept.append(box)
    return kept


def skin_fraction(rgb: np.ndarray) -> float:
    """Share of pixels in the classic YCrCb skin range (works across skin tones)."""
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    y, cr, cb = ycrcb[..., 0], ycrcb[..., 1], ycrcb[..., 2]
    skin = (y > 40) & (cr >= 133) & (cr <= 173) & (cb >= 77) & (cb <= 127)
    return float(skin.mean()) if skin.size else 0.0


def central_square(rgb: np.ndarray, fraction: float = 0.5) -> np.ndarray:
    """The central square whose side is `fraction` of the shorter frame side."""
    h, w = rgb.shape[:2]
    side = max(1, int(min(h, w) * fraction))
    y0, x0 = (h - side) // 2, (w - side) // 2
    return rgb[y0 : y0 + side, x0 : x0 + side]


def looks_like_face_region(rgb: np.ndarray, settings: FaceCropSettings | None = None) -> tuple[bool, float, float]:
    """(passes, skin fraction, grey std) of the frame's central square; see the module doc."""
    settings = settings or FaceCropSettings()
    centre = central_square(rgb)
    skin = skin_fraction(centre)
    texture = float(to_grey(centre).std())
    return skin >= settings.min_skin_fraction and texture >= settings.min_texture_std, skin, texture


def square_around(box: Box, scale: float) -> Box:
    """The square of side `scale` x the box's longer side, centred on the box."""
    x, y, w, h = box
    side = max(1, int(round(max(w, h) * scale)))
    cx, cy = x + w / 2.0, y + h / 2.0
    return int(round(cx - side / 2.0)), int(round(cy - side / 2.0)), side, side


def keep_inside(square: Box, width: int, height: int) -> Box:
    """Shrink the square to the frame's shorter side if needed and slide it inside the frame,
    so the network sees photo, not padding (training photos have no black borders)."""
    x, y, side, _ = square
    side = min(side, width, height)
    x = min(max(x, 0), width - side)
    y = min(max(y, 0), height - side)
    return x, y, side, side


def cut_square(rgb: np.ndarray, square: Box, size: int) -> np.ndarray:
    """Cut `square` from the frame (zero padding outside it) and resize to size x size."""
    x, y, side, _ = square
    h, w = rgb.shape[:2]
    pad = max(0, -x, -y, x + side - w, y + side - h)
    if pad:
        rgb = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        x, y = x + pad, y + pad
    patch = rgb[y : y + side, x : x + side]
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return np.ascontiguousarray(cv2.resize(patch, (size, size), interpolation=interpolation))


def crop_face(rgb: np.ndarray, size: int, settings: FaceCropSettings | None = None, name: str = "photo") -> FaceCrop:
    """Detect the face and return the square crop resized to `size`.

    Falls back to the frame centre with a warning when no face is detected but the centre
    looks like a face region; raises NoFaceError (an InputError) otherwise.
    """
    settings = settings or FaceCropSettings()
    faces = detect_faces(rgb, settings)
    if faces:
        square = keep_inside(square_around(faces[0], settings.crop_scale), rgb.shape[1], rgb.shape[0])
        return FaceCrop(cut_square(rgb, square, size), faces[0], square, faces)
    ok, skin, texture = looks_like_face_region(rgb, settings)
    if not ok:
        raise NoFaceError(
            f"no face found in {name} (skin-coloured share of the centre {skin:.0%}, texture {texture:.1f}); "
            f"{NoFaceError.advice}",
            photo=name,
        )
    h, w = rgb.shape[:2]
    side = min(h, w)
    box = ((w - side) // 2, (h - side) // 2, side, side)
    reason = "face detector unavailable" if not face_detector_available() else "no face detected"
    return FaceCrop(
        cut_square(rgb, box, size), box, box, [], detected=False,
        warning=f"{name}: {reason}; used the centre of the frame - check the crop",
    )
