"""Helpers of the start-up tests (`build_window` over a settings file)."""

from __future__ import annotations

from pathlib import Path


def naming_folder(settings_path: str, folder: Path) -> str:
    """`settings_path`, written as a settings file that names `folder` as the data folder."""
    Path(settings_path).write_text(f"[clinic]\ndata_folder={folder}\n")
    return settings_path


def close_window(window) -> None:  # noqa: ANN001 - a MainWindow
    """Close a window `build_window` made, with its records gateway."""
    window.close()
    window.gateway.close()
    window.deleteLater()
