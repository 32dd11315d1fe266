"""House-Brackmann calibration of a synthetic patient (paper Table 1, DESIGN §7).

The affected side keeps a fraction of the healthy side's movement ("function") drawn from
the grade's range; every action of a region is multiplied by that region's function. Eyelid closure
follows Table 1 instead of the plain scaling: complete with minimal effort (II), complete
with effort (III), incomplete (IV-VI). Grades V and VI are asymmetric at rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.data.synthetic.expressions import ACTION_REGION, Actions
from models.data.synthetic.face import SIDE_INDEX
from models.labels import GRADES

# Fraction of normal movement on the affected side, per grade (inclusive range).
GRADE_FUNCTION_RANGE: dict[str, tuple[float, float]] = {
    "I": (1.0, 1.0),
    "II": (0.76, 0.99),
    "III": (0.51, 0.75),
    "IV": (0.26, 0.50),
    "V": (0.01, 0.25),
    "VI": (0.0, 0.0),
}
REGIONS: tuple[str, ...] = ("forehead", "eye", "nose", "mouth", "cheek")
# A healthy side is not a perfect 100 %: effort and anatomy vary a little between sides.
HEALTHY_FUNCTION_RANGE: tuple[float, float] = (0.97, 1.0)
# Synkinesis per grade (Table 1, "gross"): very slight (II), noticeable (III), present but
# masked by weakness (IV), barely (V), none without movement (VI).
SYNKINESIS_RANGE: dict[str, tuple[float, float]] = {
    "I": (0.0, 0.0),
    "II": (0.0, 0.15),
    "III": (0.15, 0.4),
    "IV": (0.1, 0.35),
    "V": (0.0, 0.1),
    "VI": (0.0, 0.0),
}
# Largest lid closure of an eye that cannot close (grade IV at the top of its range).
INCOMPLETE_CLOSURE_MAX = 0.75


@dataclass(frozen=True)
class RestAsymmetry:
    """Per-side deviations at rest (pairs: subject's right, left); zero for grades I-IV."""

    brow_ptosis: tuple[float, float] = (0.0, 0.0)  # brow lower by (face units)
    eye_widen: tuple[float, float] = (0.0, 0.0)  # palpebral fissure wider by (fraction)
    lid_sag: tuple[float, float] = (0.0, 0.0)  # lower lid lower by (fraction of its height)
    mouth_droop: tuple[float, float] = (0.0, 0.0)  # commissure lower by (face units)
    ala_droop: tuple[float, float] = (0.0, 0.0)  # nasal ala lower by (face units)
    fold_flatten: tuple[float, float] = (0.0, 0.0)  # nasolabial fold fades (0..1)


@dataclass(frozen=True)
class PalsyProfile:
    """Grade, affected side and the per-region function of both sides."""

    grade: str
    side: str  # "left", "right" or "none"
    function: dict[str, tuple[float, float]]  # region -> (subject's right, left) in [0, 1]
    rest: RestAsymmetry
    synkinesis: float = 0.0  # involuntary co-movement on the affected side (0..1)


def eye_closure(grade: str, eye_function: float) -> float:
    """Lid closure (0 open .. 1 closed) of the affected eye at full effort, per Table 1."""
    if grade in ("I", "II", "III"):
        return 1.0
    return float(min(INCOMPLETE_CLOSURE_MAX, 1.5 * eye_function))


def sample_palsy(rng: np.random.Generator, grade: str, side: str) -> PalsyProfile:
    """Draw the function of each region on both sides for `grade` with `side` affected."""
    if grade not in GRADE_FUNCTION_RANGE:
        raise ValueError(f"unknown grade {grade!r}; expected one of {', '.join(GRADES)}")
    if (grade == "I") != (side == "none") or side not in ("left", "right", "none"):
        raise ValueError(
            f"grade {grade} needs side {'none' if grade == 'I' else 'left or right'}, got {side!r}"
        )
    lo, hi = GRADE_FUNCTION_RANGE[grade]
    base = float(rng.uniform(lo, hi))
    function: dict[str, tuple[float, float]] = {}
    for region in REGIONS:
        pair = [float(rng.uniform(*HEALTHY_FUNCTION_RANGE)) for _ in range(2)]
        if side != "none":
            # Regions vary around the patient's level but stay inside the grade's range. The
            # range is of the healthy side's movement, as House measures it (weaker over stronger):
            # drawn as an absolute level, the top of grade II (99 %) beside a healthy 97 % made
            # the labelled side the stronger one.
            i = SIDE_INDEX[side]
            pair[i] = float(np.clip(base + rng.normal(0.0, 0.03), lo, hi)) * pair[1 - i]
        function[region] = (pair[0], pair[1])
    rest = RestAsymmetry()
    if grade in ("V", "VI"):
        i = SIDE_INDEX[side]
        k = 1.0 - float(np.mean([function[r][i] for r in REGIONS]))

        def one(value: float) -> tuple[float, float]:
            return (value, 0.0) if i == 0 else (0.0, value)

        rest = RestAsymmetry(
            brow_ptosis=one(float(rng.uniform(0.035, 0.055)) * k),
            eye_widen=one(float(rng.uniform(0.18, 0.3)) * k),
            lid_sag=one(float(rng.uniform(0.2, 0.4)) * k),
            mouth_droop=one(float(rng.uniform(0.035, 0.055)) * k),
            ala_droop=one(0.015 * k),
            fold_flatten=one(k),
        )
    synkinesis = float(rng.uniform(*SYNKINESIS_RANGE[grade]))
    return PalsyProfile(grade=grade, side=side, function=function, rest=rest, synkinesis=synkinesis)


def apply_palsy(actions: Actions, profile: PalsyProfile, expression: str) -> Actions:
    """Scale a healthy face's actions by the profile's per-side, per-region function."""
    factors = {name: profile.function[ACTION_REGION[name]] for name in actions.side}
    out = actions.scaled(factors)
    side = dict(out.side)
    if "eye_close" in actions.side:
        pair = [1.0, 1.0]
        if profile.side != "none":
            i = SIDE_INDEX[profile.side]
            pair[i] = (
                eye_closure(profile.grade, profile.function["eye"][i])
                * actions.side["eye_close"][i]
            )
        side["eye_close"] = (pair[0], pair[1])
        if profile.grade == "III" and expression == "close_eyes":
            # "Complete closure with effort": the whole orbicularis squeezes.
            h = 1 - SIDE_INDEX[profile.side]
            squint = [0.0, 0.0]
            squint[h] = 0.8
            side["squint"] = (squint[0], squint[1])
            side["brow_lower"] = (0.5, 0.5)
    if profile.synkinesis > 0 and profile.side != "none":
        # Aberrant regrowth of the nerve: closing the eye lifts the mouth corner
        # (oculo-oral), smiling narrows the eye (oral-ocular), on the affected side only.
        i = SIDE_INDEX[profile.side]

        def add(name: str, amount: float) -> None:
            pair = list(side.get(name, (0.0, 0.0)))
            pair[i] += amount
            side[name] = (pair[0], pair[1])

        if expression == "close_eyes":
            add("smile", 0.8 * profile.synkinesis)
        elif expression == "open_mouth":
            add("squint", 1.0 * profile.synkinesis)
    return Actions(side=side, jaw=out.jaw)
