"""What `palsy assess` skipped or could not measure is said, not silent: a photo in the patient
folder not named after an expression (eyes_closed.png) is named in the `ignored_files` flag,
expression photos identical to rest (one photo copied six times) in `same_as_rest`, and a
patient with no movement in any region gets a no-measured-grade flag that says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.labels import EXPRESSIONS
from models.pipeline.assess import assess
from models.pipeline.flag_wording import worded_flags
from models.pipeline.loader import wrap_model
from models.pipeline.patient_dir import ignored_photos
from tests.assess.conftest import write_rgb
from tests.assess.fakes import OracleNet, cartoon_photo
from tests.assess.masks import paint_face, paint_patient


def _messages(result, code: str) -> list[str]:  # noqa: ANN001
    return [f.message for f in result.flags if f.code == code]


def test_photos_not_named_after_an_expression_are_listed(tmp_path: Path) -> None:
    rest = cartoon_photo(paint_face())
    for name in ("rest.png", "eyes_closed.png", "IMG_0001.JPG", "._rest.png"):
        write_rgb(tmp_path / name, rest)
    for name in ("Thumbs.db", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "old.png").mkdir()  # a folder, not a photo
    assert [p.name for p in ignored_photos(tmp_path)] == ["IMG_0001.JPG", "eyes_closed.png"]


def test_the_ignored_files_flag_names_them_and_how_to_name_a_photo() -> None:
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    result = assess(photos, wrap_model(OracleNet()), ignored=["eyes_closed.png"])
    [message] = _messages(result, "ignored_files")
    assert message.startswith("eyes_closed.png is not an expression name and was not graded; name a photo one of "
                              "rest.jpg, close_eyes.jpg, raise_eyebrows.jpg")
    assert ("Photos in the folder not used", message) in worded_flags(result.flags)  # file names kept as they are
    many = assess(photos, wrap_model(OracleNet()), ignored=[f"IMG_{i}.jpg" for i in range(7)])
    [message] = _messages(many, "ignored_files")
    assert message.startswith("IMG_0.jpg, IMG_1.jpg, IMG_2.jpg, IMG_3.jpg, IMG_4.jpg and 2 more are not expression names")
    assert not _messages(assess(photos, wrap_model(OracleNet())), "ignored_files")
    assert not _messages(result, "same_as_rest")  # photos that differ are not flagged


def test_one_photo_copied_for_every_expression_is_flagged_and_measures_no_movement() -> None:
    rest = cartoon_photo(paint_face())
    result = assess({e: rest.copy() for e in EXPRESSIONS}, wrap_model(OracleNet()))
    assert _messages(result, "same_as_rest") == [
        "the close eyes, raise eyebrows, open mouth, wrinkle nose and puff cheeks photos are the same picture as rest: "
        "the expressions were not captured; take them again"]
    assert result.measured.grade is None
    assert _messages(result, "no_measured_grade") == [
        "no movement measured in any region: were the expressions performed and the right photos chosen?"]
    titles = [title for title, _ in worded_flags(result.flags)]
    assert "Expression photo same as rest" in titles and "No measured grade" in titles


def test_a_single_copied_photo_is_named_alone() -> None:
    photos = {e: cartoon_photo(m) for e, m in paint_patient((0.35, 1.0)).items()}
    photos["open_mouth"] = np.array(photos["rest"])
    result = assess(photos, wrap_model(OracleNet()))
    assert _messages(result, "same_as_rest") == [
        "the open mouth photo is the same picture as rest: the expression was not captured; take it again"]
    assert result.measured.grade is not None  # the brow still moved: no "no movement" wording
    assert not any("no movement" in m for m in _messages(result, "no_measured_grade"))
