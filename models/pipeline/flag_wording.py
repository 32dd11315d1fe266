"""Review flags and quality checks in plain clinical English (no Qt, no torch).

The pipeline names its flags and checks with stable codes (`low_confidence`,
`failed_quality`, `head_roll`): assessment.json keeps them, people should not have to read
them. The PDF report and the results screen both word them here, so they say the same.

    flag_title("failed_quality")                        -> "Photo failed the quality check"
    flag_detail("failed_quality", "close_eyes: centre the face in the guide",
                "close_eyes")                           -> "Close eyes: centre the face in the guide"
    check_label("one_face")                             -> "one face in view"
    worded_flags(assessment_json["flags"])              -> [(title, detail), ...]

A code this module does not know reads as the code with spaces for underscores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from models.labels import EXPRESSIONS

# Every flag the pipeline (`models.pipeline.assess`), the reopened record
# (`app.reopen`) and the report (`SIDE_DISAGREEMENT`) can raise.
FLAG_TITLES: dict[str, str] = {
    "low_confidence": "Low network confidence",
    "grade_disagreement": "Network and measured grades disagree",
    "missing_rest": "No rest photo",
    "missing_expressions": "Expressions not photographed",
    "no_measured_grade": "No measured grade",
    "partial_measure": "Measured grade from one region only",
    "side_uncertain": "Affected side uncertain",
    "opposite_sides": "Regions weaker on opposite sides",
    "e2_on_other_e1": "Grading network trained on another face parser",
    "failed_quality": "Photo failed the quality check",
    "face_not_detected": "No face found",
    "photos_unreadable": "Stored photos missing or damaged",
    "record_disagrees_with_its_audit_trail": "Record disagrees with its audit trail",
    "side_disagreement": "Affected side differs from the patient record",
    "photos_other_days": "Photos taken on different days",
    "same_as_rest": "Expression photo same as rest",
    "ignored_files": "Photos in the folder not used",
}
SIDE_DISAGREEMENT = "side_disagreement"
PHOTOS_OTHER_DAYS = "photos_other_days"

# Every check of `models.pipeline.quality.check_quality`, worded as what a good photo has.
CHECK_LABELS: dict[str, str] = {
    "one_face": "one face in view",
    "face_size": "face the right size",
    "face_resolution": "face of enough pixels",
    "centring": "face centred",
    "sharpness": "photo sharp",
    "exposure": "face well lit",
    "head_roll": "head level",
}

# The one title of each expression: the capture steps, the results page, the report and the
# command line all use these (`app.pages.instructions.TITLES` is this table).
EXPRESSION_LABELS: dict[str, str] = {
    "rest": "Rest",
    "close_eyes": "Close eyes",
    "raise_eyebrows": "Raise eyebrows",
    "open_mouth": "Open mouth",
    "wrinkle_nose": "Wrinkle nose",
    "puff_cheeks": "Puff cheeks",
}

# An expression code inside a message, but not inside a file name ("close_eyes.jpg").
_EXPRESSION_CODE = re.compile(
    r"(?<![\w./\\-])(" + "|".join(k for k in EXPRESSION_LABELS if "_" in k) + r")(?![\w.])"
)
_FAILED_LIST = "quality check(s) failed: "
# A percent as the pipeline writes it ("27%"), not one inside a file name ("50%.jpg").
_TIGHT_PERCENT = re.compile(r"(?<=\d)%(?![\w.%])")


def _spaced(code: str) -> str:
    return str(code).replace("_", " ").strip()


def flag_title(code: str) -> str:
    """The flag's name for people ("Low network confidence")."""
    return FLAG_TITLES.get(code, _spaced(code).capitalize() or "Flag")


def check_label(name: str) -> str:
    """A quality check as what the photo needs ("face centred")."""
    return CHECK_LABELS.get(name, _spaced(name))


def check_list(names: Iterable[str]) -> str:
    """Several checks, comma-separated, in words."""
    return ", ".join(check_label(n.strip()) for n in names if n and n.strip())


def expression_label(name: str) -> str:
    """An expression's title ("Close eyes")."""
    return EXPRESSION_LABELS.get(name, _spaced(name).capitalize())


def failed_checks_text(checks: Mapping[str, Mapping]) -> str:
    """What to do about a photo's failed quality checks, in the checks' own words ("the face is
    only 123 px across: move closer or use a higher resolution"; assessment.json's
    `quality.checks`): "check not met: face the right size" said neither too big nor too small
    nor how to mend it. A check without a message reads as what it needs; percents spaced as
    the report's and the screens' others ("41 % of the face is clipped")."""
    said = [str(c.get("message") or check_label(name)) for name, c in checks.items() if not c.get("passed", True)]
    return spaced_percent("; ".join(dict.fromkeys(said)))  # without a face every check says "no face to measure"


def _quality_parts(message: str, expression: str | None) -> tuple[str, str] | None:
    """(expression in words, what is wrong) of a `failed_quality` message ("rest: too dark: add
    light"; a record stored before 2026-12-07 says "rest: quality check(s) failed: face_size",
    its checks put in words), None for another message."""
    if _FAILED_LIST in message:
        prefix, _, names = message.partition(_FAILED_LIST)
        where = expression or prefix.strip().rstrip(":").strip()
        return expression_label(where), f"check not met: {check_list(names.split(','))}"
    if expression and message.startswith(f"{expression}: "):
        return expression_label(expression), message.removeprefix(f"{expression}: ")
    return None


def flag_detail(code: str, message: str, expression: str | None = None) -> str:
    """The flag's message with the pipeline's internal names put into words.

    `failed_quality` names its expression and what to do about it; other messages keep their
    wording, with expression codes ("close_eyes") spelled out.
    """
    message = str(message or "")
    parts = _quality_parts(message, expression) if code == "failed_quality" else None
    if parts is not None:
        return spaced_percent(": ".join(parts))
    return spaced_percent(_EXPRESSION_CODE.sub(lambda m: expression_label(m.group(1)).lower(), message))


def _field(flag: Mapping | object, name: str) -> Any:
    return flag.get(name) if isinstance(flag, Mapping) else getattr(flag, name, None)


def worded_flags(flags: Iterable[Mapping | object]) -> list[tuple[str, str]]:
    """(title, detail) of each flag, in order: assessment.json's dicts or flag objects
    (`code`, `message` or `text`, `expression`: the pipeline's and the GUI's `Flag`). The
    photos that failed the quality check share one line, at the first one's place, and those
    that failed in the same words one sentence ("Rest, Close eyes: too dark: add light. Puff
    cheeks: blurred: hold still and check the focus"): a line per photo pushed the report's
    first page over."""
    out: list[tuple[str, str]] = []
    quality_at: int | None = None  # index of the quality line in `out`
    quality_where: dict[str, list[str]] = {}  # what is wrong -> the photos it is wrong with
    for flag in flags:
        code = str(_field(flag, "code") or "")
        message = str(_field(flag, "message") or _field(flag, "text") or "")
        expression = _field(flag, "expression")
        parts = _quality_parts(message, expression) if code == "failed_quality" else None
        if parts is None:
            out.append((flag_title(code), flag_detail(code, message, expression)))
            continue
        if quality_at is None:
            quality_at = len(out)
            out.append(("", ""))
        where, wrong = parts
        quality_where.setdefault(wrong, []).append(where)
        detail = ". ".join(f"{', '.join(places)}: {spaced_percent(what)}" for what, places in quality_where.items())
        out[quality_at] = (flag_title(code), detail)
    return out


def review_flags(flags: Iterable[Mapping | object], registered_side: str | None,
                 measured_side: str | None, photo_days: tuple[str, str] | None = None) -> list[tuple[str, str]]:
    """Everything the clinician should review, worded: the pipeline's flags, the patient
    record's affected side when the photos measured the other side weaker, and photos taken on
    different days (`photo_days`: the first and last local day; None when not known, as for
    `palsy assess`). The report and the results screen both list these (the screen said "No
    flags" beside a side the report flagged). A stored disagreement (`add_registered_side`: what
    the record said when the photos were analysed) gives way to the record as it is now, so a
    corrected record clears it, and it is never listed twice."""
    out = worded_flags(f for f in flags if _field(f, "code") != SIDE_DISAGREEMENT)
    sides = side_disagreement(registered_side, measured_side)
    if sides:
        out.append((flag_title(SIDE_DISAGREEMENT), sides))
    days = photos_other_days(photo_days)
    if days:
        out.append((flag_title(PHOTOS_OTHER_DAYS), days))
    return out


def photo_days_text(photo_days: tuple[str, str]) -> str:
    """When the photos were taken, as the report's header gives it: "2026-11-20", or
    "2026-11-20 to 2026-12-06" for photos of several days."""
    first, last = photo_days
    return first if first == last else f"{first} to {last}"


def photos_other_days(photo_days: tuple[str, str] | None) -> str | None:
    """The sentence for photos taken on more than one day (a draft resumed days later), or
    None: every movement is measured against the rest photo, which then shows the face of
    another day."""
    if not photo_days or photo_days[0] == photo_days[1]:
        return None
    return (f"photos taken {photo_days_text(photo_days)}: movements measured against a rest photo of another day; "
            "confirm only if the face had not changed meanwhile, otherwise take all the photos again in one session")


def measured_side(affected_side: str | None, measured_grade: str | None) -> str | None:
    """The side the photos measured weaker ("left", "right", "none" for no weaker side), or
    None when nothing was measured (no rest photo, no judgeable movement): the pipeline stores
    "none" then too, which a screen must not show as "no palsy"."""
    return None if measured_grade is None else affected_side


def side_disagreement(registered: str | None, measured: str | None) -> str | None:
    """The sentence for a patient record whose affected side (entered in the patient form)
    is not the side the photos measured weaker, or None when they agree or either is not
    a side (unknown, none)."""
    sides = ("left", "right")
    if registered not in sides or measured not in sides or registered == measured:
        return None
    return (
        f"the patient record says the {registered} side is affected, the photos measured the {measured} "
        "side weaker: check the patient record and whether the photos were mirrored"
    )


DOUBTFUL_PHOTO_FLAGS = ("failed_quality", "face_not_detected")
DOUBTFUL_NOTE = "measured on a photo that failed the quality check or showed no face: check that photo or retake it"


def doubtful_photos(flags: Iterable[Mapping | object]) -> set[str]:
    """The expressions whose measurements are in doubt: their photo failed a quality check or
    showed no face. Every movement is measured against rest, so a doubtful rest photo puts
    them all in doubt. The results page and the report mark those rows (assessment.json's
    dicts or flag objects, as `worded_flags`)."""
    doubtful = {_field(f, "expression") for f in flags if _field(f, "code") in DOUBTFUL_PHOTO_FLAGS}
    doubtful.discard(None)
    return set(EXPRESSIONS) if "rest" in doubtful else doubtful


LOW_CONFIDENCE = 0.5  # a fused top probability below this is flagged (`low_confidence`)


def top_probability_text(top: float) -> str:
    """The top probability as a percent; below LOW_CONFIDENCE with as many decimals as it takes
    to read below it (0.4996 is "49.96%": "50% (< 50%)" contradicted itself)."""
    if top >= LOW_CONFIDENCE:
        return f"{top:.0%}"
    for decimals in range(4):
        text = f"{top:.{decimals}%}"
        if float(text[:-1]) < 100 * LOW_CONFIDENCE:
            return text
    return f"just under {LOW_CONFIDENCE:.0%}"


def spaced_percent(text: str) -> str:
    """"49.96%" or "27% (< 50%)" as the screens and the report print percents: "49.96 %",
    "27 % (< 50 %)" (stored messages keep the pipeline's spelling; the flag line sat beside
    "III (27 %)"); a percent inside a file name ("scan_50%.jpg") is left as it is."""
    return _TIGHT_PERCENT.sub(" %", text)
