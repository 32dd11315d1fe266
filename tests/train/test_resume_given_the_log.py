"""`palsy train --resume run.jsonl`: the training log, which sits beside the checkpoint, given
for it. The line says so and names the file to give, not --out and --log, which the user did
not give (both default from --resume)."""

from __future__ import annotations

import json

import pytest

from app.cli import main


@pytest.mark.parametrize("extra", [[], ["--out", "x.pt"]])
def test_the_training_log_given_as_resume_is_named_as_such(tiny_patients, tmp_path, capsys, extra):
    log = tmp_path / "t1.jsonl"
    log.write_text(json.dumps({"event": "start", "stage": "grading", "step": 0}) + "\n", encoding="utf-8")
    argv = ["train", "grading", "--data", str(tiny_patients), "--resume", str(log), *extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"palsy: error: --resume {log} is a training log (.jsonl), not a checkpoint: give the .pt file "
                   "palsy train wrote")
