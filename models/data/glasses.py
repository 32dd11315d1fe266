"""Wire-rim glasses drawn on a training face around its labelled eyes (stage-1 augmentation).

Few training faces wear glasses, and on the FASSEG hold-out E1 loses the eyes of the person
who does (docs/train.md, "Where the FASSEG points go"). This draws thin rims, a bridge and
temples on a photo from the eye pixels of its mask; the mask is left as it is, as FASSEG
labels its glasses wearer (the thin frames carry the label of what lies under them).
"""

from __future__ import annotations

import cv2
import numpy as np

from models.errors import InputError

MIN_EYE_PIXELS = 4
# Frame colours (RGB): black, dark brown, gunmetal, silver, gold.
FRAME_COLOURS = ((25, 25, 28), (70, 45, 30), (90, 92, 98), (175, 178, 182), (185, 155, 90))


def check_glasses_fraction(p: float) -> None:
    """InputError unless `p` (the `--glasses` fraction of training faces) lies in [0, 1]."""
    if not 0.0 <= p <= 1.0:
        raise InputError(f"--glasses {p:g} must be a fraction from 0 to 1")


def _eye_centres(eyes: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """(centre xy, half width) of the two largest eye regions, left to right in the image."""
    count, _, stats, centroids = cv2.connectedComponentsWithStats(eyes.astype(np.uint8), connectivity=8)
    found = [(int(stats[k, cv2.CC_STAT_AREA]), centroids[k], stats[k, cv2.CC_STAT_WIDTH] / 2.0) for k in range(1, count)
             if stats[k, cv2.CC_STAT_AREA] >= MIN_EYE_PIXELS]
    found = sorted(found, key=lambda f: f[0], reverse=True)[:2]
    return [(np.asarray(c, dtype=np.float64), float(w)) for _, c, w in sorted(found, key=lambda f: f[1][0])]


def draw_glasses(image: np.ndarray, mask: np.ndarray, eye_labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A copy of `image` (H x W x 3 uint8) wearing glasses around the pixels of `mask` whose
    label is in `eye_labels`; `image` itself when the mask shows no eye."""
    eyes = _eye_centres(np.isin(mask, eye_labels))
    if not eyes:
        return image
    if len(eyes) == 2:
        (left, _), (right, _) = eyes
        distance = float(np.linalg.norm(right - left))
        half_width = distance * rng.uniform(0.30, 0.42)
        angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    else:  # one eye seen (a turned head): size the rim from the eye itself
        half_width = eyes[0][1] * rng.uniform(1.2, 1.6)
        distance, angle = half_width / 0.36, 0.0
    half_width = max(half_width, 3.0)
    half_height = half_width * rng.uniform(0.65, 0.9)
    drop = half_height * rng.uniform(-0.05, 0.15)  # rims sit a little below the eyes' centre line
    thickness = max(1, int(round(distance * rng.uniform(0.012, 0.045))))
    colour = tuple(int(np.clip(c + rng.normal(0, 8), 0, 255)) for c in FRAME_COLOURS[int(rng.integers(len(FRAME_COLOURS)))])
    out = image.copy()
    theta = np.radians(angle)
    along, down = np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
    centres = [centre + down * drop for centre, _ in eyes]
    if rng.random() < 0.5:  # a faint reflection on the lenses
        lenses = np.zeros(image.shape[:2], np.uint8)
        for c in centres:
            cv2.ellipse(lenses, _point(c), _axes(half_width, half_height), angle, 0, 360, 1, -1, cv2.LINE_AA)
        alpha = rng.uniform(0.03, 0.10)
        out = np.where(lenses[..., None] > 0, out * (1 - alpha) + 255 * alpha, out).astype(np.uint8)
    for c in centres:
        cv2.ellipse(out, _point(c), _axes(half_width, half_height), angle, 0, 360, colour, thickness, cv2.LINE_AA)
    if len(centres) == 2:
        top = -down * half_height * 0.3
        cv2.line(out, _point(centres[0] + along * half_width + top), _point(centres[1] - along * half_width + top),
                 colour, thickness, cv2.LINE_AA)
        reach = distance * rng.uniform(0.25, 0.5)
        for c, sign in ((centres[0], -1.0), (centres[1], 1.0)):
            start = c + sign * along * half_width + top
            cv2.line(out, _point(start), _point(start + sign * along * reach), colour, thickness, cv2.LINE_AA)
    return out


def _point(xy: np.ndarray) -> tuple[int, int]:
    return int(round(float(xy[0]))), int(round(float(xy[1])))


def _axes(half_width: float, half_height: float) -> tuple[int, int]:
    return max(1, int(round(half_width))), max(1, int(round(half_height)))
