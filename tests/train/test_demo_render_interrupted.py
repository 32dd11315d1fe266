"""Ctrl-C while `palsy train demo` renders its synthetic patients is an interruption (exit 130,
`palsy: interrupted` once, with the resume hint), not a failure of `palsy synth` (exit 2); and
running the command again renders the interrupted set over its partial folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.commands.train import _render_patients


def test_ctrl_c_while_rendering_is_reported_as_an_interruption_with_the_resume_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def ctrl_c(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    def demo_rendering(recipe: Any, device: Any, weights_dir: Any = None, render: Any = None, progress: Any = None) -> None:
        render(tmp_path / "patients_train", 16, 1)  # the recipe's first step

    monkeypatch.setattr("models.data.synthetic.dataset.write_patient_dataset", ctrl_c)
    monkeypatch.setattr("models.train.demo.run_demo", demo_rendering)
    code = main(["train", "demo", "--out", str(tmp_path / "weights")])
    out, err = capsys.readouterr()
    assert code == 130
    assert err.splitlines() == ["palsy: interrupted (the steps done are kept: run the same command again to resume)"]


def test_rendering_again_writes_over_an_interrupted_set(tmp_path: Path) -> None:
    out = tmp_path / "patients_train"
    (out / "syn_stale").mkdir(parents=True)  # what an interrupted rendering leaves: folders, no labels.csv
    _render_patients(out, 2, 1)
    assert (out / "labels.csv").is_file()
