"""Capture quality checks as data (DESIGN §1 step 2): one face, size, resolution (when the
network's input size is known), centring, sharpness, exposure and head roll. The capture wizard shows them as badges; `assess` records them.

Each check gives its measured value, the threshold it was compared with and whether it
passed. Thresholds live in `QualityThresholds`, a frozen dataclass with declared ranges.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import cv2
import numpy as np

from models.labels import CLASS_INDEX
from models.pipeline.face import Box, detect_faces, to_grey

# Declared (low, high) range of each threshold; the GUI's Settings page uses them too.
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "min_face_fraction": (0.05, 0.9),
    "max_face_fraction": (0.2, 1.0),
    "max_centre_offset": (0.02, 0.5),
    "min_sharpness": (0.0, 2000.0),
    "min_brightness": (0.0, 128.0),
    "max_brightness": (128.0, 255.0),
    "max_clipped_fraction": (0.0, 1.0),
    "max_roll_degrees": (1.0, 45.0),
    "min_face_resolution": (0.1, 2.0),
}

# A picture with no face in it is blank when its grey hardly varies (a lens cap, a privacy
# shutter, a covered lens) or is black or white all over: the exposure check says so, where it
# said "no face to measure" and the therapist looked at the patient's position.
BLANK_SPREAD = 3.0  # standard deviation of the picture's grey under this: one even shade
BLACK_MEAN, WHITE_MEAN = 5.0, 250.0  # mean grey under / over this: black / white, whatever the spread
DARK_MEAN, LIGHT_MEAN = 64.0, 192.0  # one even shade under / over this is called black / white
BLANK_SAMPLES = 40_000  # pixels looked at (evenly spread): a 4K frame is measured as fast as a small one
BLANK_TEXTS: dict[str, str] = {  # the exposure check's message for each kind of blank picture
    "black": "the picture is black: open the camera's privacy shutter or remove the lens cap",
    "white": "the picture is white: too much light or a covered lens",
    "even": "the picture is one even shade with nothing in it: check that nothing covers the lens",
}
# the same for a photo folder or a video file, where no lens or shutter is to blame: the file is
BLANK_FILE_TEXTS: dict[str, str] = {
    "black": "the picture is all black: replace the photo (or the video) with one that shows the face, then press Retry",
    "white": "the picture is all white: replace the photo (or the video) with one that shows the face, then press Retry",
    "even": "the picture is one even shade with nothing in it: replace the photo (or the video) with one that "
            "shows the face, then press Retry",
}


@dataclass(frozen=True)
class QualityThresholds:
    """Limits for the capture checks; construction fails outside THRESHOLD_RANGES."""

    min_face_fraction: float = 0.25  # face box side / shorter frame side
    max_face_fraction: float = 0.85
    max_centre_offset: float = 0.15  # face centre distance from frame centre / shorter side
    min_sharpness: float = 20.0  # variance of the Laplacian of the face at 256 px wide (LFW median 51, sigma-2 blur 17)
    min_brightness: float = 50.0  # mean grey of the face
    max_brightness: float = 210.0
    max_clipped_fraction: float = 0.05  # share of face pixels at 0-4 or 251-255
    max_roll_degrees: float = 8.0  # tilt of the line through the eyes
    # face box side / the network's input side: with the crop twice the box, a smaller face is
    # enlarged for the network (a 64 x 90 px photo was graded with no warning)
    min_face_resolution: float = 0.5

    def __post_init__(self) -> None:
        for f in fields(self):
            low, high = THRESHOLD_RANGES[f.name]
            value = getattr(self, f.name)
            if not low <= value <= high:
                raise ValueError(f"quality threshold {f.name}={value} is outside its range {low}..{high}")
        if self.min_face_fraction >= self.max_face_fraction:
            raise ValueError("min_face_fraction must be below max_face_fraction")
        if self.min_brightness >= self.max_brightness:
            raise ValueError("min_brightness must be below max_brightness")


@dataclass(frozen=True)
class QualityCheck:
    """One check: the measured value (None when it could not be measured) against its threshold."""

    name: str
    value: float | None
    threshold: str  # human-readable, e.g. "== 1", ">= 40", "0.25 .. 0.85"
    passed: bool
    message: str


@dataclass(frozen=True)
class QualityReport:
    """All checks of one frame, in display order."""

    checks: tuple[QualityCheck, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]

    def get(self, name: str) -> QualityCheck:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_dict(self) -> dict:
        """JSON form: {"passed": bool, "checks": {name: {value, threshold, passed, message}}}."""
        return {
            "passed": self.passed,
            "checks": {c.name: {k: v for k, v in asdict(c).items() if k != "name"} for c in self.checks},
        }


def sharpness(grey_face: np.ndarray) -> float:
    """Variance of the Laplacian, computed at a fixed 256 px width so it is scale-free."""
    h, w = grey_face.shape[:2]
    if w == 0 or h == 0:
        return 0.0
    resized = cv2.resize(grey_face, (256, max(1, round(h * 256 / w))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(resized, cv2.CV_64F).var())


def roll_from_mask(mask: np.ndarray) -> float | None:
    """Head roll in degrees from the eye centroids of a parsing mask (None without both eyes).

    Positive means the subject's left eye (image right) is lower than the right eye.
    """
    centres = []
    for name in ("right_eye", "left_eye"):
        ys, xs = np.nonzero(mask == CLASS_INDEX[name])
        if len(xs) < 3:
            return None
        centres.append((xs.mean(), ys.mean()))
    (xr, yr), (xl, yl) = centres
    if xl <= xr:  # eyes swapped or merged: the frame is not usable for roll
        return None
    return math.degrees(math.atan2(yl - yr, xl - xr))


def roll_from_eyes(rgb: np.ndarray, face: Box) -> float | None:
    """Head roll in degrees from Haar eye detections in the upper face (None if not two eyes)."""
    if not hasattr(cv2, "CascadeClassifier"):
        return None
    from models.pipeline.face import CASCADE_LOCK, _cascade

    cascade = _cascade("haarcascade_eye.xml")
    if cascade is None:
        return None
    x, y, w, h = face
    upper = to_grey(rgb)[max(0, y) : max(0, y) + h // 2, max(0, x) : max(0, x) + w]
    if upper.size == 0:
        return None
    with CASCADE_LOCK:  # shared with other threads (`face.CASCADE_LOCK`)
        eyes = cascade.detectMultiScale(upper, 1.1, 5, minSize=(max(8, w // 10),) * 2)
    if len(eyes) < 2:
        return None
    eyes = sorted(eyes, key=lambda e: e[2] * e[3], reverse=True)[:2]
    (x1, y1), (x2, y2) = sorted((ex + ew / 2, ey + eh / 2) for ex, ey, ew, eh in eyes)
    return math.degrees(math.atan2(y2 - y1, x2 - x1))


def picture_levels(rgb: np.ndarray) -> tuple[float, float]:
    """The mean and the standard deviation of the grey of a whole RGB (or grey) uint8 frame,
    from about BLANK_SAMPLES evenly spread pixels."""
    h, w = rgb.shape[:2]
    if h == 0 or w == 0:
        return 0.0, 0.0
    step = max(1, round(math.sqrt(h * w / BLANK_SAMPLES)))
    sample = rgb[::step, ::step].astype(np.float32)
    if sample.ndim == 3:
        sample = sample @ np.array([0.299, 0.587, 0.114], np.float32) if sample.shape[2] == 3 else sample.mean(axis=2)
    return float(sample.mean()), float(sample.std())


def blank_kind(rgb: np.ndarray) -> str | None:
    """"black", "white" or "even" (a key of BLANK_TEXTS) for a frame with nothing in it, else None."""
    mean, spread = picture_levels(rgb)
    if mean < BLACK_MEAN or (spread < BLANK_SPREAD and mean < DARK_MEAN):
        return "black"
    if mean > WHITE_MEAN or (spread < BLANK_SPREAD and mean > LIGHT_MEAN):
        return "white"
    return "even" if spread < BLANK_SPREAD else None


def _no_face_exposure(rgb: np.ndarray) -> QualityCheck:
    """The exposure check of a frame with no face: whether the whole picture is blank (a lens
    cap or a privacy shutter), which is what keeps a face from being found."""
    kind = blank_kind(rgb)
    if kind is None:
        return QualityCheck("exposure", None, "needs a face", False, "no face to measure")
    mean, _spread = picture_levels(rgb)
    return QualityCheck("exposure", round(mean, 1), f"a picture, not one even shade (grey spread >= {BLANK_SPREAD:g})",
                        False, BLANK_TEXTS[kind])


def face_resolution_check(face_side: int, input_size: int, t: QualityThresholds) -> QualityCheck:
    """Whether the face box has at least `min_face_resolution` x the network's input side in
    pixels: below that the crop is enlarged and the network grades blur."""
    needed = t.min_face_resolution * input_size
    ok = face_side >= needed
    return QualityCheck(
        "face_resolution", float(face_side), f">= {needed:.0f} px", ok,
        "enough pixels" if ok else f"the face is only {face_side} px across: move closer or use a higher resolution",
    )


def check_quality(
    rgb: np.ndarray,
    faces: list[Box] | None = None,
    thresholds: QualityThresholds | None = None,
    roll_degrees: float | None = None,
    estimate_roll: bool = True,
    input_size: int | None = None,
) -> QualityReport:
    """Run every check on a full RGB frame.

    `faces` are the frame's detections (detected here when None). `roll_degrees` may come
    from the parsing mask (`roll_from_mask`); otherwise, with `estimate_roll`, it is
    estimated from Haar eye detections. An unmeasurable roll passes with a note. With the
    network's `input_size`, "face_resolution" checks the face has the pixels the network reads.
    """
    t = thresholds or QualityThresholds()
    if faces is None:
        faces = detect_faces(rgb)
    h, w = rgb.shape[:2]
    short = float(min(h, w))
    checks = [
        QualityCheck(
            "one_face", float(len(faces)), "== 1", len(faces) == 1,
            "one face" if len(faces) == 1 else ("no face found" if not faces else f"{len(faces)} faces found: only the patient in view"),
        )
    ]
    if not faces:
        names = ("face_size", "face_resolution") if input_size else ("face_size",)
        for name in (*names, "centring", "sharpness"):
            checks.append(QualityCheck(name, None, "needs a face", False, "no face to measure"))
        checks.append(_no_face_exposure(rgb))
        checks.append(QualityCheck("head_roll", None, "needs a face", False, "no face to measure"))
        return QualityReport(tuple(checks))
    x, y, fw, fh = faces[0]
    size = max(fw, fh) / short
    checks.append(QualityCheck(
        "face_size", round(size, 3), f"{t.min_face_fraction:g} .. {t.max_face_fraction:g}",
        t.min_face_fraction <= size <= t.max_face_fraction,
        "good size" if t.min_face_fraction <= size <= t.max_face_fraction  # the failures say too small or too big
        else "the face is small in the photo: move closer" if size < t.min_face_fraction
        else "the face fills too much of the photo: move back",
    ))
    if input_size:
        checks.append(face_resolution_check(max(fw, fh), input_size, t))
    offset = math.hypot(x + fw / 2 - w / 2, y + fh / 2 - h / 2) / short
    checks.append(QualityCheck(
        "centring", round(offset, 3), f"<= {t.max_centre_offset:g}", offset <= t.max_centre_offset,
        "centred" if offset <= t.max_centre_offset else "centre the face in the guide",
    ))
    face_grey = to_grey(rgb)[max(0, y) : y + fh, max(0, x) : x + fw]
    sharp = sharpness(face_grey)
    checks.append(QualityCheck(
        "sharpness", round(sharp, 1), f">= {t.min_sharpness:g}", sharp >= t.min_sharpness,
        "sharp" if sharp >= t.min_sharpness else "blurred: hold still and check the focus",
    ))
    mean = float(face_grey.mean()) if face_grey.size else 0.0
    clipped = float(((face_grey <= 4) | (face_grey >= 251)).mean()) if face_grey.size else 1.0
    exposure_ok = t.min_brightness <= mean <= t.max_brightness and clipped <= t.max_clipped_fraction
    checks.append(QualityCheck(
        "exposure", round(mean, 1),
        f"{t.min_brightness:g} .. {t.max_brightness:g}, clipped <= {t.max_clipped_fraction:.0%}", exposure_ok,
        "well exposed" if exposure_ok
        else "too dark: add light" if mean < t.min_brightness
        else "too bright: reduce light" if mean > t.max_brightness
        else f"{clipped:.0%} of the face is clipped to black or white: even out the light",
    ))
    if roll_degrees is None and estimate_roll:
        roll_degrees = roll_from_eyes(rgb, faces[0])
    if roll_degrees is None:
        checks.append(QualityCheck("head_roll", None, f"<= {t.max_roll_degrees:g} deg", True, "roll not measurable (eyes not found)"))
    else:
        ok = abs(roll_degrees) <= t.max_roll_degrees
        checks.append(QualityCheck(
            "head_roll", round(roll_degrees, 1), f"<= {t.max_roll_degrees:g} deg", ok,
            "head level" if ok else "head tilted: keep the eyes level",
        ))
    return QualityReport(tuple(checks))
