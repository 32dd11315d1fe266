"""Checkpoint refusals at their edges: a grade list in another order, a format one version
newer; and the temporary file is flushed to disk before it replaces the checkpoint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

import models.atomic_files as atomic_files
from models import build_model, get_config
from models.checkpoint import FORMAT_VERSION, load_checkpoint, read_checkpoint, save_checkpoint
from models.errors import CheckpointError
from models.labels import GRADES


def tiny_model():
    return build_model(get_config("compact").with_input_size(64), seed=0)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ckpt") / "source.pt"
    save_checkpoint(tiny_model(), path)
    return path


def _edited(source: Path, tmp_path: Path, name: str, edit) -> Path:  # noqa: ANN001
    """A copy of `source` with `edit(payload)` applied, saved again (its digests untouched:
    they cover the weights and the configuration, not the fields edited here)."""
    payload = torch.load(source, weights_only=True)
    edit(payload)
    torch.save(payload, tmp_path / name)
    return tmp_path / name


def test_the_unedited_copy_loads(source: Path, tmp_path: Path) -> None:
    path = _edited(source, tmp_path, "same.pt", lambda p: None)
    assert read_checkpoint(path)["grades"] == list(GRADES)
    load_checkpoint(path)


@pytest.mark.parametrize("reader", [read_checkpoint, load_checkpoint])
def test_a_reordered_grade_list_is_refused(source: Path, tmp_path: Path, reader) -> None:  # noqa: ANN001
    path = _edited(source, tmp_path, "reordered.pt", lambda p: p.__setitem__("grades", list(reversed(GRADES))))
    assert sorted(torch.load(path, weights_only=True)["grades"]) == sorted(GRADES)  # the same grades
    with pytest.raises(CheckpointError, match="different label set or grade list"):
        reader(path)


@pytest.mark.parametrize("reader", [read_checkpoint, load_checkpoint])
def test_a_format_one_version_newer_is_refused(source: Path, tmp_path: Path, reader) -> None:  # noqa: ANN001
    path = _edited(source, tmp_path, "newer.pt", lambda p: p.__setitem__("format_version", FORMAT_VERSION + 1))
    with pytest.raises(CheckpointError, match=f"newer Palsy Grader \\(format {FORMAT_VERSION + 1}\\)"):
        reader(path)


def test_save_checkpoint_fsyncs_the_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the file synced is the one renamed into place: a rename keeps the inode
    synced: list[tuple[int, int]] = []
    real = os.fsync

    def recording(fd: int) -> None:
        info = os.fstat(fd)
        synced.append((info.st_dev, info.st_ino))
        real(fd)

    monkeypatch.setattr(atomic_files.os, "fsync", recording)
    save_checkpoint(tiny_model(), tmp_path / "w.pt")
    final = (tmp_path / "w.pt").stat()
    assert (final.st_dev, final.st_ino) in synced, synced
    assert (tmp_path / "w.pt").is_file() and not list(tmp_path.glob(".*.tmp"))
