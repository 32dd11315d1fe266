"""What the therapist asks for at each capture step (shown with its illustration)."""

from __future__ import annotations

from models.labels import EXPRESSIONS

TITLES: dict[str, str] = {
    "rest": "Rest",
    "close_eyes": "Close eyes",
    "raise_eyebrows": "Raise eyebrows",
    "open_mouth": "Open mouth / smile",
    "wrinkle_nose": "Wrinkle nose",
    "puff_cheeks": "Puff cheeks",
}

INSTRUCTIONS: dict[str, str] = {
    "rest": "Look straight at the camera with a relaxed face. This is the baseline.",
    "close_eyes": "Close both eyes gently, as if sleeping. Do not squeeze.",
    "raise_eyebrows": "Raise both eyebrows as high as possible, as if surprised.",
    "open_mouth": "Open the mouth wide and show the teeth, pulling the corners outwards.",
    "wrinkle_nose": "Wrinkle the nose upwards, as if smelling something unpleasant.",
    "puff_cheeks": "Close the lips and puff both cheeks out with air.",
}

assert set(TITLES) == set(EXPRESSIONS) == set(INSTRUCTIONS)
