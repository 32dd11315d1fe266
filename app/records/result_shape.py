"""The shape of a stored analysis result (assessment.json), as the app itself writes it.

Two writers make it: `models.pipeline.assess.Assessment.to_dict` (schema
"palsy-grader/assessment/1") and `app.analysis.AnalysisResult.to_json` (its GUI fallback).
Reopening a visit (`app.reopen`), the history's measured function and the report
(`app.report.pdf`) read these fields with their types; a value of another type (a list where
an object is expected, text where a number is) would stop them with a traceback. An import
refuses such a result (`import_checks`), and reopening one stored anyway (a database edited by hand)
says so instead of failing (`app.reopen`). Fields nobody reads, and unknown ones, are not
checked: an older or newer writer may add some.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from models.labels import GRADES

# A check returns what the value should be ("a number"), or None when it fits.
_Check = Callable[[Any], str | None]


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "text"


def _number(value: Any) -> str | None:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)):
        return None
    return "a number"


def _flag(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else "true or false"


def _grade(value: Any) -> str | None:
    return None if value is None or value in GRADES else f"one of {', '.join(GRADES)}"


_REGION: dict[str, _Check] = {
    **dict.fromkeys(("name", "label", "expression", "unit", "weaker_side", "note"), _text),
    **dict.fromkeys(("left", "right", "ratio", "percent"), _number),
    "judged": _flag,
}
_QUALITY_CHECK: dict[str, _Check] = {"value": _number, "threshold": _text, "passed": _flag, "message": _text}
_FLAG: dict[str, _Check] = dict.fromkeys(("code", "message", "text", "expression"), _text)
# `model.training_data`: what the checkpoint records of its training (`models.pipeline.loader`:
# the `data` entry of its `training` record, else the whole record). Every version wrote an
# object (a stage's data summary, or a `palsy train demo` / `clinic` record: settings, counts
# and one object per stage, 5 levels deep at most), a note as text, or null (an in-memory
# network); the report reads any of them (`describe_training`). A list is tolerated (a
# checkpoint may hold one as its `data`); a bare number or flag is no summary. The nesting is
# bounded: the real records are a few levels deep, and a reader walking a deep one recurses.
TRAINING_DATA_MAX_DEPTH = 16


def _training_data(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, (dict, list)) and _plain_json(value, TRAINING_DATA_MAX_DEPTH):
        return None
    return (f"text or an object (of texts, finite numbers, true/false, null, lists and objects, "
            f"nested at most {TRAINING_DATA_MAX_DEPTH} levels)")


def _plain_json(value: Any, max_depth: int) -> bool:
    """Whether `value` holds only JSON's values (numbers finite), its lists and objects nested
    at most `max_depth` levels; walked without recursion, so any depth is answered."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                return False
            if isinstance(item, dict):
                if not all(isinstance(key, str) for key in item):
                    return False
                item = item.values()
            pending.extend((inner, depth + 1) for inner in item)
        elif not (item is None or isinstance(item, (str, bool)) or _number(item) is None):
            return False
    return True


_MODEL: dict[str, _Check] = {
    **dict.fromkeys(("name", "config", "sha256", "path", "state_sha256", "training_command"), _text),
    "demo": _flag,
    "training_data": _training_data,
}


def result_problem(value: Any, where: str = "result") -> str | None:
    """What is wrong with a stored analysis result, naming the field ("result.measured.
    function_percent should be a number"); None when it has the shape the app writes (or is
    None: never analysed)."""
    try:
        _result(value, where)
    except _Misfit as misfit:
        return str(misfit)
    return None


class _Misfit(Exception):
    """A field that does not have the type the app writes; its message names the field."""


# A part of the result that is absent (an older or smaller writer left it out): not checked.
# A part present as null is refused where the app writes an object or a list: readers take
# `.get(key, {})`, which gives None for a null.
_ABSENT = object()


def _fields(value: Any, where: str, checks: dict[str, _Check]) -> dict[str, Any]:
    """`value` as an object whose listed fields pass their checks (when present)."""
    if not isinstance(value, dict):
        raise _Misfit(f"{where} should be an object")
    for key, check in checks.items():
        expected = check(value.get(key))
        if expected:
            raise _Misfit(f"{where}.{key} should be {expected}")
    return value


def _objects(value: Any, where: str, checks: dict[str, _Check]) -> None:
    """`value` absent, or an object whose every entry is an object of that shape."""
    if value is not _ABSENT:
        for name, item in _fields(value, where, {}).items():
            _fields(item, f"{where}.{name}", checks)


def _probabilities(value: Any, where: str) -> None:
    if value is _ABSENT:
        return
    for grade, p in _fields(value, where, {}).items():
        if grade not in GRADES:
            raise _Misfit(f"{where} should name grades {', '.join(GRADES)}, not {grade!r}")
        if p is None or _number(p):
            raise _Misfit(f"{where}.{grade} should be a number")


def _result(value: Any, where: str) -> None:
    if value is None:
        return
    result = _fields(value, where, {"schema": _text, "grade": _grade, "affected_side": _text})
    _probabilities(result.get("probabilities", _ABSENT), f"{where}.probabilities")
    measured = result.get("measured", _ABSENT)
    if measured is not _ABSENT:
        here = f"{where}.measured"
        _fields(measured, here, {"grade": _grade, "function_percent": _number, "affected_side": _text,
                                 "weaker_side": _text, "method": _text})
        _objects(measured.get("regions", _ABSENT), f"{here}.regions", _REGION)
        notes = measured.get("notes", [])
        if not isinstance(notes, list) or any(not isinstance(n, str) for n in notes):
            raise _Misfit(f"{here}.notes should be a list of texts")
    expressions = result.get("expressions", _ABSENT)
    if expressions is not _ABSENT:
        for name, item in _fields(expressions, f"{where}.expressions", {}).items():
            here = f"{where}.expressions.{name}"
            _fields(item, here, {"grade": _grade, "frames": _number, "face_detected": _flag})
            _probabilities(item.get("probabilities", _ABSENT), f"{here}.probabilities")
            quality = item.get("quality", _ABSENT)
            if quality is not _ABSENT:
                _fields(quality, f"{here}.quality", {"passed": _flag})
                _objects(quality.get("checks", _ABSENT), f"{here}.quality.checks", _QUALITY_CHECK)
    flags = result.get("flags", [])
    if not isinstance(flags, list):
        raise _Misfit(f"{where}.flags should be a list")
    for i, flag in enumerate(flags):
        _fields(flag, f"{where}.flags[{i}]", _FLAG)
    if "model" in result:
        _fields(result["model"], f"{where}.model", _MODEL)
    for name, ms in _fields(result.get("timing_ms", {}), f"{where}.timing_ms", {}).items():
        if _number(ms):
            raise _Misfit(f"{where}.timing_ms.{name} should be a number")
