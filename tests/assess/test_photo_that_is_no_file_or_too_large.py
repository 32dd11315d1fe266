"""A photo name that is a named pipe or a link loop is called what it is, not "image not found"
(audit: the photo folder said so of a rest.png plainly there; its test is in tests/gui); a file too large for any photo
(a video renamed rest.jpg) is refused by its size before it is read (audit: 2 GB read whole
into memory, 83 s, before the refusal)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.pipeline.images import MAX_FILE_BYTES, ImageError, load_image

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")


@needs_fifo
def test_a_named_pipe_is_called_so(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "rest.png")
    with pytest.raises(ImageError, match=r"^rest\.png is a named pipe \(FIFO\), not a photo"):
        load_image(tmp_path / "rest.png")


def test_a_link_loop_is_called_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "rest.png").symlink_to(tmp_path / "rest.png")
    with pytest.raises(ImageError, match=r"^rest\.png is a broken link, not a photo"):
        load_image(tmp_path / "rest.png")


def test_a_file_that_is_not_there_is_still_not_found(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"^image not found: .*rest\.png$"):
        load_image(tmp_path / "rest.png")


def test_a_file_too_large_for_a_photo_is_refused_before_it_is_read(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "rest.jpg"
    with huge.open("wb") as handle:  # sparse: no disk, no time
        handle.write(b"\xff\xd8\xff\xe0")
        handle.truncate(MAX_FILE_BYTES + 1)

    def read_whole(self: Path) -> bytes:
        raise AssertionError(f"{self.name} was read whole")

    monkeypatch.setattr(Path, "read_bytes", read_whole)
    with pytest.raises(ImageError, match=r"^rest\.jpg is too large a file for a photo \(400 MB, limit 400 MB\); "
                                         r"check that it is the photo"):
        load_image(huge)
