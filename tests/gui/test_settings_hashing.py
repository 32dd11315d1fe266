"""Settings hashes a weights file once after typing pauses, not at every keystroke, and not at
all when the file is larger than any checkpoint (audit finding 7)."""

from __future__ import annotations

import os
from pathlib import Path

import app.weights_info as weights_info_module
from app.pages.settings_dialog import CHECKSUM_DELAY_MS, SettingsDialog
from app.settings import Settings
from app.weights_info import MAX_CHECKED_BYTES, weights_info


def test_typing_a_path_hashes_once_after_a_pause(qtbot, tmp_path: Path, hashes: list[str]) -> None:
    for name in ("w", "w.", "w.p", "w.pt"):  # every prefix typed names a file
        (tmp_path / name).write_bytes(name.encode() * 1000)
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.weights.setText(str(tmp_path) + os.sep)  # Browse-like: checked at once
    hashes.clear()
    qtbot.keyClicks(dialog.weights, "w.pt")
    assert hashes == []  # nothing while typing
    assert dialog.checksum.text() == "checking…"  # not the earlier file's verdict meanwhile
    qtbot.waitUntil(lambda: "sha256 " in dialog.checksum.text(), timeout=5 * CHECKSUM_DELAY_MS)
    assert hashes == ["w.pt"]  # the file typed, once (is_demo_weights reuses the digest)
    assert dialog.checksum.text() == weights_info(str(tmp_path / "w.pt")).summary()


def test_a_file_set_at_once_is_hashed_at_once_and_once(qtbot, tmp_path: Path, hashes: list[str]) -> None:
    weights = tmp_path / "clinic.pt"
    weights.write_bytes(b"not really weights")
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    hashes.clear()
    dialog.weights.setText(str(weights))
    assert hashes == ["clinic.pt"] and "sha256 " in dialog.checksum.text()


def test_a_file_larger_than_any_checkpoint_is_not_hashed(tmp_path: Path, hashes: list[str]) -> None:
    huge = tmp_path / "huge.pt"
    with open(huge, "wb") as handle:  # sparse: no disk used
        handle.truncate(MAX_CHECKED_BYTES + 1)
    info = weights_info(str(huge))
    assert hashes == [] and info.sha256 is None
    assert info.summary().startswith("not checked: the file is 1.0 GiB") and "loading it checks it" in info.summary()
    assert weights_info_module.MAX_CHECKED_BYTES >= 351 * 2**20  # the paper configuration's checkpoint fits
