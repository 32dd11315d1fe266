"""Where shipped resources live, both from a source checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The shipped demo weights and their model card in `weights_dir()` (written by `palsy train demo`,
# loaded by default by the app, the CLI and the bundle's self-test).
DEMO_WEIGHTS = "demo_compact.pt"
DEMO_CARD = "demo_compact.md"


def resources_dir() -> Path:
    """The `resources/` folder: under sys._MEIPASS when frozen, else beside the packages."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def weights_dir() -> Path:
    """Folder of shipped weights, their manifest.json and model cards."""
    return resources_dir() / "weights"


def default_weights_path() -> Path:
    """The shipped weights file (it may not exist yet in a source checkout)."""
    return weights_dir() / DEMO_WEIGHTS


def shared_data_dir() -> Path:
    """The development face-parsing data, `../shared/data` beside the checkout.

    Never bundled (its licences are research-only). PALSY_SHARED_DATA overrides it.
    """
    override = os.environ.get("PALSY_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"
