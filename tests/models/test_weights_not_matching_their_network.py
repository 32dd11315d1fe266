"""A checkpoint whose weights do not fit the network its own configuration describes (an edited
file, or one written by another version whose network changed): the refusal says what that
means and what to use instead; the tensor name and shapes, which mean nothing to the person
choosing weights, go to the log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import torch

from models import build_model, get_config
from models.checkpoint import config_sha256, load_checkpoint, save_checkpoint
from models.errors import CheckpointError

REFUSAL = ("otherconfig.pt does not match the network its configuration describes (edited, or written by another "
           "version of Palsy Grader); use a checkpoint written by `palsy train` or the shipped weights")


def _other_config(tmp_path: Path) -> Path:
    """A fresh checkpoint with its attention doubled and the configuration digest written anew."""
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), tmp_path / "source.pt")
    payload = torch.load(tmp_path / "source.pt", weights_only=True)
    payload["config"]["attention_channels"] *= 2
    payload["config_sha256"] = config_sha256(payload["config"])
    torch.save(payload, tmp_path / "otherconfig.pt")
    return tmp_path / "otherconfig.pt"


def test_the_refusal_names_the_file_and_what_to_use_with_the_detail_in_the_log(tmp_path, caplog):
    path = _other_config(tmp_path)
    with caplog.at_level(logging.INFO, logger="models.checkpoint"), pytest.raises(CheckpointError) as caught:
        load_checkpoint(path)
    assert str(caught.value) == REFUSAL
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "otherconfig.pt" in logged and "size of e1.head" in logged
