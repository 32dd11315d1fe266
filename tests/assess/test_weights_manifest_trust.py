"""Only the install's own manifest.json says where a weights file came from (audit: a tampered copy
of the demo weights with a self-made manifest beside it showed "(matches the manifest)" in
Settings). A manifest beside a file elsewhere still catches damage, but never verifies the file,
and removing the recorded weights digest cannot hide the demo's weights."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

import models.resources as resources
from app.analysis import load_model
from app.weights_info import weights_info
from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint, sha256_of
from models.config import COMPACT
from models.errors import CheckpointError
from models.pipeline.loader import clear_model_cache

UNLISTED = "not in the shipped manifest: its origin is not checked"


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in install weights folder: a small demo checkpoint and its manifest."""
    folder = tmp_path / "shipped"
    folder.mkdir()
    demo = folder / resources.DEMO_WEIGHTS
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=0), demo, training={"command": "palsy train demo"}, half=True)
    manifest = {"files": {resources.DEMO_WEIGHTS: {"sha256": sha256_of(demo)}}}
    (folder / resources.WEIGHTS_MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setattr(resources, "weights_dir", lambda: folder)
    clear_model_cache()
    yield demo
    clear_model_cache()


def _own_manifest(weights: Path) -> None:
    """A manifest.json beside `weights` that lists its sha256, as anyone can write one."""
    manifest = {"files": {weights.name: {"sha256": sha256_of(weights)}}}
    (weights.parent / resources.WEIGHTS_MANIFEST).write_text(json.dumps(manifest))


def _tampered(source: Path, target: Path) -> Path:
    """The demo weights with one bias changed, the digest recomputed and a clinic's command."""
    from models.checkpoint import state_sha256

    payload = torch.load(source, weights_only=True)
    key = sorted(k for k in payload["state_dict"] if k.endswith("bias"))[-1]
    payload["state_dict"][key] = payload["state_dict"][key] + 1
    payload["state_sha256"] = state_sha256(payload["state_dict"])
    payload["training"] = {"command": "palsy train clinic --data x"}
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, target)
    return target


def test_a_self_made_manifest_does_not_verify_a_file(shipped: Path, tmp_path: Path) -> None:
    fake = _tampered(shipped, tmp_path / "fake" / "hospital_v2.pt")
    _own_manifest(fake)
    info = weights_info(str(fake))
    assert info.verified is None and info.manifest_sha256 is None
    text = info.summary()
    assert UNLISTED in text and "matches the shipped manifest" not in text and "(matches the manifest" not in text
    assert "shows it undamaged, not where it came from" in text
    load_checkpoint(fake)  # still loads: clinics train their own weights


def test_a_self_made_manifest_named_like_the_demo_keeps_the_demo_label(shipped: Path, tmp_path: Path) -> None:
    fake = _tampered(shipped, tmp_path / "copy" / resources.DEMO_WEIGHTS)
    _own_manifest(fake)
    info = weights_info(str(fake))
    assert info.verified is None and info.is_demo and UNLISTED in info.summary()


def test_a_manifest_beside_a_file_still_catches_damage(shipped: Path, tmp_path: Path) -> None:
    mine = tmp_path / "clinic" / "clinic.pt"
    mine.parent.mkdir()
    save_checkpoint(build_model(COMPACT.with_input_size(64), seed=1), mine, training={"command": "palsy train clinic"})
    _own_manifest(mine)
    with open(mine, "ab") as handle:
        handle.write(b"x")
    info = weights_info(str(mine))
    assert info.verified is None and "DOES NOT match the manifest.json beside it" in info.summary()
    with pytest.raises(CheckpointError, match="manifest.json beside it"):
        load_checkpoint(mine)


def test_only_the_installed_file_matches_the_shipped_manifest(shipped: Path) -> None:
    info = weights_info(str(shipped))
    assert info.verified is True and "(matches the shipped manifest; demonstration" in info.summary()
    with open(shipped, "ab") as handle:
        handle.write(b"x")
    info = weights_info(str(shipped))
    assert info.verified is False and "DOES NOT match the shipped manifest" in info.summary()


def test_removing_the_recorded_digest_does_not_hide_the_demo_weights(shipped: Path, tmp_path: Path) -> None:
    payload = torch.load(shipped, weights_only=True)
    del payload["state_sha256"]  # as if written before the field existed
    payload["training"] = {"command": "palsy train clinic --data x"}
    clinic = tmp_path / "clinic.pt"
    torch.save(payload, clinic)
    _model, meta = load_checkpoint(clinic)
    assert meta["state_sha256"] == torch.load(shipped, weights_only=True)["state_sha256"]
    handle = load_model(str(clinic), "cpu")
    assert handle.model.info.demo and handle.meta["demo"]  # the record, so the report's warning
    assert handle.is_demo  # the GUI's red banner, asked after the load without the loaded dict


def test_a_copy_of_the_shipped_file_elsewhere_is_not_verified(shipped: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "clinic.pt"
    copy.parent.mkdir()
    shutil.copy(shipped, copy)
    info = weights_info(str(copy))
    assert info.verified is None and info.is_demo and UNLISTED in info.summary()


def test_a_link_in_the_install_folder_is_the_installs_file(shipped: Path, tmp_path: Path) -> None:
    # review: a file of the install's folder that is a link to elsewhere (as a bundle may link
    # its data files) was "not in the shipped manifest", its own manifest called "beside it"
    elsewhere = tmp_path / "store" / "real.pt"
    elsewhere.parent.mkdir()
    shutil.move(shipped, elsewhere)
    shipped.symlink_to(elsewhere)
    assert resources.in_weights_dir(shipped)
    assert "matches the shipped manifest" in weights_info(str(shipped)).summary()
    assert not resources.in_weights_dir(elsewhere)  # the target itself, elsewhere, is not
