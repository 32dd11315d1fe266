"""`palsy info`: the configurations, their sizes and the shipped weights."""

from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="show network configurations and shipped weights")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app import __version__, build_commit
    from app.records.migrations import LATEST_VERSION
    from models.checkpoint import read_manifest
    from models.config import CONFIGS

    info = {
        "version": __version__,
        "commit": build_commit(),
        "records_database_version": LATEST_VERSION,  # what this version reads and writes
        "configs": {name: {"input_size": c.input_size, "backbone": c.backbone} for name, c in CONFIGS.items()},
        "shipped_weights": read_manifest().get("files", {}),
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"palsy {info['version']} (commit {info['commit'] or 'unknown'}), "
              f"records database version {info['records_database_version']}")
        for name, c in info["configs"].items():
            print(f"config {name}: backbone {c['backbone']}, input {c['input_size']} px")
        for name, entry in info["shipped_weights"].items():
            print(f"weights {name}: sha256 {entry.get('sha256', '?')}")
    return 0
