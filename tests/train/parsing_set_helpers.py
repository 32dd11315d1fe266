"""A small parsing-layout set (images/, masks/, classes.json) shared by the parsing-set tests."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

# Two classes are enough for these tests: every labelled part maps to skin.
SPEC = {"classes": ["background", "skin"], "maps_to": {"background": ["background"],
        "skin": ["skin", "left_brow", "right_brow", "left_eye", "right_eye", "nose", "upper_lip", "inner_mouth",
                 "lower_lip", "hair"]}, "ignore_index": 255}


def write_parsing_set(root: Path, names: tuple[str, ...], ext: str) -> Path:
    """A set at `root` with one grey 16x16 image (`NAME{ext}`) and one empty mask (`NAME.png`)
    per name; names and extension are the caller's, as each test checks messages that quote them."""
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    for name in names:
        cv2.imwrite(str(root / "images" / f"{name}{ext}"), np.full((16, 16, 3), 120, np.uint8))
        cv2.imwrite(str(root / "masks" / f"{name}.png"), np.zeros((16, 16), np.uint8))
    (root / "classes.json").write_text(json.dumps(SPEC))
    return root
