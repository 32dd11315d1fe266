"""`palsy train clinic` refuses the demo recipe's options in one line with exit 2, as it refuses
--lr or --epochs and as the single-stage modes refuse these five (audit a2 finding 2: the clinic
run accepted them, trained, wrote a card and had used none of them, not even a missing
--e1-from file)."""

from __future__ import annotations

import pytest

import models.train.clinic as clinic
from app.cli import main


@pytest.fixture
def no_clinic_run(monkeypatch):
    def started(*args, **kwargs):
        raise AssertionError("the clinic run started")

    monkeypatch.setattr(clinic, "run_clinic", started)


@pytest.mark.parametrize(
    "options, named",
    [
        (["--e1-from", "/nonexistent/e1.pt"], "--e1-from"),
        (["--keep-e2"], "--keep-e2"),
        (["--e1-polish-minutes", "1"], "--e1-polish-minutes"),
        (["--grading-at", "input"], "--grading-at"),
        (["--base-size", "64"], "--base-size"),
        (["--e1-from", "e1.pt", "--keep-e2", "--base-size", "64"], "--e1-from, --keep-e2, --base-size"),
    ],
)
def test_demo_options_are_refused_for_clinic(options, named, tiny_patients, tmp_path, capsys, no_clinic_run):
    argv = ["train", "clinic", "--data", str(tiny_patients), "--minutes", "1", "--out", str(tmp_path / "run"), *options]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert f"palsy train clinic does not take {named}: " in err
    assert "are for palsy train demo; palsy train clinic starts from --init" in err
    assert not (tmp_path / "run").exists()


def test_the_single_stage_modes_still_refuse_them(tiny_patients, tmp_path, capsys):
    argv = ["train", "grading", "--data", str(tiny_patients), "--out", str(tmp_path / "g.pt"), "--keep-e2"]
    assert main(argv) == 2
    assert "are for palsy train demo; for stage 2 on a trained E1 use palsy train grading --init" in capsys.readouterr().err
