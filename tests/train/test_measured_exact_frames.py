"""`--level measured-exact` on frames with one masks/EXPRESSION.png names the frame without a
mask and the mask it needs (review: "needs a mask for every photo (masks/EXPRESSION.png)",
though every expression had that mask: only the first frame takes it)."""

from __future__ import annotations

import shutil

from app.cli import main

from .conftest import draw_patients

PID = "p005_000"


def test_the_refusal_names_the_frame_without_a_mask(tmp_path, tiny_weights, capsys):
    root = draw_patients(tmp_path / "p", 1, seed=5)
    folder = root / PID
    shutil.copy(folder / "rest.png", folder / "rest_2.png")
    (folder / "rest.png").rename(folder / "rest_1.png")  # masks/rest.png: rest_1's, the first frame
    argv = ["evaluate", "grading", "--data", str(root), "--weights", str(tiny_weights), "--level", "measured-exact"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert (f"needs a mask for every photo, and {PID}/rest_2.png has none: add {PID}/masks/rest_2.png "
            "(masks/EXPRESSION.png goes with the expression's first frame only)") in err
