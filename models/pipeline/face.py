"""Face detection and the square face crop the network sees (DESIGN §7 step 1).

Detection uses OpenCV's bundled Haar cascade (frontal face 'alt2'; the rig keeps heads
frontal), on a copy downscaled to 320 px, faces of at least 20 % of the shorter side,
equalised first and, when that finds nothing, as it is (a plain wall washes the face out of
an equalised frame). The crop is a square of `crop_scale` x the face box side, centred on the
box; with the default 2.0 a face fills about half the crop, the framing of the LFW parsing
photos. The frame and its mirror are both searched, the face chosen from both searches alike
and its box averaged with the other search's (`find_face`), and the square placed
mirror-exactly, so a mirrored photo gets the mirrored crop (the cascade alone is not
symmetric). A square larger than the frame is shrunk to the frame's shorter side, still
centred on the face across the frame, and a square crossing an edge is moved back inside, so
the crop holds no padding unless the frame is smaller than the face.

When no face is found, a face down to 7 % of the shorter side is looked for: one found is
refused as too small (FaceTooSmallError), unless the frame's centre looks like a face region
and the box does not stand out from its surroundings (a false box inside an extreme close-up,
`_plausibly_whole_face`). Otherwise the photo may still be a rig photo the
cascade missed (strong lighting, a hand near the face, a synthetic demo face): the crop
falls back to the frame centre with a warning, but only when the centre looks like skin
with texture. The
criterion (see `looks_like_face_region`): at least 25 % of the central square's pixels in
the YCrCb skin range (Cr 133-173, Cb 77-127, Y > 40) AND a grey-level standard deviation of
at least 8 (a face has eyes, brows and a mouth). A blank page, a uniform skin-coloured
wall, random noise or a greyscale document fail and are refused with an InputError; so is a
photo longer than 3:1 (a banner or a squashed image is no camera frame). Sand, beige brick
and wood pass that test, so the pipeline confirms a fallback crop with the face parser's
mask of it (`confirm_parsed_face`: a nose and skin) and refuses it when they are missing.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from models.errors import InputError
from models.labels import CLASS_INDEX

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


class FaceTooSmallError(NoFaceError):
    """A face was found, but too small in the frame to crop and grade."""

    advice = "move the camera closer or crop the photo, so the face fills about half the frame"


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
    """Frontal faces in an RGB frame, largest first, in full-frame pixel coordinates.

    The frame is searched equalised first; only when that finds nothing, again as it is, with
    stricter votes: a plain wall filling most of the frame dominates the histogram, and
    equalising it washes the face out (a FASSEG face on a beige wall was found only without)."""
    return _detect(to_grey(rgb), settings or FaceCropSettings())


def _detect(grey: np.ndarray, settings: FaceCropSettings) -> list[Box]:
    """`detect_faces` of the frame's grey copy."""
    strict = settings.min_neighbors + SECOND_SEARCH_EXTRA_NEIGHBORS
    return _search(grey, settings.min_face_fraction, settings.detect_max_side,
                   ((True, settings.min_neighbors), (False, strict)))


# Searches made only when the first found nothing ask for this many more cascade votes: on
# FASSEG faces turned 30-45 degrees they returned false boxes (a forehead, a nose and mouth,
# a cheek) that 5 more votes removed, while faces on a plain wall kept their box up to 8 more.
SECOND_SEARCH_EXTRA_NEIGHBORS = 5
# Searched only when no face of `min_face_fraction` was found, to say "too small" rather than
# grade the frame centre: a face down to 7 % of the shorter side, on a copy of at least 640 px
# (at 320 px such a face is under the cascade's 20 px window).
SMALL_FACE_FRACTION = 0.07
SMALL_FACE_DETECT_SIDE = 640


def detect_small_faces(rgb: np.ndarray, settings: FaceCropSettings | None = None) -> list[Box]:
    """Faces down to SMALL_FACE_FRACTION of the shorter side, largest first (see `crop_face`)."""
    return _detect_small(to_grey(rgb), settings or FaceCropSettings())


def _detect_small(grey: np.ndarray, settings: FaceCropSettings) -> list[Box]:
    """`detect_small_faces` of the frame's grey copy."""
    strict = settings.min_neighbors + SECOND_SEARCH_EXTRA_NEIGHBORS
    return _search(grey, min(SMALL_FACE_FRACTION, settings.min_face_fraction),
                   max(settings.detect_max_side, SMALL_FACE_DETECT_SIDE), ((True, strict), (False, strict)))


def _search(grey: np.ndarray, min_fraction: float, max_side: int, passes: tuple[tuple[bool, int], ...]) -> list[Box]:
    """The cascade on the grey frame downscaled to `max_side`, one pass per (equalised, votes)
    until a pass finds a face."""
    cascade = _cascade(FACE_CASCADE)
    if cascade is None:
        return []
    h, w = grey.shape
    scale = min(1.0, max_side / max(h, w))
    if scale < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    min_side = max(20, int(min_fraction * min(grey.shape)))
    for equalise, neighbours in passes:
        prepared = cv2.equalizeHist(grey) if equalise else grey
        with CASCADE_LOCK:
            found = cascade.detectMultiScale(prepared, scaleFactor=1.1, minNeighbors=neighbours,
                                             minSize=(min_side, min_side))
        if len(found):
            boxes = [tuple(int(round(v / scale)) for v in box) for box in found]
            return _plausible(sorted(boxes, key=lambda b: b[2] * b[3], reverse=True))
    return []


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


def find_face(grey: np.ndarray, settings: FaceCropSettings) -> tuple[tuple[float, float, float, float], list[Box]] | None:
    """The face box to crop, mirror-averaged, and the faces found (that box first); None when
    neither the frame nor its mirror shows a face. `grey` is the frame's grey copy (`to_grey`:
    flipping it is a third of flipping the RGB).

    The cascade is not mirror-symmetric, so the frame and its mirror are both searched and the
    face is chosen the same way whichever way the photo faces: the larger of the two searches'
    first faces, averaged with the other search's face that overlaps it best (`_averaged`).
    Choosing from the frame's own search first cropped one synthetic patient's closed-eyes
    photo on the whole face (152 px) and its mirror on a 63-px false box, where the mirrored
    search missed the face: the mirrored photo was graded II, the photo I."""
    width = grey.shape[1]
    own = _detect(grey, settings)
    backs = [(width - mx - mw, my, mw, mh) for mx, my, mw, mh in _detect(np.ascontiguousarray(grey[:, ::-1]), settings)]
    if not own and not backs:
        return None
    if not own or (backs and _rank(backs[0], width) > _rank(own[0], width)):
        box = _averaged(backs[0], own)
    else:
        box = _averaged(own[0], backs)
    found = tuple(int(round(v)) for v in box)
    return box, _plausible([found, *own])  # the frame's own faces nested in the chosen one are that face


def _rank(box: Box, width: int) -> tuple[int, float]:
    """How a search's first face ranks against the other's: the larger, then (equal sizes) the
    nearer the frame's vertical centre line; both the same for a box and its mirror image."""
    x, _, w, h = box
    return w * h, -abs(x + w / 2.0 - width / 2.0)


def _averaged(box: Box, other_search: list[Box]) -> tuple[float, float, float, float]:
    """`box` averaged with the other search's face that overlaps it best: a synthetic patient's
    face box moved by up to 6 px when the photo was mirrored, the crops differed by 13 grey
    levels and the measured grade went from II (affected left) to I; the average is the same
    box, mirrored, for the mirrored photo. The best-overlapping face, not the largest: with two
    faces of similar size the other search may rank the other person first. Without a matching
    face (another face, or a false box) the box is kept."""
    match = max(other_search, key=lambda b: _overlap(box, b), default=None)
    if match is None or _overlap(box, match) < 0.5:
        return tuple(float(v) for v in box)
    return tuple((a + b) / 2.0 for a, b in zip(box, match, strict=True))


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes."""
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def square_in_frame(box: tuple[float, ...], scale: float, width: int, height: int) -> Box:
    """The square of side `scale` x the box's longer side, centred on the box, shrunk to the
    frame's shorter side if larger and moved inside the frame, so the network sees photo, not
    padding (training photos have no black borders). Mirror-exact: a mirrored box in a mirrored
    frame gets exactly the mirrored square. Across the frame the square is centred on the box
    after shrinking (not slid from where the larger square began) and its left edge rounds to
    the nearest pixel with ties toward the frame's centre; down the frame it keeps the larger
    square's top edge, slid inside."""
    x, y, w, h = box
    full = max(1, int(round(max(w, h) * scale)))
    side = min(full, width, height)
    slack = width - side
    left = x + w / 2.0 - side / 2.0
    if slack % 2 and left == slack / 2.0:  # centred on a half pixel: one pixel less is centred
        side -= 1
        slack += 1
        left += 0.5
    x0 = _round_toward(left, slack / 2.0)
    y0 = int(round(y + h / 2.0 - full / 2.0))
    return min(max(x0, 0), slack), min(max(y0, 0), height - side), side, side


def _round_toward(value: float, centre: float) -> int:
    """The nearest integer; a tie (x.5) goes toward `centre`."""
    low = math.floor(value)
    if value - low != 0.5:
        return int(round(value))
    return low + 1 if value < centre else low


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


# A small face's box holds eyes, brows and a mouth against a plainer background: its grey
# standard deviation was at least 1.33 x that of the square 3 x its side around it for 22
# FASSEG faces (70-110 px) on a skin-coloured wall; the false boxes inside 3 close-ups (LFW,
# FASSEG faces filling more than the frame) had 0.38-1.0: a patch of cheek among the features.
SMALL_FACE_MIN_CONTRAST = 1.2


def _plausibly_whole_face(rgb: np.ndarray, grey: np.ndarray, box: Box, settings: FaceCropSettings) -> bool:
    """Whether a small-face box found in a frame without a larger face is a whole face, not a
    false box inside a close-up: true when the frame's centre does not look like a face region
    (no close-up then), or when the box stands out from its surroundings in texture."""
    if not looks_like_face_region(rgb, settings)[0]:
        return True
    height, width = grey.shape
    x, y, w, h = box
    half = 1.5 * max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0
    x0, y0 = int(max(0, cx - half)), int(max(0, cy - half))
    x1, y1 = int(min(width, cx + half)), int(min(height, cy + half))
    around = np.ones((y1 - y0, x1 - x0), dtype=bool)
    around[max(0, y - y0) : y + h - y0, max(0, x - x0) : x + w - x0] = False
    surroundings = grey[y0:y1, x0:x1][around]
    inside = float(grey[y : y + h, x : x + w].std())
    return surroundings.size == 0 or inside >= SMALL_FACE_MIN_CONTRAST * float(surroundings.std())


def crop_face(rgb: np.ndarray, size: int, settings: FaceCropSettings | None = None, name: str = "photo") -> FaceCrop:
    """Detect the face and return the square crop resized to `size`.

    When no face is found, a finer search for smaller faces runs: a face found there (and not
    a false box inside a close-up, `_plausibly_whole_face`) raises FaceTooSmallError (the centre fallback would grade the wall around it: a FASSEG face on a
    beige wall passed the skin test). Otherwise falls back to the frame centre with a warning
    when the centre looks like a face region and the photo has a camera frame's shape; raises
    NoFaceError (an InputError) when not. The caller confirms a fallback crop with the face
    parser (`confirm_parsed_face`).
    """
    settings = settings or FaceCropSettings()
    grey = to_grey(rgb)
    chosen = find_face(grey, settings)
    if chosen is not None:
        box, faces = chosen
        square = square_in_frame(box, settings.crop_scale, rgb.shape[1], rgb.shape[0])
        return FaceCrop(cut_square(rgb, square, size), faces[0], square, faces)
    small = _detect_small(grey, settings)
    # Only a face smaller than the first search looked for counts: a larger box found here
    # alone is more often a false one (a cheek of a turned face) than a face the first missed.
    # And only a box that is plausibly the whole face: in a close-up (the face filling more
    # than the frame) the search finds a small false box inside the face, which the centre
    # fallback below grades better than a "move closer" would.
    if (small and max(small[0][2:]) < settings.min_face_fraction * min(rgb.shape[:2])
            and _plausibly_whole_face(rgb, grey, small[0], settings)):
        side = max(small[0][2:])
        raise FaceTooSmallError(
            f"the face is too small in {name} ({side} px across, {side / min(rgb.shape[:2]):.0%} of the shorter "
            f"side; at least {settings.min_face_fraction:.0%} needed): {FaceTooSmallError.advice}",
            photo=name,
        )
    _check_frame_shape(rgb, name)
    ok, skin, texture = looks_like_face_region(rgb, settings)
    if not ok:
        raise NoFaceError(
            f"no face found in {name} (skin-coloured share of the centre {skin:.0%}, texture {texture:.1f}); "
            f"{NoFaceError.advice}",
            photo=name,
        )
    h, w = rgb.shape[:2]
    side = min(h, w)
    side -= (w - side) % 2  # an even margin either side: the mirrored frame gets the mirrored square
    box = ((w - side) // 2, (h - side) // 2, side, side)
    reason = "face detector unavailable" if not face_detector_available() else "no face detected"
    return FaceCrop(
        cut_square(rgb, box, size), box, box, [], detected=False,
        warning=f"{name}: {reason}; used the centre of the frame - check the crop",
    )


# A camera frame is at most 16:9 (21:9 on a few phones); a photo longer than this without a
# face is a banner, a panorama or a squashed export: an 8000 x 200 strip of the demo face passed
# the skin test, and its centre, streaks, moved the patient's grade from III to IV.
MAX_FRAME_ASPECT = 3.0


def _check_frame_shape(rgb: np.ndarray, name: str) -> None:
    """NoFaceError for a photo too long and thin to be a camera frame (MAX_FRAME_ASPECT): its
    centre square is a slice of something, not a face the cascade missed."""
    h, w = rgb.shape[:2]
    if max(h, w) > MAX_FRAME_ASPECT * min(h, w):
        raise NoFaceError(
            f"no face found in {name} (the photo is {w} x {h} pixels, longer than {MAX_FRAME_ASPECT:g}:1, "
            f"and none detected); {NoFaceError.advice}",
            photo=name,
        )


# The face parser's (E1's) mask confirms a centre-fallback crop: every expression shows the nose
# and skin (closed eyes may parse as no eye). With the demo weights and the cascade made to find
# nothing, the six expressions of 41 synthetic patients (the demo patient among them) parsed a
# nose of at least 0.76 % of the crop and skin of at least 30 %, 40 real FASSEG photos 1.9 % and
# 37 %; a beach, a beige brick wall and a wooden door parsed no nose, a squashed strip 0.008 %.
MIN_PARSED_NOSE_SHARE = 0.001
MIN_PARSED_SKIN_SHARE = 0.10


def _parsed_face_shares(mask: np.ndarray) -> tuple[float, float]:
    """(nose share, skin share) of a face parser's class mask."""
    size = max(1, mask.size)
    return float((mask == CLASS_INDEX["nose"]).sum()) / size, float((mask == CLASS_INDEX["skin"]).sum()) / size


def confirm_parsed_face(mask: np.ndarray, name: str = "photo") -> None:
    """NoFaceError when the face parser's mask of a centre-fallback crop holds no nose or too
    little skin (MIN_PARSED_NOSE_SHARE, MIN_PARSED_SKIN_SHARE): the centre passed the skin and
    texture test, yet it is sand, brick or wood, not a face the cascade missed."""
    nose, skin = _parsed_face_shares(mask)
    if nose < MIN_PARSED_NOSE_SHARE or skin < MIN_PARSED_SKIN_SHARE:
        raise NoFaceError(
            f"no face found in {name} (none detected, and the face parser found no face at the centre of the "
            f"frame: nose {nose:.2%} of it, skin {skin:.0%}); {NoFaceError.advice}",
            photo=name,
        )
