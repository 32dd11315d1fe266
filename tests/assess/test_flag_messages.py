"""Flag texts that do not contradict or repeat themselves, with expressions in words."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from app.cli import main
from models.labels import GRADES
from models.pipeline.assess import build_flags
from models.pipeline.flag_wording import flag_detail, top_probability_text, worded_flags
from models.pipeline.measures import MeasuredFunction, measure_function
from tests.assess.masks import paint_patient

NO_MEASURE = MeasuredFunction(None, None, "none", None)


def _fused(top: float) -> np.ndarray:
    fused = np.full(len(GRADES), (1.0 - top) / (len(GRADES) - 1))
    fused[GRADES.index("III")] = top
    return fused


@pytest.mark.parametrize(("top", "shown"), [
    (0.4996, "49.96%"),  # printed "50% (< 50%)"
    (0.4949, "49%"),
    (0.3, "30%"),
])
def test_low_confidence_never_reads_as_the_threshold(top: float, shown: str) -> None:
    [flag] = [f for f in build_flags("III", _fused(top), {}, NO_MEASURE) if f.code == "low_confidence"]
    assert flag.message == f"the network's top probability is {shown} (< 50%): review carefully"
    assert top_probability_text(0.5) == "50%" and top_probability_text(0.876) == "88%"
    assert top_probability_text(0.4999999) == "just under 50%"


def test_the_flag_judges_the_probability_as_stored() -> None:
    # review: 0.49997 was flagged "49.997% (< 50%)" beside a grade line of the stored 0.5000
    assert not [f for f in build_flags("III", _fused(0.49997), {}, NO_MEASURE) if f.code == "low_confidence"]


def _result(warning: str, detected: bool = False) -> SimpleNamespace:
    return SimpleNamespace(quality=SimpleNamespace(passed=True, failed=[]), crop=SimpleNamespace(detected=detected, warning=warning))


def test_missing_expressions_are_named_in_words_once() -> None:
    flags = build_flags("III", _fused(0.9), {"rest": _result("", True)}, NO_MEASURE)
    [missing] = [f for f in flags if f.code == "missing_expressions"]
    assert missing.message == "close eyes, raise eyebrows, open mouth, wrinkle nose, puff cheeks"
    # the title and the message read "Expressions not photographed: not photographed: puff cheeks"
    assert ("Expressions not photographed", missing.message) in worded_flags(flags)


def test_no_face_reads_the_same_from_the_cli_and_the_gui() -> None:
    fallback = "no face detected; used the centre of the frame - check the crop"
    cli = build_flags("III", _fused(0.9), {"close_eyes": _result(f"Close_Eyes.JPG: {fallback}")}, NO_MEASURE,
                      names={"close_eyes": ["Close_Eyes.JPG"]})
    gui = build_flags("III", _fused(0.9), {"close_eyes": _result(f"close_eyes: {fallback}")}, NO_MEASURE)
    [cli_flag] = [f for f in cli if f.code == "face_not_detected"]
    [gui_flag] = [f for f in gui if f.code == "face_not_detected"]
    assert cli_flag.message == f"Close eyes (Close_Eyes.JPG): {fallback}"
    assert gui_flag.message == f"Close eyes: {fallback}"
    assert dict(worded_flags(gui))["No face found"] == f"Close eyes: {fallback}"


def test_a_measure_note_names_the_missing_expression_in_words() -> None:
    masks = paint_patient((0.35, 1.0))
    del masks["puff_cheeks"]
    assert "Cheek lateral extent: no puff cheeks photo" in measure_function(masks).notes


def test_the_cli_summary_has_no_expression_codes(capsys, patient_dir, small_weights, tmp_path) -> None:
    (patient_dir / "puff_cheeks.png").unlink()
    code = main(["assess", str(patient_dir), "--out", str(tmp_path / "o"), "--weights", str(small_weights), "--device", "cpu"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    flag_lines = [line for line in stdout.splitlines() if line.startswith("flag ")]
    assert "flag missing_expressions: puff cheeks" in flag_lines
    assert not any(code in line.partition(": ")[2] for line in flag_lines
                   for code in ("puff_cheeks", "close_eyes", "raise_eyebrows", "open_mouth", "wrinkle_nose")), flag_lines


def test_the_summary_reads_the_probability_as_stored() -> None:
    # last read: the CLI summary printed the unrounded 0.49996 as "49.996%" beside no flag,
    # while assessment.json and the report held 0.5
    from models.pipeline.assess import Assessment
    from models.pipeline.measures import MeasuredFunction

    assessment = Assessment("III", _fused(0.49996), {}, MeasuredFunction(None, None, "none", "none", {}), [], {}, {})
    assert assessment.top_probability == 0.5 and top_probability_text(assessment.top_probability) == "50%"
    assert assessment.to_dict()["probabilities"]["III"] == assessment.top_probability


def test_flag_details_space_their_percents_as_the_grade_line_does() -> None:
    # last note: the flag read "27% (< 50%)" beside a grade line "III (27 %)"; stored messages
    # keep the pipeline's spelling, so the wording spaces them for the screen, report and CLI
    stored = "the network's top probability is 27% (< 50%): review carefully"
    assert flag_detail("low_confidence", stored) == "the network's top probability is 27 % (< 50 %): review carefully"
    clipped = {"code": "failed_quality", "message": "rest: 31% of the face is clipped: even out the light",
               "expression": "rest"}
    assert worded_flags([clipped]) == [("Photo failed the quality check", "Rest: 31 % of the face is clipped: even out the light")]
    # a percent inside a file name is the file's name, not a figure
    assert flag_detail("ignored_files", "not used: scan_50%.jpg") == "not used: scan_50%.jpg"


def test_failed_checks_are_worded_with_spaced_percents() -> None:
    # the report's photo caption read "(80 %); quality not met: 41% of the face is clipped"
    from models.pipeline.flag_wording import failed_checks_text

    checks = {"exposure": {"passed": False, "message": "41% of the face is clipped to black or white: even out the light"},
              "one_face": {"passed": True}}
    assert failed_checks_text(checks) == "41 % of the face is clipped to black or white: even out the light"
