"""Where shipped resources live, both from a source checkout and inside a PyInstaller bundle."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# The shipped demo weights and their model card in `weights_dir()` (written by `palsy train demo`,
# loaded by default by the app, the CLI and the bundle's self-test).
DEMO_WEIGHTS = "demo_compact.pt"
DEMO_CARD = "demo_compact.md"
# The shipped weights' checksums, `{"files": {name: {"sha256": ...}}}`, in `weights_dir()`.
WEIGHTS_MANIFEST = "manifest.json"


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


def listed_sha256(weights: str | os.PathLike) -> str | None:
    """The sha256 the manifest.json beside `weights` lists for it, or None when the manifest is
    missing, unreadable or does not list it (read with json only: no torch; loading refuses an
    unreadable manifest, `models.checkpoint.read_manifest`, this only informs)."""
    file = Path(weights)
    try:
        files = json.loads((file.parent / WEIGHTS_MANIFEST).read_text(encoding="utf-8")).get("files", {})
        digest = files.get(file.name, {}).get("sha256")
    except (OSError, ValueError, AttributeError):
        return None
    return digest if isinstance(digest, str) and digest else None


def demo_weights_sha256() -> str | None:
    """The sha256 the shipped manifest.json lists for the demo weights (lower case), or None."""
    digest = listed_sha256(default_weights_path())
    return digest.lower() if digest else None


def is_demo_weights(path: str | os.PathLike, sha256: str | None) -> bool:
    """Whether a weights file is the demonstration model (not for diagnosis): its bytes are
    the shipped demo weights' (`sha256`, the file's digest, equals the one the shipped
    manifest lists), whatever the file is called, or its name says demo (`demo_compact.pt`,
    `my_demo.pt`). The GUI's red banner and Settings both ask this."""
    file = Path(path)
    if file.name == DEMO_WEIGHTS or "demo" in file.stem.lower():
        return True
    shipped = demo_weights_sha256()
    return bool(sha256) and shipped is not None and sha256.lower() == shipped


def shared_data_dir() -> Path:
    """The development face-parsing data, `../shared/data` beside the checkout.

    Never bundled (its licences are research-only). PALSY_SHARED_DATA overrides it.
    """
    override = os.environ.get("PALSY_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data"
