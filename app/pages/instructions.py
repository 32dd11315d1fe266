"""What the therapist asks for at each capture step (shown with its illustration)."""

from __future__ import annotations

from models.labels import EXPRESSIONS
from models.pipeline.flag_wording import EXPRESSION_LABELS

# one name per expression on every screen, in the report and on the command line: the
# capture steps said "Open mouth / smile" where the report said "Open mouth"
TITLES: dict[str, str] = EXPRESSION_LABELS

INSTRUCTIONS: dict[str, str] = {
    "rest": "Look straight at the camera with a relaxed face. This is the baseline.",
    "close_eyes": "Close both eyes gently, as if sleeping. Do not squeeze.",
    "raise_eyebrows": "Raise both eyebrows as high as possible, as if surprised.",
    "open_mouth": "Open the mouth wide and show the teeth, pulling the corners outwards.",
    "wrinkle_nose": "Wrinkle the nose upwards, as if smelling something unpleasant.",
    "puff_cheeks": "Close the lips and puff both cheeks out with air.",
}

assert set(TITLES) == set(EXPRESSIONS) == set(INSTRUCTIONS)
