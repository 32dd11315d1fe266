"""Random face parameters: the identity of a synthetic patient.

Face coordinates: the origin lies between the eyes and the nose, x grows towards the
image's right (the subject's LEFT), y grows downwards, and the half-width of the face at
the cheekbones is 1. Per-side values are pairs indexed by `SIDE_INDEX` (0 = the subject's
right = image left, 1 = the subject's left = image right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Index of a side in per-side pairs, and its sign along the x axis of face coordinates.
SIDE_INDEX: dict[str, int] = {"right": 0, "left": 1}
SIDE_SIGN: tuple[float, float] = (-1.0, 1.0)

# Skin tones along the Fitzpatrick scale I..VI (sRGB), interpolated continuously.
FITZPATRICK_RGB: np.ndarray = np.array(
    [
        (246, 219, 196),
        (232, 188, 156),
        (205, 155, 118),
        (170, 118, 82),
        (122, 80, 52),
        (74, 48, 33),
    ],
    dtype=np.float32,
)
HAIR_RGB: dict[str, tuple[int, int, int]] = {
    "black": (22, 19, 18),
    "dark_brown": (52, 36, 26),
    "brown": (96, 66, 42),
    "auburn": (122, 58, 32),
    "blonde": (196, 160, 106),
    "grey": (140, 138, 134),
    "white": (212, 210, 204),
}
IRIS_RGB: dict[str, tuple[int, int, int]] = {
    "dark_brown": (58, 36, 22),
    "brown": (104, 66, 34),
    "hazel": (128, 104, 56),
    "green": (82, 118, 70),
    "blue": (78, 118, 168),
    "grey": (116, 128, 138),
}
BACKGROUND_RGB: tuple[tuple[int, int, int], ...] = (
    (205, 208, 210),
    (178, 190, 204),
    (214, 206, 190),
    (160, 170, 160),
    (232, 232, 228),
    (120, 130, 145),
    (190, 200, 196),
)


@dataclass(frozen=True)
class FaceParams:
    """Everything that makes one synthetic face look like itself (face units, sRGB colours)."""

    sex: str  # "female" or "male"
    age: float  # 0 young adult .. 1 elderly
    fitzpatrick: float  # 1.0 .. 6.0, continuous
    skin_rgb: tuple[float, float, float]
    lip_rgb: tuple[float, float, float]
    # Outline
    skull_top: float  # y of the top of the skull (negative)
    chin_y: float  # y of the chin
    jaw_power: float  # super-ellipse power of the lower face: 2 oval .. 3 square
    chin_taper: float  # narrowing of the chin (heart shape)
    temple_width: float
    neck_width: float
    # Eyes
    eye_x: float
    eye_y: float
    eye_half_width: float
    eye_half_height: float
    eye_tilt: float  # lateral canthus higher than the medial one (face units)
    iris_radius: float
    iris_rgb: tuple[int, int, int]
    # Brows
    brow_gap: float  # brow centre above the eye centre
    brow_thickness: float
    brow_medial_x: float
    brow_lateral_x: float
    brow_arch: float
    brow_rgb: tuple[int, int, int]
    # Nose
    nose_bottom: float
    ala_half_width: float
    bridge_half_width: float
    # Mouth
    mouth_y: float
    mouth_half_width: float
    upper_lip: float  # thickness at the centre
    lower_lip: float
    cupid_bow: float
    # Ears
    ear_top: float
    ear_bottom: float
    ear_width: float
    # Hair
    hair_style: str
    hair_rgb: tuple[int, int, int]
    hairline_y: float
    hair_recession: float
    hair_volume: float
    hair_part: float  # x of the parting (face units)
    # Small natural asymmetries (per side): brow height, eye size factor, commissure height
    natural_brow_dy: tuple[float, float]
    natural_eye_scale: tuple[float, float]
    natural_mouth_dy: tuple[float, float]
    # Scene that belongs to the person
    clothing_rgb: tuple[int, int, int]
    background_rgb: tuple[int, int, int]
    stubble: float  # 0 none .. 1 visible stubble shading (men only)
    blush: float  # redness of the cheeks, 0 .. 1


def skin_colour(fitzpatrick: float) -> np.ndarray:
    """sRGB skin colour for a continuous Fitzpatrick type in [1, 6]."""
    t = float(np.clip(fitzpatrick, 1.0, 6.0)) - 1.0
    lo = int(np.floor(t))
    hi = min(lo + 1, 5)
    frac = t - lo
    return FITZPATRICK_RGB[lo] * (1.0 - frac) + FITZPATRICK_RGB[hi] * frac


def _pick(rng: np.random.Generator, options: dict[str, float]) -> str:
    names = list(options)
    weights = np.array([options[n] for n in names], dtype=np.float64)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def _hair_colour_name(rng: np.random.Generator, fitz: float, age: float) -> str:
    if age > 0.75 and rng.random() < 0.7:
        return _pick(rng, {"grey": 0.6, "white": 0.4})
    if fitz >= 4.0:
        return _pick(rng, {"black": 0.7, "dark_brown": 0.3})
    if fitz >= 3.0:
        return _pick(rng, {"black": 0.4, "dark_brown": 0.4, "brown": 0.2})
    return _pick(
        rng, {"black": 0.1, "dark_brown": 0.3, "brown": 0.25, "auburn": 0.12, "blonde": 0.23}
    )


def _iris_name(rng: np.random.Generator, fitz: float) -> str:
    if fitz >= 3.5:
        return _pick(rng, {"dark_brown": 0.8, "brown": 0.2})
    return _pick(
        rng,
        {
            "dark_brown": 0.15,
            "brown": 0.25,
            "hazel": 0.15,
            "green": 0.12,
            "blue": 0.23,
            "grey": 0.1,
        },
    )


def sample_face(rng: np.random.Generator) -> FaceParams:
    """Draw a random face; `rng` fully determines it."""
    sex = "female" if rng.random() < 0.5 else "male"
    male = sex == "male"
    age = float(rng.beta(1.3, 2.0))
    fitz = float(rng.uniform(1.0, 6.0))
    skin = skin_colour(fitz) * rng.uniform(0.95, 1.04, size=3)
    skin = np.clip(skin, 20, 252)
    # Lips: the skin tone pulled towards a red-brown, darker for deeper skin tones.
    if fitz < 3.5:
        lip = skin * 0.45 + np.array([168, 82, 86]) * 0.55
    else:
        lip = skin * 0.3 + np.array([138, 68, 74]) * 0.7
    lip *= rng.uniform(0.9, 1.05)
    if not male and rng.random() < 0.35:
        lip = lip * 0.5 + np.array([170, 50, 70]) * 0.5  # lipstick
    hair_name = _hair_colour_name(rng, fitz, age)
    hair = np.array(HAIR_RGB[hair_name], dtype=np.float32) * rng.uniform(0.85, 1.15)
    curly = 0.1 + (0.3 if fitz >= 4.5 else 0.0)
    style_weights = (
        {
            "bald": 0.1 + 0.2 * age,
            "buzz": 0.18,
            "short": 0.32,
            "slicked": 0.1,
            "medium": 0.08,
            "long": 0.02,
            "fringe": 0.06,
            "curly": curly,
        }
        if male
        else {
            "buzz": 0.02,
            "short": 0.08,
            "slicked": 0.08,
            "medium": 0.2,
            "long": 0.22,
            "curtain": 0.2,
            "fringe": 0.12,
            "curly": curly,
        }
    )
    style = _pick(rng, style_weights)
    brow = hair * 0.8 if hair_name not in ("blonde", "white", "grey") else hair * 0.6
    iris_name = _iris_name(rng, fitz)
    hairline = float(rng.uniform(-1.02, -0.86))
    if style == "fringe":
        hairline = float(rng.uniform(-0.82, -0.74))
    return FaceParams(
        sex=sex,
        age=age,
        fitzpatrick=fitz,
        skin_rgb=tuple(float(v) for v in skin),
        lip_rgb=tuple(float(v) for v in np.clip(lip, 25, 240)),
        skull_top=float(rng.uniform(-1.58, -1.42)),
        chin_y=float(rng.uniform(1.28, 1.42) + (0.04 if male else 0.0)),
        jaw_power=float(rng.uniform(2.3, 3.2) if male else rng.uniform(1.9, 2.6)),
        chin_taper=float(rng.uniform(0.0, 0.12) if male else rng.uniform(0.05, 0.25)),
        temple_width=float(rng.uniform(0.9, 0.98)),
        neck_width=float(rng.uniform(0.58, 0.7) if male else rng.uniform(0.48, 0.58)),
        eye_x=float(rng.uniform(0.37, 0.43)),
        eye_y=float(rng.uniform(-0.22, -0.15)),
        eye_half_width=float(rng.uniform(0.165, 0.2)),
        eye_half_height=float(rng.uniform(0.062, 0.082) - 0.008 * age),
        eye_tilt=float(rng.uniform(-0.01, 0.035)),
        iris_radius=float(rng.uniform(0.074, 0.086)),
        iris_rgb=IRIS_RGB[iris_name],
        brow_gap=float(rng.uniform(0.2, 0.26)),
        brow_thickness=float(rng.uniform(0.06, 0.09) if male else rng.uniform(0.04, 0.065)),
        brow_medial_x=float(rng.uniform(0.13, 0.2)),
        brow_lateral_x=float(rng.uniform(0.64, 0.72)),
        brow_arch=float(rng.uniform(0.02, 0.05) if male else rng.uniform(0.04, 0.08)),
        brow_rgb=tuple(int(v) for v in np.clip(brow, 10, 230)),
        nose_bottom=float(rng.uniform(0.3, 0.4)),
        ala_half_width=float(rng.uniform(0.17, 0.22) + 0.03 * max(0.0, fitz - 4.0) / 2.0),
        bridge_half_width=float(rng.uniform(0.055, 0.08)),
        mouth_y=float(rng.uniform(0.64, 0.72)),
        mouth_half_width=float(rng.uniform(0.29, 0.36)),
        upper_lip=float(rng.uniform(0.05, 0.08) * (1.0 - 0.3 * age) + (0.01 if not male else 0.0)),
        lower_lip=float(
            rng.uniform(0.07, 0.105) * (1.0 - 0.25 * age) + (0.012 if not male else 0.0)
        ),
        cupid_bow=float(rng.uniform(0.15, 0.45)),
        ear_top=float(rng.uniform(-0.3, -0.2)),
        ear_bottom=float(rng.uniform(0.22, 0.32)),
        ear_width=float(rng.uniform(0.13, 0.18)),
        hair_style=style,
        hair_rgb=tuple(int(v) for v in np.clip(hair, 8, 235)),
        hairline_y=hairline,
        hair_recession=float(rng.uniform(0.0, 0.25) * (1.5 if male else 0.4)),
        hair_volume=float(rng.uniform(0.04, 0.16) if style != "curly" else rng.uniform(0.18, 0.32)),
        hair_part=float(rng.choice([-1.0, 1.0]) * rng.uniform(0.0, 0.35)),
        natural_brow_dy=(float(rng.normal(0, 0.004)), float(rng.normal(0, 0.004))),
        natural_eye_scale=(float(rng.uniform(0.98, 1.02)), float(rng.uniform(0.98, 1.02))),
        natural_mouth_dy=(float(rng.normal(0, 0.003)), float(rng.normal(0, 0.003))),
        clothing_rgb=tuple(int(v) for v in rng.integers(30, 220, size=3)),
        background_rgb=BACKGROUND_RGB[int(rng.integers(len(BACKGROUND_RGB)))],
        stubble=float(rng.uniform(0.0, 1.0)) if male and rng.random() < 0.35 else 0.0,
        blush=float(rng.uniform(0.2, 1.0) * (1.0 - 0.12 * (fitz - 1.0))),
    )
