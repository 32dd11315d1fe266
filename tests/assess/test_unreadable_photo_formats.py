"""A photo named as an expression in a format the app cannot read (an iPhone's rest.heic) is
refused with what to do (audit: skipped, the patient was graded without it, exit 0 with "no
rest photo"; an all-HEIC folder was told to name its photos rest, close_eyes, ...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from models.errors import InputError
from models.labels import EXPRESSIONS
from models.photo_formats import UNREADABLE_PHOTO_FORMATS, unreadable_photo_problem
from models.pipeline.images import IMAGE_SUFFIXES
from models.pipeline.patient_dir import find_expression_photos

IPHONE = "Settings > Camera > Formats > Most Compatible"


def test_no_format_the_app_reads_is_called_unreadable() -> None:
    assert not set(UNREADABLE_PHOTO_FORMATS) & set(IMAGE_SUFFIXES)
    assert unreadable_photo_problem(Path("rest.JPG")) is None and unreadable_photo_problem(Path("rest.xmp")) is None


def test_the_message_names_the_format_and_the_fix() -> None:
    assert unreadable_photo_problem(Path("rest.HEIC")) == (
        f"rest.HEIC is a HEIC photo, which Palsy Grader cannot read: save it as JPEG or PNG (on an iPhone: {IPHONE})")
    assert unreadable_photo_problem(Path("rest.avif")).startswith("rest.avif is an AVIF photo")
    assert "is a Nikon raw photo" in unreadable_photo_problem(Path("open_mouth_2.nef"))


def _folder(root: Path, *unreadable: str) -> Path:
    root.mkdir()
    for expression in EXPRESSIONS:
        if not any(name.lower().startswith(expression + ".") for name in unreadable):  # REST.HEIF: no rest.jpg
            (root / f"{expression}.jpg").write_bytes(b"x")
    for name in unreadable:
        (root / name).write_bytes(b"x")
    return root


@pytest.mark.parametrize("name", ["rest.heic", "REST.HEIF", "close_eyes_2.dng", "puff_cheeks.avif"])
def test_palsy_assess_refuses_an_expression_photo_it_cannot_read(tmp_path: Path, name: str) -> None:
    folder = _folder(tmp_path / "p", name)
    with pytest.raises(InputError, match=rf"{name} is an? .* photo, which Palsy Grader cannot read: save it as JPEG or PNG"):
        find_expression_photos(folder)


def test_an_all_heic_folder_is_told_about_heic_not_about_names(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    for expression in EXPRESSIONS:
        (folder / f"{expression}.heic").write_bytes(b"x")
    with pytest.raises(InputError, match=rf"close_eyes\.heic is a HEIC photo.*{IPHONE}\), or move it out of"):
        find_expression_photos(folder)


def test_other_files_named_as_expressions_are_still_no_photos(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p")
    for name in ("rest.xmp", "rest.txt", "notes.heic"):  # a sidecar, a note, another name
        (folder / name).write_bytes(b"x")
    assert sorted(find_expression_photos(folder)) == sorted(EXPRESSIONS)


def test_the_cli_exits_2_with_one_line(capsys, patient_dir: Path, small_weights: Path, tmp_path: Path) -> None:
    (patient_dir / "rest.png").unlink()
    (patient_dir / "rest.heic").write_bytes(b"ftypheic")  # the name and suffix refuse it, not the bytes
    code = main(["assess", str(patient_dir), "--out", str(tmp_path / "o"), "--weights", str(small_weights)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("palsy: error: rest.heic is a HEIC photo, which Palsy Grader cannot read"), err
