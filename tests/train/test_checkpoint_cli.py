"""Edited checkpoints reach the CLI as one line and exit 2, never a traceback (DESIGN §5)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from app.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")


def _edit(source: Path, target: Path, **changes) -> Path:
    payload = torch.load(source, weights_only=True)
    for key, value in changes.items():
        if key.startswith("config_") and key != "config_sha256":
            payload["config"][key.removeprefix("config_")] = value
        else:
            payload[key] = value
    torch.save(payload, target)
    return target


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format_version": "2"}, "is damaged or was modified: format_version has type str"),
        ({"classes": 5}, "is damaged or was modified: classes has type int"),
        ({"config_input_size": 96}, "is damaged or was modified: its configuration no longer matches"),
        ({"config_input_size": 33, "config_sha256": None}, "is damaged or was modified: config_sha256 has type"),
    ],
)
def test_edited_checkpoints_exit_2_in_evaluate_and_resume(tiny_patients, tiny_weights, tmp_path, capsys, changes, message):
    weights = _edit(tiny_weights, tmp_path / "edited.pt", **changes)
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(weights)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert main(["train", "grading", "--data", str(tiny_patients), "--resume", str(weights), "--epochs", "0.05", "--out", str(tmp_path / "r.pt")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


# Sizes above the range are left to tests/models: run through the old code, they allocate
# gigabytes for the photo and its activations.
@pytest.mark.parametrize("size", [0, -64, 33])
def test_an_older_checkpoint_with_a_bad_input_size_exits_2(tiny_patients, tiny_weights, tmp_path, capsys, size):
    # No config digest (as in files written before it, the shipped weights among them): the
    # configuration's ranges refuse the size before a network or a face crop is made with it.
    payload = torch.load(tiny_weights, weights_only=True)
    payload.pop("config_sha256", None)
    payload["format_version"] = 1  # (format 2 requires the digest)
    payload["config"]["input_size"] = size
    torch.save(payload, tmp_path / "old.pt")
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(tmp_path / "old.pt")]) == 2
    err = capsys.readouterr().err.strip()
    assert "input_size" in err and "multiple of 32" in err and len(err.splitlines()) == 1
