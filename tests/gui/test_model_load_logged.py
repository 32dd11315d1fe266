"""The log says which weights the window loaded (file, sha256, config, device) and why it
refused a file: support reads a damaged or tampered weights file in palsy.log, not only on the
therapist's red banner."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from tests.gui.gui_helpers import WAIT_MS, close_window, make_window


def _tampered_copy(weights: Path, folder: Path) -> Path:
    """`weights` with one weight changed after saving: its recorded digest no longer matches."""
    payload = torch.load(weights, weights_only=True)
    key = next(k for k, v in payload["state_dict"].items() if v.is_floating_point() and v.numel() > 1)
    payload["state_dict"][key].view(-1)[0] += 0.5
    tampered = folder / "tampered.pt"
    torch.save(payload, tampered)
    return tampered


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "app.window_model"]


def test_a_loaded_model_is_logged_with_its_file_checksum_config_and_device(
        qtbot, caplog, data_folder: Path, tiny_weights: Path) -> None:
    caplog.set_level(logging.INFO)
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        [record] = _lines(caplog)
        said = record.getMessage()
        assert record.levelno == logging.INFO
        assert str(tiny_weights) in said and "compact" in said and "device cpu" in said
        assert hashlib.sha256(tiny_weights.read_bytes()).hexdigest() in said
    finally:
        close_window(window)


def test_a_tampered_weights_file_is_logged_with_its_path_and_reason_without_a_traceback(
        qtbot, caplog, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    tampered = _tampered_copy(tiny_weights, tmp_path)
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        caplog.clear()
        caplog.set_level(logging.INFO)
        window.apply_settings(replace(window.settings, model=replace(window.settings.model, weights_path=str(tampered))))
        qtbot.waitUntil(lambda: bool(window.model_error), timeout=WAIT_MS)
        assert "damaged or was modified" in window.banner.text()
        [record] = _lines(caplog)
        said = record.getMessage()
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert str(tampered) in said and "damaged or was modified" in said and "cpu" in said
    finally:
        close_window(window)
