"""`palsy evaluate parsing` on a set with its own ignore value or a stray mask value."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.cli import main
from models.checkpoint import load_checkpoint
from models.train.evaluation import evaluate_parsing

pytestmark = pytest.mark.usefixtures("one_thread")


def _small_lfw(shared_data: Path, out: Path, ignore: int) -> Path:
    """Four LFW Part Labels val photos, their masks' ignore value moved to `ignore`."""
    source = shared_data / "lfw_parts"
    names = [line.split(",")[0] for line in (source / "splits.csv").read_text().splitlines()[1:] if line.endswith(",val")][:4]
    for sub in ("images", "masks"):
        (out / sub).mkdir(parents=True)
    for name in names:
        shutil.copy(source / "images" / f"{name}.jpg", out / "images")
        mask = cv2.imread(str(source / "masks" / f"{name}.png"), cv2.IMREAD_UNCHANGED)
        mask[:6] = 255  # a band the set does not label
        cv2.imwrite(str(out / "masks" / f"{name}.png"), np.where(mask == 255, ignore, mask).astype(np.uint8))
    spec = json.loads((source / "classes.json").read_text())
    (out / "classes.json").write_text(json.dumps({**spec, "ignore_index": ignore}))
    return out


def test_a_sets_own_ignore_value_is_ignored(tiny_weights, shared_data, tmp_path):
    # classes.json "ignore_index": 100 trained fine but crashed evaluation ("labels must lie in 0..2")
    model, _ = load_checkpoint(tiny_weights)
    usual = evaluate_parsing(model, _small_lfw(shared_data, tmp_path / "a", 255), "all")
    assert evaluate_parsing(model, _small_lfw(shared_data, tmp_path / "b", 100), "all") == usual


def test_a_stray_mask_value_is_one_line_naming_the_file(tiny_weights, shared_data, tmp_path, capsys):
    data = _small_lfw(shared_data, tmp_path / "s", 255)
    first = sorted((data / "masks").iterdir())[0]
    mask = cv2.imread(str(first), cv2.IMREAD_UNCHANGED)
    mask[20, 20] = 7
    cv2.imwrite(str(first), mask)
    assert main(["evaluate", "parsing", "--data", str(data), "--weights", str(tiny_weights), "--split", "all"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and first.name in err and "mask value 7 is not a class of this set (0..2" in err

