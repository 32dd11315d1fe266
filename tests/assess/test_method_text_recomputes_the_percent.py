"""The measured grade's method text (printed under the report's table) states the rule the
code applies and each side's total, so a reader recomputes the percent and the grade from the
page. The text printed before ("regions weighted by the stronger side's movement") applied to
the demo patient's table gave 69 % (grade III) where 79 % (grade II) was shown."""

from __future__ import annotations

import re

from models.pipeline.measures import (
    MeasuredFunction,
    RegionResult,
    grade_from_percent,
    measure_function,
)
from tests.assess.masks import paint_face

SIDE = re.compile(r"(left|right) ((?:[\d.]+ \+ )*[\d.]+)(?: = ([\d.]+))?")

# `palsy demo`'s patient (grade III, seed 7): the stored House regions of its assessment.json,
# reported as 78.8 %, grade II.
DEMO_BROW = dict(name="brow", label="Brow elevation", expression="raise_eyebrows", unit="D", left=0.0935,
                 right=0.1542, ratio=0.6066, percent=60.6594, weaker_side="left", judged=True, note="")
DEMO_COMMISSURE = dict(name="commissure", label="Commissure excursion", expression="open_mouth", unit="D",
                       left=0.1239, right=0.0982, ratio=0.7926, percent=79.2592, weaker_side="right", judged=True, note="")


def _recomputed(method: str) -> float:
    """The percent a reader gets from the method text alone: each side's printed terms summed
    (checked against the printed total), then the weaker total / the stronger."""
    totals = {}
    for side, terms, total in SIDE.findall(method):
        summed = sum(float(t) for t in terms.split(" + "))
        if total:  # the page's own addition is exact
            assert f"{summed:.3f}" == total, (terms, total)
        totals[side] = summed
    assert set(totals) == {"left", "right"}, method
    return 100.0 * min(totals.values()) / max(totals.values())


def _totals(method: str) -> list[str]:
    """Each side's total as printed (its one term, or the figure after '=')."""
    return [total or terms for _, terms, total in SIDE.findall(method)]


def _assert_reproducible(body: dict) -> None:
    method = body["method"]
    assert "Bands (House's 100/76-99/51-75/26-50/1-25/0 % moved for healthy asymmetry)" in method
    percent = _recomputed(method)
    assert abs(percent - body["function_percent"]) < 0.15, (percent, method)
    assert f"function = {min(_totals(method), key=float)} / {max(_totals(method), key=float)} =" in method
    assert f"{percent:.0f}" == f"{body['function_percent']:.0f}"
    assert grade_from_percent(percent) == body["grade"]
    assert f"= {body['function_percent']:.0f} %" in method


def test_the_demo_patients_percent_is_recomputed_from_its_method_text() -> None:
    regions = {r["name"]: RegionResult(**r) for r in (DEMO_BROW, DEMO_COMMISSURE)}
    body = MeasuredFunction("II", 78.8, "left", "left", regions).to_dict()
    _assert_reproducible(body)
    assert "per side, brow rise / 0.15 D + commissure travel / 0.25 D" in body["method"]
    assert "left 0.623 + 0.496 = 1.119, right 1.028 + 0.393 = 1.421; function = 1.119 / 1.421 = 79 %" in body["method"]


def test_a_painted_patient_weaker_on_opposite_sides_is_recomputed_from_its_method_text() -> None:
    masks = {e: paint_face(e) for e in ("rest", "close_eyes", "wrinkle_nose", "puff_cheeks")}
    masks["raise_eyebrows"] = paint_face("raise_eyebrows", (0.5, 1.0))
    masks["open_mouth"] = paint_face("open_mouth", (1.0, 0.7))
    body = measure_function(masks).to_dict()
    assert body["regions"]["brow"]["weaker_side"] == "left" and body["regions"]["commissure"]["weaker_side"] == "right"
    assert "per side, brow rise / 0.15 D + commissure travel / 0.25 D" in body["method"]
    _assert_reproducible(body)


def test_one_region_alone_prints_its_own_rule_and_no_measure_prints_no_totals() -> None:
    masks = {e: paint_face(e, (0.4, 1.0)) for e in ("rest", "raise_eyebrows")}
    body = measure_function(masks).to_dict()
    assert "per side, brow rise / 0.15 D: left " in body["method"] and "commissure" not in body["method"]
    _assert_reproducible(body)
    nothing = MeasuredFunction(None, None, "none", None).to_dict()["method"]
    assert "commissure travel / 0.25 D" in nothing and "left" not in nothing


def test_the_printed_addition_is_exact_where_the_exact_total_rounds_otherwise() -> None:
    # 0.09358 / 0.15 = 0.62387 and 0.1239 / 0.25 = 0.4956: printed 0.624 + 0.496, whose sum is
    # 1.120, where the exact total 1.11947 printed "= 1.119"
    brow = RegionResult(**{**DEMO_BROW, "left": 0.09358})
    body = MeasuredFunction("II", 78.8, "left", "left", {"brow": brow, "commissure": RegionResult(**DEMO_COMMISSURE)}).to_dict()
    assert "left 0.624 + 0.496 = 1.120" in body["method"]
    _recomputed(body["method"])
