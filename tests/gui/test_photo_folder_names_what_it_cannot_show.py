"""The photo-folder camera (headless) shows a rest.jfif as the rest photo, and names a rest.gif, a
rest.png that is a named pipe and one that is a link loop for what they are (audit: "no rest photo
in ... (a file named rest.jpg or .png)" for the first two, "image not found" for the others)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.camera.file_sources import PhotoFolderSource
from app.camera.source import StepUnavailable
from models.labels import EXPRESSIONS


def _folder_without(folder: Path, *missing: str) -> PhotoFolderSource:
    """An open source over `folder` with a photo of each expression but `missing`; the
    expression's index is the photo's value."""
    for value, expression in enumerate(EXPRESSIONS):
        if expression not in missing:
            Image.fromarray(np.full((80, 96, 3), value, np.uint8)).save(folder / f"{expression}.png")
    source = PhotoFolderSource(folder)
    source.open()
    return source


def test_a_jfif_rest_photo_is_shown(tmp_path: Path) -> None:
    Image.fromarray(np.full((80, 96, 3), 200, np.uint8)).save(tmp_path / "rest.jfif", "JPEG")
    source = _folder_without(tmp_path, "rest")
    source.set_expression("rest")
    assert abs(int(source.read()[0, 0, 0]) - 200) <= 2
    source.close()


def test_a_gif_rest_photo_is_named_not_called_missing(tmp_path: Path) -> None:
    Image.fromarray(np.full((80, 96, 3), 200, np.uint8)).save(tmp_path / "rest.gif")
    source = _folder_without(tmp_path, "rest")
    source.set_expression("rest")
    with pytest.raises(StepUnavailable, match=r"^rest\.gif is a GIF photo, which Palsy Grader cannot read: save it as "
                                              r"JPEG or PNG .*; replace the file and press Retry"):
        source.read()
    source.set_expression("close_eyes")  # the other steps go on
    assert source.read()[0, 0, 0] == 1
    source.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_and_a_link_loop_are_called_so(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rest.png")
    (tmp_path / "close_eyes.png").symlink_to(tmp_path / "close_eyes.png")
    source = _folder_without(tmp_path, "rest", "close_eyes")
    source.set_expression("rest")
    with pytest.raises(StepUnavailable, match=r"^rest\.png is a named pipe \(FIFO\), not a photo; replace the file"):
        source.read()
    source.set_expression("close_eyes")
    with pytest.raises(StepUnavailable, match=r"^close_eyes\.png is a broken link, not a photo; replace the file"):
        source.read()
    source.close()
