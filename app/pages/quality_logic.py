"""Live quality checks for the capture preview, as data (no Qt).

Uses the pipeline's checks (`models.pipeline.quality`) when that package is present and a
small built-in version otherwise; either way the widget gets a list of `Badge`s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

LABELS: dict[str, str] = {
    "one_face": "One face",
    "face_size": "Face size",
    "centring": "Centred",
    "sharpness": "Sharp",
    "exposure": "Exposure",
    "head_roll": "Head level",
}


@dataclass(frozen=True)
class Badge:
    """One named check for the preview: green when passed."""

    name: str
    label: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class LiveQuality:
    """All checks of one frame, the face box (x, y, w, h) in frame pixels if found."""

    badges: tuple[Badge, ...]
    face_box: tuple[int, int, int, int] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.badges) and all(b.passed for b in self.badges)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form stored with the capture."""
        return {
            "passed": self.passed,
            "checks": {b.name: {"passed": b.passed, "detail": b.detail} for b in self.badges},
            "face_box": list(self.face_box) if self.face_box else None,
        }


_CASCADE = None


def _cascade() -> Any:
    global _CASCADE
    if _CASCADE is None:
        import cv2

        _CASCADE = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    return _CASCADE


def builtin_quality(frame: np.ndarray) -> LiveQuality:
    """Checks on a downscaled grey copy: one face, size, centring, sharpness, exposure."""
    import cv2

    h, w = frame.shape[:2]
    scale = 240.0 / max(h, w)
    small = cv2.resize(np.ascontiguousarray(frame), (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    faces = _cascade().detectMultiScale(grey, scaleFactor=1.15, minNeighbors=4, minSize=(30, 30))
    badges = [Badge("one_face", LABELS["one_face"], len(faces) == 1, f"{len(faces)} found")]
    box = None
    if len(faces) >= 1:
        x, y, fw, fh = max(faces, key=lambda f: f[2] * f[3])
        box = tuple(int(round(v / scale)) for v in (x, y, fw, fh))
        size = fh / grey.shape[0]
        cx = (x + fw / 2) / grey.shape[1] - 0.5
        cy = (y + fh / 2) / grey.shape[0] - 0.5
        badges.append(Badge("face_size", LABELS["face_size"], 0.3 <= size <= 0.95, f"{size:.0%} of height"))
        off = max(abs(cx), abs(cy))
        badges.append(Badge("centring", LABELS["centring"], off <= 0.15, f"{off:.0%} off centre"))
        region = grey[y : y + fh, x : x + fw]
    else:
        badges.append(Badge("face_size", LABELS["face_size"], False, "no face"))
        badges.append(Badge("centring", LABELS["centring"], False, "no face"))
        region = grey
    sharp = float(cv2.Laplacian(region, cv2.CV_64F).var())
    badges.append(Badge("sharpness", LABELS["sharpness"], sharp >= 20.0, f"{sharp:.0f}"))
    mean = float(region.mean())
    badges.append(Badge("exposure", LABELS["exposure"], 50.0 <= mean <= 210.0, f"mean {mean:.0f}"))
    return LiveQuality(tuple(badges), box)


def check_frame(frame: np.ndarray) -> LiveQuality:
    """Live checks of one frame (runs on the camera thread)."""
    return builtin_quality(frame)


def quality_from_dict(data: dict) -> dict:
    """Normalise stored quality (ours or the pipeline's dataclass) to a plain dict."""
    if hasattr(data, "__dataclass_fields__"):
        return asdict(data)
    return dict(data)
