"""A checkpoint's configuration cannot be edited by leaving out its digest (audit 17, s1 finding 4):
new files are written as format 2, which always carries `config_sha256`, so a file that lost it
is told from one written before it existed; and the shipped weights, which predate the digest,
load only with the configuration they shipped with (`grading_size` 128 -> 256, which changes no
tensor shape, graded the demo photos V instead of III)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from models import build_model, get_config
from models.checkpoint import (
    FORMAT_VERSION,
    SHIPPED_CONFIGS,
    config_sha256,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
    state_sha256,
)
from models.errors import CheckpointError
from models.resources import default_weights_path

NOT_MATCHING = "is damaged or was modified: its configuration no longer matches"
NOT_TRAINED_WITH = "is damaged or was modified: its configuration is not the one these weights were trained with"


@pytest.fixture
def written(tmp_path: Path) -> Path:
    """A small checkpoint as this version writes it."""
    path = tmp_path / "clinic.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path)
    return path


def _edited(source: Path, target: Path, edit) -> Path:  # noqa: ANN001 - a small test helper
    payload = torch.load(source, weights_only=True)
    payload["config"] = dict(payload["config"])
    edit(payload)
    torch.save(payload, target)
    return target


def test_new_checkpoints_are_written_as_format_2_with_their_digest(written: Path) -> None:
    payload = torch.load(written, weights_only=True)
    assert FORMAT_VERSION == 2 and payload["format_version"] == 2
    assert payload["config_sha256"] == config_sha256(payload["config"])


def test_a_new_file_whose_digest_was_removed_is_refused(written: Path, tmp_path: Path) -> None:
    def edit(payload: dict) -> None:
        payload["config"]["grading_size"] = 32
        del payload["config_sha256"]

    with pytest.raises(CheckpointError, match=NOT_MATCHING) as refused:
        read_checkpoint(_edited(written, tmp_path / "nodigest.pt", edit))
    assert "\n" not in str(refused.value)
    # the configuration untouched: still refused, a format-2 file always carries its digest
    with pytest.raises(CheckpointError, match=NOT_MATCHING):
        read_checkpoint(_edited(written, tmp_path / "bare.pt", lambda p: p.pop("config_sha256")))


def test_files_older_code_wrote_still_load(written: Path, tmp_path: Path) -> None:
    def format_1(payload: dict) -> None:  # as written before the format was raised: the digest, version 1
        payload["format_version"] = 1

    def before_the_digest(payload: dict) -> None:  # as written before config_sha256 existed
        payload["format_version"] = 1
        payload.pop("config_sha256")
        payload["config"]["grading_size"] = 32  # nothing vouched for it then: the shapes decide

    with_digest = _edited(written, tmp_path / "v1.pt", format_1)
    assert load_checkpoint(with_digest)[1]["format_version"] == 1
    model, meta = load_checkpoint(_edited(written, tmp_path / "legacy.pt", before_the_digest))
    assert "config_sha256" not in meta and model.config.grading_size == 32
    # a format-1 file with its digest is still checked against it
    edited = _edited(with_digest, tmp_path / "v1_edited.pt", lambda p: p["config"].__setitem__("grading_size", 32))
    with pytest.raises(CheckpointError, match=NOT_MATCHING):
        read_checkpoint(edited)


def _shipped_payload() -> dict:
    shipped = default_weights_path()
    if not shipped.is_file():
        pytest.skip("the shipped weights are not in this checkout")
    return torch.load(shipped, weights_only=True)


def test_the_shipped_configuration_recorded_in_code_is_the_shipped_files() -> None:
    payload = _shipped_payload()
    assert payload["format_version"] == 1 and "config_sha256" not in payload  # why it is recorded in code
    assert list(SHIPPED_CONFIGS) == [state_sha256(payload["state_dict"])]
    assert config_sha256(SHIPPED_CONFIGS[payload["state_sha256"]]) == config_sha256(payload["config"])


def _as_shipped(tmp_path: Path, name: str, **config) -> Path:
    """A small file holding the shipped weights' digest as its own, as a copy of them would:
    the check compares configurations by the weights' digest, so the real 12 MB file is not needed."""
    payload = _shipped_payload()
    payload["config"] = {**payload["config"], **config}
    path = tmp_path / name
    torch.save(payload, path)
    return path


def test_a_copy_of_the_shipped_weights_with_an_edited_configuration_is_refused(tmp_path: Path) -> None:
    path = _as_shipped(tmp_path, "config_grading_size.pt", grading_size=256)
    with pytest.raises(CheckpointError, match=NOT_TRAINED_WITH) as refused:
        load_checkpoint(path)
    assert str(refused.value).startswith("config_grading_size.pt ") and "\n" not in str(refused.value)
    # a digest written to match the edited configuration does not vouch for it either
    vouched = _edited(path, tmp_path / "vouched.pt", lambda p: p.update(config_sha256=config_sha256(p["config"])))
    with pytest.raises(CheckpointError, match=NOT_TRAINED_WITH):
        read_checkpoint(vouched)


def test_a_copy_of_the_shipped_weights_as_shipped_loads(tmp_path: Path) -> None:
    path = _as_shipped(tmp_path, "copy.pt")
    model, meta = load_checkpoint(path)
    assert model.config.grading_size == 128 and meta["state_sha256"] in SHIPPED_CONFIGS
    # with the shipped digest removed, the weights are still recognised by their contents
    payload = torch.load(path, weights_only=True)
    payload.pop("state_sha256")
    payload["config"]["grading_size"] = 256
    torch.save(payload, tmp_path / "no_state_digest.pt")
    with pytest.raises(CheckpointError, match=NOT_TRAINED_WITH):
        read_checkpoint(tmp_path / "no_state_digest.pt")


def test_the_shipped_weights_saved_again_by_this_version_load(tmp_path: Path) -> None:
    # the configuration gains the settings added since the weights shipped, at their defaults
    model, meta = load_checkpoint(_as_shipped(tmp_path, "copy.pt"))
    save_checkpoint(model, tmp_path / "resaved.pt", half=True)
    payload = read_checkpoint(tmp_path / "resaved.pt")
    assert payload["state_sha256"] == meta["state_sha256"] and set(payload["config"]) > set(meta["config"])

    def slope(payload: dict) -> None:  # a setting changed on the way, its digest written to match
        payload["config"]["e2_negative_slope"] = 0.3
        payload["config_sha256"] = config_sha256(payload["config"])

    with pytest.raises(CheckpointError, match=NOT_TRAINED_WITH):  # the same weights, another network
        read_checkpoint(_edited(tmp_path / "resaved.pt", tmp_path / "slope.pt", slope))
