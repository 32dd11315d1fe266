"""Live quality checks for the capture preview, as data (no Qt).

The checks and thresholds are the pipeline's (`models.pipeline.quality`); this module turns
them into `Badge`s for the preview and a plain dict stored with each capture.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

LABELS: dict[str, str] = {
    "one_face": "One face",
    "face_size": "Face size",
    "face_resolution": "Resolution",
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


def live_quality(report: Any, face_box: tuple[int, int, int, int] | None) -> LiveQuality:
    """Badges from the pipeline's QualityReport (names as in `LABELS`)."""
    badges = tuple(
        Badge(c.name, LABELS.get(c.name, c.name.replace("_", " ").capitalize()), bool(c.passed), c.message)
        for c in report.checks
    )
    return LiveQuality(badges, face_box)


def check_frame(frame: np.ndarray, input_size: int | None = None) -> LiveQuality:
    """Live checks of one frame with the pipeline's thresholds (runs on the camera thread).
    With the model's `input_size`, "Resolution" checks that the face has the pixels the
    analysis needs, as the analysis does (`models.pipeline.assess`)."""
    from models.pipeline.face import detect_faces
    from models.pipeline.quality import check_quality

    faces = detect_faces(frame)
    box = tuple(int(v) for v in faces[0]) if faces else None
    return live_quality(check_quality(frame, faces, input_size=input_size), box)


def blank_picture(frame: np.ndarray, camera: bool = True) -> str | None:
    """What to say of a frame with nothing in it (black, white, one even shade:
    `quality.blank_kind`), else None: such a frame is never taken as a photo. The words fit the
    source: a lens cap or a privacy shutter for a `camera`, the file for a photo folder or video."""
    from models.pipeline.quality import BLANK_FILE_TEXTS, BLANK_TEXTS, blank_kind

    kind = blank_kind(frame)
    if kind is None:
        return None
    return (BLANK_TEXTS if camera else BLANK_FILE_TEXTS)[kind]


def in_file_words(quality: LiveQuality) -> LiveQuality:
    """`quality` with a blank picture's exposure words for a photo folder or a video (the
    file's, as `blank_picture(camera=False)` says them): the pipeline's check names a lens cap or
    a privacy shutter, and the live badge said so of a black photo in a folder."""
    from models.pipeline.quality import BLANK_FILE_TEXTS, BLANK_TEXTS

    file_words = {BLANK_TEXTS[kind]: BLANK_FILE_TEXTS[kind] for kind in BLANK_TEXTS}
    badges = tuple(replace(b, detail=file_words[b.detail]) if b.name == "exposure" and b.detail in file_words else b
                   for b in quality.badges)
    return replace(quality, badges=badges) if badges != quality.badges else quality


@dataclass
class LiveChecks:
    """`check_frame` with the loaded model's input size (None while no model is loaded): the
    camera thread calls it for each frame and the photo saver for each photo, and the page sets
    `input_size` as a model loads (a low-resolution camera passed every live badge, then the
    analysis flagged each photo: "the face is only 76 px across")."""

    input_size: int | None = None
    # the frames come from a camera (False: a photo folder or a video, `capture_logic.file_source`):
    # a blank picture's words name the lens cap or the file (`blank_picture`); set as a source opens
    camera: bool = True

    def __call__(self, frame: np.ndarray) -> LiveQuality:
        quality = check_frame(frame, self.input_size)
        return quality if self.camera else in_file_words(quality)

    def record(self, rgb: np.ndarray) -> dict:
        """The quality record stored with a photo: these checks run on the photo itself."""
        return self(rgb).to_dict()
