"""The demo banner follows the weights' bytes, not their name; the model errors the GUI shows
speak of Settings, never of a CLI option (audit defects 3 and 9)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import models.resources as resources
from app.analysis import load_model
from app.weights_info import weights_info
from models.errors import CheckpointError, PalsyError
from tests.gui.gui_helpers import close_window, make_window

SHIPPED_DEMO = resources.resources_dir() / "weights" / resources.DEMO_WEIGHTS


def _ship_as_demo(monkeypatch: pytest.MonkeyPatch, folder: Path, weights: Path) -> None:
    """Make `weights` the shipped demo weights: a manifest in a stand-in weights folder that
    lists its sha256 under demo_compact.pt."""
    folder.mkdir()
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    manifest = {"files": {resources.DEMO_WEIGHTS: {"sha256": digest, "config": "compact", "card": resources.DEMO_CARD}}}
    (folder / resources.WEIGHTS_MANIFEST).write_text(json.dumps(manifest))
    monkeypatch.setattr(resources, "weights_dir", lambda: folder)


def test_a_renamed_copy_of_the_demo_weights_is_still_demo(tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a copy of demo_compact.pt named clinic.pt loaded without the banner
    clinic = tmp_path / "clinic.pt"
    shutil.copy(tiny_weights, clinic)
    assert not load_model(str(clinic), "cpu").is_demo  # not the shipped demo weights (yet)
    assert not weights_info(str(clinic)).is_demo

    _ship_as_demo(monkeypatch, tmp_path / "shipped", tiny_weights)
    handle = load_model(str(clinic), "cpu")
    assert handle.is_demo and handle.name.startswith("clinic")
    info = weights_info(str(clinic))  # Settings says the same
    assert info.is_demo and "demonstration weights, not for diagnosis" in info.summary()


def test_a_name_that_says_demo_still_counts(tiny_weights: Path, tmp_path: Path) -> None:
    mine = tmp_path / "my_demo.pt"
    shutil.copy(tiny_weights, mine)
    assert load_model(str(mine), "cpu").is_demo and weights_info(str(mine)).is_demo
    assert resources.is_demo_weights(tmp_path / resources.DEMO_WEIGHTS, None)


def test_the_rule_without_a_usable_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "weights_dir", lambda: tmp_path)
    assert resources.demo_weights_sha256() is None  # no manifest
    (tmp_path / resources.WEIGHTS_MANIFEST).write_text("{not json")
    assert resources.demo_weights_sha256() is None
    (tmp_path / resources.WEIGHTS_MANIFEST).write_text(json.dumps({"files": {resources.DEMO_WEIGHTS: "abc"}}))
    assert resources.demo_weights_sha256() is None
    assert not resources.is_demo_weights(tmp_path / "clinic.pt", "a" * 64)
    assert not resources.is_demo_weights(tmp_path / "clinic.pt", None)


@pytest.mark.skipif(not SHIPPED_DEMO.is_file(), reason="the shipped demo weights are not in this checkout")
def test_the_shipped_demo_weights_under_another_name(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.pt"
    shutil.copy(SHIPPED_DEMO, clinic)
    info = weights_info(str(clinic))
    assert info.verified is None and info.is_demo  # no manifest beside it, the bytes are the demo's


def test_the_banner_shows_for_a_renamed_demo_copy(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path, monkeypatch) -> None:
    clinic = tmp_path / "clinic.pt"
    shutil.copy(tiny_weights, clinic)
    _ship_as_demo(monkeypatch, tmp_path / "shipped", tiny_weights)
    window = make_window(qtbot, data_folder, clinic)
    try:
        assert window.banner.isVisible() and "NOT FOR DIAGNOSIS" in window.banner.text()
        assert "clinic" in window.model_label.text()
    finally:
        close_window(window)


def test_model_errors_in_the_gui_name_settings_not_cli_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a folder was "weights file not found", and the banner said "pass ... with --weights"
    import torch

    folder = tmp_path / "dir.pt"
    folder.mkdir()
    messages = []
    with pytest.raises(CheckpointError) as caught:
        load_model(str(folder), "cpu")
    assert str(caught.value) == f"{folder.resolve()} is a folder, not a weights file; choose an existing weights file (.pt) in Settings"
    messages.append(str(caught.value))

    with pytest.raises(CheckpointError) as caught:
        load_model(str(tmp_path / "gone.pt"), "cpu")
    assert "weights file not found" in str(caught.value) and "in Settings" in str(caught.value)
    messages.append(str(caught.value))

    monkeypatch.setattr(resources, "weights_dir", lambda: tmp_path / "empty")
    with pytest.raises(CheckpointError) as caught:
        load_model("", "cpu")  # no weights chosen, none shipped
    assert "no weights available" in str(caught.value) and "in Settings" in str(caught.value)
    messages.append(str(caught.value))

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(PalsyError) as caught:
        load_model(str(folder), "cuda")
    assert "chosen in Settings" in str(caught.value)
    messages.append(str(caught.value))
    for message in messages:
        assert "--" not in message and "palsy " not in message, message


def test_the_banner_of_a_folder_as_weights(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    from app.camera.demo_source import DemoPatientSource
    from app.gateway_store import open_gateway
    from app.main_window import MainWindow, Services
    from app.settings import ModelSettings, Settings

    folder = tmp_path / "dir.pt"
    folder.mkdir()
    settings = Settings(model=ModelSettings(weights_path=str(folder), device="cpu"))
    gateway = open_gateway(data_folder)
    window = MainWindow(Services(settings=settings, gateway=gateway, source_factory=lambda: DemoPatientSource(frame_size=(320, 240))))
    window.show()
    try:
        qtbot.waitUntil(lambda: bool(window.model_error), timeout=20000)
        text = window.banner.text()
        assert window.banner.isVisible() and "is a folder, not a weights file" in text
        assert "Settings" in text and "--weights" not in text
    finally:
        close_window(window)
