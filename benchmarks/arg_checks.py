"""argparse types for the benchmarks' input paths (not a benchmark itself): a mistyped file or
folder is argparse's one-line usage error (exit 2) before any model or data is loaded, as
`app.commands.arg_types` makes a bad number; the values stay the strings given."""

from __future__ import annotations

import argparse
from pathlib import Path


def existing_file(text: str) -> str:
    """A file that exists (a checkpoint)."""
    if not Path(text).is_file():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    return text


def existing_folder(text: str) -> str:
    """A folder that exists (a patient or parsing data set)."""
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text}: no such folder")
    return text
