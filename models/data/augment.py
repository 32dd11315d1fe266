"""Augmentation for parsing and grading samples (paper §IV, DESIGN §6).

One affine warp does scale/crop, rotation (±15°) and translation; mirroring swaps the
left/right classes (models.labels.mirror_mask) and the affected side (swap_side); colour
jitter changes brightness, contrast, saturation and hue-ish channel gains. Areas the warp
pulls in from outside the photo are labelled ignore (255), never background.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from models.labels import IGNORE_INDEX, LEFT_RIGHT_SWAP, swap_side


def fit_square(image: np.ndarray, mask: np.ndarray | None, size: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Letterbox to `size` x `size` (whole photo visible, aspect kept); padding is ignore in the mask."""
    matrix = _affine(image.shape[:2], size, scale=1.0, angle=0.0, shift=(0.0, 0.0))
    return _warp(image, mask, matrix, size)


def _affine(shape: tuple[int, int], size: int, scale: float, angle: float, shift: tuple[float, float]) -> np.ndarray:
    h, w = shape
    base = size / max(h, w)
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, base * scale)
    matrix[0, 2] += size / 2.0 - w / 2.0 + shift[0] * size
    matrix[1, 2] += size / 2.0 - h / 2.0 + shift[1] * size
    return matrix


def _warp(image: np.ndarray, mask: np.ndarray | None, matrix: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray | None]:
    out = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    if mask is None:
        return out, None
    warped = cv2.warpAffine(mask, matrix, (size, size), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=IGNORE_INDEX)
    return out, warped


def mirror(
    image: np.ndarray, mask: np.ndarray | None, side: str, swap_table: np.ndarray = LEFT_RIGHT_SWAP
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Horizontal mirror: flips the image, swaps left/right classes in the mask and the affected side.

    `swap_table[c]` is the label a pixel of label c becomes; the default is the project
    label set's (models.labels.mirror_mask); a LabelSpace supplies one for its label sets.
    """
    flipped = np.ascontiguousarray(image[:, ::-1])
    swapped = swap_table[np.ascontiguousarray(mask[:, ::-1])] if mask is not None else None
    return flipped, swapped, swap_side(side)


def colour_jitter(image: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Random per-channel gain, contrast, brightness and saturation, clipped to uint8.

    In that order: x*g (gain g_c per channel), contrast k about the gained image's mean m,
    brightness b, saturation s about each pixel's grey. Each step is affine in the pixel, so
    the whole jitter is one 3x4 colour matrix, out_c = k (s g_c x_c + (1 - s)/3 sum_j g_j x_j)
    + (1 - k) m + b, applied by `cv2.transform` in a single pass (a 512 px photo in about a
    millisecond instead of 18 for the step-by-step float arithmetic). Rounds down like the
    step-by-step version and stays within one grey level of it (tests/train/test_patients_augment.py).
    """
    gains = 1.0 + rng.uniform(-strength / 3, strength / 3, size=3)
    contrast = 1.0 + rng.uniform(-strength, strength)
    brightness = rng.uniform(-strength, strength) * 128.0
    saturation = 1.0 + rng.uniform(-strength, strength)
    image = np.ascontiguousarray(image, dtype=np.uint8)
    channel_means = np.asarray(cv2.mean(image)[:3])
    mean = float(np.dot(gains, channel_means) / 3.0)
    matrix = np.empty((3, 4), np.float64)
    matrix[:, :3] = contrast * (1.0 - saturation) / 3.0 * gains[None, :]
    matrix[np.arange(3), np.arange(3)] += contrast * saturation * gains
    # saturate_cast rounds to nearest; -0.5 makes it round down as astype(np.uint8) did.
    matrix[:, 3] = (1.0 - contrast) * mean + brightness - 0.5
    return cv2.transform(image, matrix)


@dataclass(frozen=True)
class Augmenter:
    """Random scale/crop, rotation, translation, mirroring and colour jitter to `size` x `size`.

    `scale` multiplies the letterbox fit (1.0 = the whole photo just fits); `swap_table`
    says which label each mask label becomes when mirrored (default: the project label set).
    """

    size: int
    scale: tuple[float, float] = (0.9, 1.3)
    rotation: float = 15.0
    shift: float = 0.08
    mirror_p: float = 0.5
    jitter: float = 0.25
    swap_table: np.ndarray = field(default_factory=lambda: LEFT_RIGHT_SWAP)

    def __call__(
        self, image: np.ndarray, mask: np.ndarray | None, side: str, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray | None, str]:
        """One augmented (image, mask, side)."""
        scale = float(np.exp(rng.uniform(np.log(self.scale[0]), np.log(self.scale[1]))))
        angle = float(rng.uniform(-self.rotation, self.rotation))
        shift = (float(rng.uniform(-self.shift, self.shift)), float(rng.uniform(-self.shift, self.shift)))
        image, mask = _warp(image, mask, _affine(image.shape[:2], self.size, scale, angle, shift), self.size)
        if rng.random() < self.mirror_p:
            image, mask, side = mirror(image, mask, side, self.swap_table)
        if self.jitter > 0:
            image = colour_jitter(image, rng, self.jitter)
        return image, mask, side
