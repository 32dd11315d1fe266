"""`features()` reads a canonical mask within the box of its labelled pixels, not the whole
640 x 640 canvas, and gives exactly what the whole-canvas reading gave: EXPECTED holds the
features the whole-canvas code (before 2026-12-07) read from these masks, every float as its
exact repr. The masks: painted patients (tests/assess/masks.py) warped into the frame as
`measure_function` warps them, an empty canvas, faces cut by the canvas edge or lying beside the
midline, a canvas labelled to its corners, scraps far from the face (one larger than the brow it
shares a class with), and cheek bands outside the face or the canvas."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.labels import CLASS_INDEX
from models.pipeline import measures
from models.pipeline.measures import (
    FRAME_SIZE,
    FaceFeatures,
    canvas_scale,
    face_frame,
    features,
    to_canonical,
)
from tests.assess.masks import paint_patient
from tests.scripts import load_script

C = CLASS_INDEX


def _canvases(masks: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, float]]:
    """Each mask in the canonical frame with its scale, placed as `measure_function` places it."""
    rest = face_frame(masks["rest"])
    out = {}
    for expression, mask in masks.items():
        frame = rest if expression == "rest" else face_frame(mask, fallback=rest)
        out[expression] = (to_canonical(mask, frame), canvas_scale(frame))
    return out


def _shifted(canon: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The canvas moved by (dx, dy), cut where it leaves the canvas."""
    out = np.zeros_like(canon)
    h, w = canon.shape
    out[max(0, dy) : h + min(0, dy), max(0, dx) : w + min(0, dx)] = canon[max(0, -dy) : h - max(0, dy),
                                                                          max(0, -dx) : w - max(0, dx)]
    return out


def _with_scraps(canon: np.ndarray) -> np.ndarray:
    """Scraps far from the face: small ones of a brow, a lip, the nose, an eye, hair and skin at the
    canvas edges, and a right-brow blob larger than the right brow (it is kept, the brow dropped)."""
    out = canon.copy()
    out[0:3, 0:3] = C["left_brow"]
    out[5:7, 630:640] = C["upper_lip"]
    out[630:640, 0:2] = C["nose"]
    out[620:623, 100:104] = C["left_eye"]
    out[639, 300:340] = C["hair"]
    out[300:310, 0:4] = C["skin"]
    out[560:640, 560:640] = C["right_brow"]
    return out


def _cases() -> dict[str, tuple[np.ndarray, tuple[float, float] | None, float]]:
    """name -> (canonical mask, band or None, scale)."""
    cases: dict[str, tuple[np.ndarray, tuple[float, float] | None, float]] = {}
    weak = _canvases(paint_patient((0.4, 1.0)))
    rest_band = (2.5308593749999986, 2.977016818700114)  # the rest mask's nose bottom and mouth (`_cheek_band`)
    for expression, (canon, scale) in weak.items():
        cases[f"weak_left_{expression}"] = (canon, None, scale)
    cases["weak_left_puff_cheeks_rest_band"] = (weak["puff_cheeks"][0], rest_band, weak["puff_cheeks"][1])
    rolled = _canvases(paint_patient((1.0, 0.7), size=320, shift=(9, -6), roll_degrees=7.0))
    for expression in ("rest", "close_eyes", "open_mouth", "puff_cheeks"):
        cases[f"rolled_{expression}"] = (rolled[expression][0], None, rolled[expression][1])
    empty = np.zeros((FRAME_SIZE, FRAME_SIZE), np.uint8)
    cases["empty"] = (empty, None, 1.0)
    cases["empty_band"] = (empty, (2.0, 2.5), 2.5)
    rest, scale = weak["rest"]
    puff = weak["puff_cheeks"][0]
    cases["cut_by_right_edge"] = (_shifted(puff, 200, 0), rest_band, scale)
    for side, columns in (("left", slice(FRAME_SIZE // 2, None)), ("right", slice(0, FRAME_SIZE // 2 + 1))):
        cheek = puff.copy()  # the cheek rows' skin runs on to the canvas edge: no outline there
        cheek[300:400, columns][cheek[300:400, columns] == C["background"]] = C["skin"]
        cases[f"{side}_cheek_to_the_canvas_edge"] = (cheek, rest_band, scale)
    cases["cut_by_left_and_top_edges"] = (_shifted(rest, -250, -280), (0.5, 1.5), scale)  # all left of the midline
    cases["cut_by_bottom_edge"] = (_shifted(weak["open_mouth"][0], 0, 330), (4.0, 4.9), scale)
    cases["beside_the_midline"] = (np.where(np.arange(FRAME_SIZE)[None, :] < 300, rest, C["background"]).astype(np.uint8),
                                   rest_band, scale)
    skin = np.where(rest == C["background"], C["skin"], rest).astype(np.uint8)  # labelled to its corners
    skin[:, 600:] = C["hair"]
    cases["labelled_to_the_corners"] = (skin, rest_band, scale)
    cases["scraps"] = (_with_scraps(rest), None, scale)
    cases["scraps_open_mouth"] = (_with_scraps(weak["open_mouth"][0]), rest_band, 1.0)
    cases["band_above_the_face"] = (rest, (0.05, 0.2), scale)
    cases["band_below_the_canvas"] = (rest, (4.7, 5.6), scale)
    cases["band_from_above_the_canvas"] = (rest, (-0.5, 0.1), scale)
    cases["band_beyond_the_canvas"] = (rest, (5.2, 5.6), scale)
    cases["large_scale_drops_small_parts"] = (weak["close_eyes"][0], None, 6.0)
    return cases


EXPECTED: dict[str, FaceFeatures] = {
    "weak_left_rest": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.015245849297573444, "right": 0.01619871487867175},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "weak_left_close_eyes": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.11777712264150944, "right": 0.04215801886792453},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4136041666666666, "right": 2.4091494845360826},
        cheek_extent={"left": 0.013780994978028871, "right": 0.016694130571249133},
        mouth_y=2.9750071103526734,
        nose_bottom=2.5234375,
    ),
    "weak_left_raise_eyebrows": FaceFeatures(
        brow_y={"left": 1.56640625, "right": 1.484375},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.015245849297573444, "right": 0.01619871487867175},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "weak_left_open_mouth": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.4544270833333333, 2.9075520833333335), "right": (0.5872395833333334, 2.8372395833333335)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.010251322751322678, "right": 0.01145006613756605},
        mouth_y=3.0161292613636363,
        nose_bottom=2.5308593749999986,
    ),
    "weak_left_wrinkle_nose": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.383532961095101, "right": 2.3417057966321244},
        cheek_extent={"left": 0.017299445962355775, "right": 0.018404675166970197},
        mouth_y=2.977016818700114,
        nose_bottom=2.5078125,
    ),
    "weak_left_puff_cheeks": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.07774584929757344, "right": 0.20800905970625805},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "weak_left_puff_cheeks_rest_band": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.07774584929757344, "right": 0.20800905970625805},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "rolled_rest": FaceFeatures(
        brow_y={"left": 1.633668260151086, "right": 1.6330714370265151},
        eye_open={"left": 0.19389204545454544, "right": 0.1927556818181818},
        commissure={"left": (0.40234375, 2.96875), "right": (0.384375, 2.96796875)},
        ala_y={"left": 2.417921686746988, "right": 2.415200455182073},
        cheek_extent={"left": 0.014670138888888906, "right": 0.013035300925925863},
        mouth_y=2.981539629574085,
        nose_bottom=2.5234375,
    ),
    "rolled_close_eyes": FaceFeatures(
        brow_y={"left": 1.6329752604166667, "right": 1.6336888070342206},
        eye_open={"left": 0.03581957547169811, "right": 0.07782451923076923},
        commissure={"left": (0.40066964285714285, 2.9654017857142856), "right": (0.384375, 2.96796875)},
        ala_y={"left": 2.4176422213622293, "right": 2.4137772120786516},
        cheek_extent={"left": 0.014717710295040765, "right": 0.013060067482736915},
        mouth_y=2.979516925512666,
        nose_bottom=2.5234375,
    ),
    "rolled_open_mouth": FaceFeatures(
        brow_y={"left": 1.633668260151086, "right": 1.6330714370265151},
        eye_open={"left": 0.19389204545454544, "right": 0.1927556818181818},
        commissure={"left": (0.5869791666666667, 2.840625), "right": (0.5338541666666666, 2.8776041666666665)},
        ala_y={"left": 2.417921686746988, "right": 2.415200455182073},
        cheek_extent={"left": 0.009842414529914523, "right": 0.007736823361823353},
        mouth_y=3.020648285637149,
        nose_bottom=2.5234375,
    ),
    "rolled_puff_cheeks": FaceFeatures(
        brow_y={"left": 1.633668260151086, "right": 1.6330714370265151},
        eye_open={"left": 0.19389204545454544, "right": 0.1927556818181818},
        commissure={"left": (0.40234375, 2.96875), "right": (0.384375, 2.96796875)},
        ala_y={"left": 2.417921686746988, "right": 2.415200455182073},
        cheek_extent={"left": 0.20620659722222212, "right": 0.1537905092592593},
        mouth_y=2.981539629574085,
        nose_bottom=2.5234375,
    ),
    "empty": FaceFeatures(
        brow_y={"left": None, "right": None},
        eye_open={"left": 0.0, "right": 0.0},
        commissure={"left": None, "right": None},
        ala_y={"left": None, "right": None},
        cheek_extent={"left": None, "right": None},
        mouth_y=None,
        nose_bottom=None,
    ),
    "empty_band": FaceFeatures(
        brow_y={"left": None, "right": None},
        eye_open={"left": 0.0, "right": 0.0},
        commissure={"left": None, "right": None},
        ala_y={"left": None, "right": None},
        cheek_extent={"left": 0.0, "right": 0.0},
        mouth_y=None,
        nose_bottom=None,
    ),
    "cut_by_right_edge": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (1.95703125, 2.96484375), "right": None},
        ala_y={"left": 2.332192665289256, "right": None},
        cheek_extent={"left": 0.0, "right": 0.0},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "left_cheek_to_the_canvas_edge": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 1.5101273148148149, "right": 0.20800905970625805},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "right_cheek_to_the_canvas_edge": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.07774584929757344, "right": 1.5219907407407407},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "cut_by_left_and_top_edges": FaceFeatures(
        brow_y={"left": None, "right": None},
        eye_open={"left": 0.0, "right": 0.0},
        commissure={"left": None, "right": (2.34765625, 0.77734375)},
        ala_y={"left": None, "right": 0.19881031206817135},
        cheek_extent={"left": 0.0, "right": 0.0},
        mouth_y=0.789516818700114,
        nose_bottom=0.34375,
    ),
    "cut_by_bottom_edge": FaceFeatures(
        brow_y={"left": 4.2109375, "right": 4.2109375},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": None, "right": None},
        ala_y={"left": 4.905493951612903, "right": 4.908283832644628},
        cheek_extent={"left": 0.9653151939655172, "right": 0.9637661637931034},
        mouth_y=None,
        nose_bottom=4.984375,
    ),
    "beside_the_midline": FaceFeatures(
        brow_y={"left": None, "right": 1.6328125},
        eye_open={"left": 0.0, "right": 0.1967865566037736},
        commissure={"left": None, "right": (0.39453125, 2.96484375)},
        ala_y={"left": None, "right": 2.447685917721519},
        cheek_extent={"left": 0.0, "right": 0.0},
        mouth_y=2.975641993957704,
        nose_bottom=2.515625,
    ),
    "labelled_to_the_corners": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.0, "right": 0.0},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "scraps": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 4.68359375},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.015245849297573444, "right": 0.01619871487867175},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "scraps_open_mouth": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 4.68359375},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.4544270833333333, 2.9075520833333335), "right": (0.5872395833333334, 2.8372395833333335)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": 0.015245849297573444, "right": 0.01619871487867175},
        mouth_y=3.0161292613636363,
        nose_bottom=2.5308593749999986,
    ),
    "band_above_the_face": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": -0.9898726851851852, "right": -0.9858217592592593},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "band_below_the_canvas": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": -0.9898726851851852, "right": -0.9858217592592593},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "band_from_above_the_canvas": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": -0.9898726851851852, "right": -0.9858217592592593},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "band_beyond_the_canvas": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.1967865566037736, "right": 0.1967865566037736},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4169642857142857, "right": 2.4133097330729165},
        cheek_extent={"left": None, "right": None},
        mouth_y=2.977016818700114,
        nose_bottom=2.5308593749999986,
    ),
    "large_scale_drops_small_parts": FaceFeatures(
        brow_y={"left": 1.6328125, "right": 1.6328125},
        eye_open={"left": 0.11777712264150944, "right": 0.04215801886792453},
        commissure={"left": (0.39453125, 2.96484375), "right": (0.39453125, 2.96484375)},
        ala_y={"left": 2.4136041666666666, "right": 2.4091494845360826},
        cheek_extent={"left": 0.013780994978028871, "right": 0.016694130571249133},
        mouth_y=2.9750071103526734,
        nose_bottom=2.5234375,
    ),
}


@pytest.fixture(scope="module")
def cases() -> dict[str, tuple[np.ndarray, tuple[float, float] | None, float]]:
    return _cases()


def test_every_case_has_its_whole_canvas_features(cases) -> None:
    assert set(cases) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_features_are_those_of_the_whole_canvas(cases, name: str) -> None:
    canon, band, scale = cases[name]
    before = canon.copy()
    found = features(canon, band=band, scale=scale)
    assert found == EXPECTED[name]
    assert repr(found) == repr(EXPECTED[name])  # Python floats, as before (not numpy scalars)
    assert np.array_equal(canon, before)  # the caller's mask is left as it was


@pytest.mark.parametrize("name, box", [
    ("weak_left_rest", (slice(67, 493), slice(178, 463))),  # labelled rows 68-491, columns 179-461
    ("cut_by_left_and_top_edges", (slice(0, 213), slice(0, 321))),  # up to the midline column, 320
    ("scraps", (slice(0, 640), slice(0, 640))),  # scraps in the corners: the whole canvas
    ("empty", (slice(0, 0), slice(320, 321))),
])
def test_the_parts_are_cleaned_within_the_labelled_box(cases, monkeypatch: pytest.MonkeyPatch, name: str, box) -> None:
    """What makes it quick: the box around the labelled pixels, one background pixel wider where
    the canvas goes on and stretched to the midline, is what `features` reads."""
    read: list[np.ndarray] = []
    real = measures.clean_parts
    monkeypatch.setattr(measures, "clean_parts", lambda part: read.append(part) or real(part))
    canon, band, scale = cases[name]
    assert features(canon, band=band, scale=scale) == EXPECTED[name]
    assert len(read) == 1 and np.array_equal(read[0], canon[box])


def test_the_benchmark_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    report = load_script("benchmarks/measure_features_speed.py").main(["--patients", "1", "--rounds", "1", "--json"])
    assert json.loads(capsys.readouterr().out) == report
    assert report["masks"] == 6 and 0 < report["labelled_share"] < 1 and report["median_cpu_ms"] >= 0
    assert report["ran_on"]["repeats"] == 1
