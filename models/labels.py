"""The project's label set, grade names and expression names (DESIGN §3, a contract).

Left and right are the subject's anatomical sides: in an unmirrored frontal photo the
subject's left is on the image's right. Mirroring an image must swap every left/right
class and the affected side.
"""

from __future__ import annotations

import numpy as np

CLASSES: tuple[str, ...] = (
    "background",
    "skin",
    "left_brow",
    "right_brow",
    "left_eye",
    "right_eye",
    "nose",
    "upper_lip",
    "inner_mouth",
    "lower_lip",
    "hair",
)
NUM_CLASSES = len(CLASSES)
CLASS_INDEX: dict[str, int] = {name: i for i, name in enumerate(CLASSES)}
IGNORE_INDEX = 255

GRADES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI")
NUM_GRADES = len(GRADES)

EXPRESSIONS: tuple[str, ...] = (
    "rest",
    "close_eyes",
    "raise_eyebrows",
    "open_mouth",
    "wrinkle_nose",
    "puff_cheeks",
)
SIDES: tuple[str, ...] = ("left", "right", "none")

# Fixed display colours (RGB) per class, used by overlays and legends.
CLASS_COLOURS: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    (230, 190, 150),
    (140, 70, 20),
    (200, 120, 40),
    (40, 90, 230),
    (40, 200, 230),
    (250, 230, 60),
    (230, 40, 90),
    (120, 0, 40),
    (250, 110, 150),
    (100, 60, 160),
)


def _build_swap() -> np.ndarray:
    table = np.arange(256, dtype=np.uint8)
    for name, index in CLASS_INDEX.items():
        if name.startswith("left_"):
            partner = CLASS_INDEX["right_" + name[len("left_"):]]
            table[index], table[partner] = partner, index
    return table


# LEFT_RIGHT_SWAP[c] is the class a pixel of class c becomes after horizontal mirroring.
# Indices >= NUM_CLASSES (the ignore value 255 included) map to themselves.
LEFT_RIGHT_SWAP: np.ndarray = _build_swap()


def grade_index(grade: str) -> int:
    """Class index 0-5 of a grade name 'I'..'VI' (case-insensitive); ValueError otherwise."""
    try:
        return GRADES.index(grade.strip().upper())
    except ValueError:
        raise ValueError(f"unknown House-Brackmann grade {grade!r}; expected one of {', '.join(GRADES)}") from None


def swap_side(side: str) -> str:
    """The affected side after horizontal mirroring."""
    return {"left": "right", "right": "left"}.get(side, side)


def mirror_mask(mask: np.ndarray) -> np.ndarray:
    """Mirror a label mask horizontally and swap the left/right classes."""
    return LEFT_RIGHT_SWAP[np.ascontiguousarray(mask[:, ::-1])]
