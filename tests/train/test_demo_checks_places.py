"""`palsy train demo` checks its data and output folders before minutes of rendering and training."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import models.train.demo as demo
from models.errors import InputError
from models.train.demo import DATA_FOLDERS, DemoRecipe, run_demo


def _never_render(folder: Path, count: int, seed: int) -> None:
    raise AssertionError("rendered patients before the folders were checked")


def _data(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "data"
    for name in names:
        (root / name).mkdir(parents=True)
    return root


def test_a_missing_data_folder_fails_before_rendering(tmp_path: Path) -> None:
    # a missing shared/data/lfw_parts_fine was reported after 173 s of rendering
    root = _data(tmp_path, "fasseg", "fasseg_fine", "lfw_parts")
    recipe = DemoRecipe(data_root=str(root), work=str(tmp_path / "work"))
    with pytest.raises(InputError) as caught:
        run_demo(recipe, torch.device("cpu"), weights_dir=tmp_path / "out", render=_never_render)
    message = str(caught.value)
    assert str(root / "lfw_parts_fine") in message and "--data DIR" in message
    assert str(root / "fasseg") + "," not in message  # only the missing one is named
    assert not (tmp_path / "work").exists()


def test_a_read_only_weights_folder_fails_before_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a read-only resources/weights failed only after rendering 720 patients and training
    root = _data(tmp_path, *DATA_FOLDERS)
    weights = tmp_path / "weights"
    weights.mkdir()
    real = demo._probe_write

    def read_only(folder: Path) -> None:  # a read-only folder, without needing root to make one
        if folder == weights:
            raise PermissionError(13, "Permission denied", str(folder / ".palsy-probe"))
        real(folder)

    monkeypatch.setattr(demo, "_probe_write", read_only)
    recipe = DemoRecipe(data_root=str(root), work=str(tmp_path / "work"))
    with pytest.raises(InputError) as caught:
        run_demo(recipe, torch.device("cpu"), weights_dir=weights, render=_never_render)
    assert str(caught.value) == f"cannot write the weights into {weights} (Permission denied): choose a writable folder with --out DIR"


def test_the_write_probe_leaves_nothing_behind(tmp_path: Path) -> None:
    demo._probe_write(tmp_path / "new" / "weights")
    assert list((tmp_path / "new" / "weights").iterdir()) == []


def test_a_work_folder_that_is_a_file_fails_before_rendering(tmp_path: Path) -> None:
    root = _data(tmp_path, *DATA_FOLDERS)
    (tmp_path / "runs").write_text("not a folder")
    recipe = DemoRecipe(data_root=str(root), work=str(tmp_path / "runs" / "demo"))
    with pytest.raises(InputError, match="cannot write the run's work files into"):
        run_demo(recipe, torch.device("cpu"), weights_dir=tmp_path / "out", render=_never_render)
