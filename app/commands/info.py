"""`palsy info`: the configurations, their sizes and the shipped weights (the manifest's sha256
of each, and whether the installed file still has it)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info", help="show network configurations and shipped weights",
        epilog="exit 0; 3 when a shipped weights file does not match the manifest's sha256 (damaged or replaced)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app import __version__, build_commit
    from app.records.migrations import LATEST_VERSION
    from models.checkpoint import read_manifest
    from models.config import CONFIGS
    from models.resources import weights_dir

    info = {
        "version": __version__,
        "commit": build_commit(),
        "records_database_version": LATEST_VERSION,  # what this version reads and writes
        "configs": {name: {"input_size": c.input_size, "backbone": c.backbone} for name, c in CONFIGS.items()},
        "shipped_weights": read_manifest(weights_dir()).get("files", {}),
    }
    for name, entry in info["shipped_weights"].items():  # additive key: true, false, or null (no file, no sha256)
        entry["file_matches"] = file_matches(weights_dir() / name, entry.get("sha256"))
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"palsy {info['version']} (commit {info['commit'] or 'unknown'}), "
              f"records database version {info['records_database_version']}")
        for name, c in info["configs"].items():
            print(f"config {name}: backbone {c['backbone']}, input {c['input_size']} px")
        for name, entry in info["shipped_weights"].items():
            listed = entry.get("sha256")
            # "weights NAME: sha256 HEX" first, as before (scripts read the fourth field), the verdict after
            print(f"weights {name}: " + (f"sha256 {listed} (the manifest's); {MATCH_WORDS[entry['file_matches']]}"
                                         if listed else "the manifest lists no sha256 for it"))
    # a damaged shipped file fails `palsy info && echo ok`, as every command loading it fails
    return DAMAGED if any(entry["file_matches"] is False for entry in info["shipped_weights"].values()) else 0


DAMAGED = 3  # the exit status when an installed shipped weights file does not match the manifest


MATCH_WORDS = {
    True: "the file matches it",
    False: "the file does NOT match it: it is damaged or was replaced, and will be refused (reinstall the "
           "application; in a source checkout: git checkout resources/weights)",
    None: "the file is not installed",
}


def file_matches(path: Path, expected: str | None) -> bool | None:
    """Whether the file at `path` has the sha256 the manifest lists (None: no file, or none listed)."""
    from models.resources import sha256_of

    if not expected or not path.is_file():
        return None
    return sha256_of(path) == expected
