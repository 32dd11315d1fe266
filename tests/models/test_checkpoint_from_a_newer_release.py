"""A checkpoint whose configuration holds a setting a newer release added (its digest intact)
is said to be written by a newer Palsy Grader, not to have an invalid configuration, which
reads like a damaged file."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from models import build_model, get_config
from models.checkpoint import config_sha256, load_checkpoint, save_checkpoint
from models.errors import CheckpointError


def _with_setting(tmp_path: Path, digest: bool) -> Path:
    path = tmp_path / "future.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path)
    payload = torch.load(path, weights_only=True)
    payload["config"]["e2_future_option"] = True
    if digest:  # as the newer release wrote it
        payload["config_sha256"] = config_sha256(payload["config"])
    else:  # as a file written before the digest existed: nothing vouches for the setting
        payload.pop("config_sha256")
        payload["format_version"] = 1
    torch.save(payload, path)
    return path


def test_an_unknown_setting_from_a_newer_release_says_update(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError) as refused:
        load_checkpoint(_with_setting(tmp_path, digest=True))
    assert str(refused.value) == ("future.pt was written by a newer Palsy Grader (unknown setting e2_future_option); "
                                  "update the application")


def test_without_a_digest_it_stays_invalid(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="future.pt: its configuration is invalid"):
        load_checkpoint(_with_setting(tmp_path, digest=False))
