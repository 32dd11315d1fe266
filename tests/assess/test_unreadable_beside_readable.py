"""`palsy assess` refuses a photo it cannot read only when no readable photo of its frame is
there (review: rest.png beside rest.heic, a camera's RAW+JPEG pair rest.jpg + rest.nef, were
refused, though the folder was graded with the readable one before); a folder named rest.heic
is no photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import InputError
from models.labels import EXPRESSIONS
from models.photo_formats import refused_unreadable_photos
from models.pipeline.patient_dir import find_expression_photos


def _folder(root: Path, *extra: str) -> Path:
    root.mkdir()
    for expression in EXPRESSIONS:
        (root / f"{expression}.jpg").write_bytes(b"x")
    for name in extra:
        (root / name).write_bytes(b"x")
    return root


@pytest.mark.parametrize("copy", ["rest.heic", "REST.NEF", "rest_0.heic"])
def test_an_unreadable_copy_beside_the_readable_photo_is_ignored(tmp_path: Path, copy: str) -> None:
    found = find_expression_photos(_folder(tmp_path / "p", copy))
    assert found["rest"] == [tmp_path / "p" / "rest.jpg"]


def test_an_unreadable_copy_of_a_numbered_frame_is_ignored(tmp_path: Path) -> None:
    found = find_expression_photos(_folder(tmp_path / "p", "rest_2.jpg", "rest_2.heic"))
    assert [p.name for p in found["rest"]] == ["rest.jpg", "rest_2.jpg"]


def test_an_unreadable_frame_without_a_readable_one_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"rest_2\.heic is a HEIC photo"):  # rest.jpg is another frame
        find_expression_photos(_folder(tmp_path / "p", "rest_2.heic"))


def test_a_folder_named_like_an_unreadable_photo_is_no_photo(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p")
    (folder / "rest.heic").mkdir()
    assert find_expression_photos(folder)["rest"] == [folder / "rest.jpg"]
    (folder / "rest.jpg").unlink()
    assert "rest" not in find_expression_photos(folder)


def test_the_rule_is_by_frame(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "p", "rest.heic", "smile.dng", "rest_3.nef")
    refused = refused_unreadable_photos(sorted(folder.iterdir()), lambda p: p.stem.lower())
    assert [p.name for p in refused] == ["rest_3.nef", "smile.dng"]  # smile.jpg is not there
