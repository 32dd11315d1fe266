"""Two files that name the same frame of an expression are refused, both named (audit: REST.JPG,
rest.png and rest_0.png all became rest frame 0 without a word)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import InputError
from models.pipeline.patient_dir import find_expression_photos


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"x")


@pytest.mark.parametrize(
    ("names", "first", "second"),
    [
        (("REST.JPG", "rest.png"), "REST.JPG", "rest.png"),  # two cases of one name
        (("rest.png", "rest_0.png"), "rest.png", "rest_0.png"),  # no number is frame 0
        (("close_eyes_1.png", "close_eyes_01.jpg"), "close_eyes_01.jpg", "close_eyes_1.png"),
    ],
)
def test_two_files_for_one_frame_are_refused(tmp_path: Path, names: tuple[str, ...], first: str, second: str) -> None:
    _touch(tmp_path, "open_mouth.png", *names)
    with pytest.raises(InputError, match=rf"{first} and {second} in .* are both the (rest|close_eyes) photo"):
        find_expression_photos(tmp_path)


def test_the_message_gives_the_frame_and_what_to_do(tmp_path: Path) -> None:
    _touch(tmp_path, "close_eyes_1.png", "close_eyes_01.jpg")
    with pytest.raises(InputError, match=r"close_eyes photo \(frame 1\); keep one of them, or name the other close_eyes_N"):
        find_expression_photos(tmp_path)


def test_distinct_frames_still_load(tmp_path: Path) -> None:
    _touch(tmp_path, "rest.png", "rest_1.png", "rest_2.jpg", "close_eyes.png")
    found = find_expression_photos(tmp_path)
    assert [p.name for p in found["rest"]] == ["rest.png", "rest_1.png", "rest_2.jpg"]
