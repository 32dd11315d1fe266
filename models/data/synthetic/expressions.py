"""The six expressions as per-side movement amounts ("actions", 0 = none, 1 = full).

An action belongs to a facial region; palsy scales each side's actions by the function of
that region on that side (see `palsy.py`). The jaw opens with the trigeminal nerve, not the
facial nerve, so `jaw` is one bilateral amount that palsy does not scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from models.labels import EXPRESSIONS

# Region of each per-side action (the keys of `PalsyProfile.function`).
ACTION_REGION: dict[str, str] = {
    "brow_raise": "forehead",
    "brow_lower": "forehead",
    "eye_close": "eye",
    "eye_widen": "eye",
    "squint": "eye",
    "nose_wrinkle": "nose",
    "upper_lip_raise": "nose",
    "smile": "mouth",
    "lip_depress": "mouth",
    "purse": "mouth",
    "cheek_puff": "cheek",
}

# Full-effort actions of a healthy face per expression (both sides alike).
EXPRESSION_ACTIONS: dict[str, dict[str, float]] = {
    "rest": {},
    "close_eyes": {"eye_close": 1.0, "brow_lower": 0.15},
    "raise_eyebrows": {"brow_raise": 1.0, "eye_widen": 0.35},
    "open_mouth": {"smile": 0.8, "lip_depress": 1.0, "upper_lip_raise": 0.35},
    "wrinkle_nose": {
        "nose_wrinkle": 1.0,
        "upper_lip_raise": 0.45,
        "brow_lower": 0.45,
        "squint": 0.3,
    },
    "puff_cheeks": {"cheek_puff": 1.0, "purse": 1.0},
}
EXPRESSION_JAW: dict[str, float] = {"open_mouth": 1.0}


@dataclass(frozen=True)
class Actions:
    """Per-side action amounts: `side[name] = (subject's right, subject's left)`, plus the jaw."""

    side: dict[str, tuple[float, float]] = field(default_factory=dict)
    jaw: float = 0.0

    def get(self, name: str, index: int) -> float:
        """Amount of action `name` on side `index` (0 = subject's right, 1 = left)."""
        return self.side.get(name, (0.0, 0.0))[index]

    def scaled(self, factors: dict[str, tuple[float, float]]) -> Actions:
        """Multiply each action per side by `factors[name]` (missing names keep their amount)."""
        out = {
            name: tuple(v * f for v, f in zip(values, factors.get(name, (1.0, 1.0)), strict=True))
            for name, values in self.side.items()
        }
        return replace(self, side=out)


def expression_actions(expression: str, effort: float = 1.0) -> Actions:
    """Symmetric actions of a healthy face performing `expression` with `effort` in (0, 1]."""
    if expression not in EXPRESSION_ACTIONS:
        raise ValueError(
            f"unknown expression {expression!r}; expected one of {', '.join(EXPRESSIONS)}"
        )
    amounts = EXPRESSION_ACTIONS[expression]
    side = {name: (amount * effort, amount * effort) for name, amount in amounts.items()}
    # Eyelid closure is all-or-nothing for a healthy face: the eye closes fully at any effort.
    if "eye_close" in side:
        side["eye_close"] = (1.0, 1.0)
    return Actions(side=side, jaw=EXPRESSION_JAW.get(expression, 0.0) * (0.8 + 0.2 * effort))
