"""`palsy self-test`: the installation check the bundled `PalsyGrader --self-test` runs."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "self-test", help="check the installation headless: weights checksum, demo patient, assessment, PDF"
    )
    from app.selftest import add_arguments

    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.selftest import run_from_args

    return run_from_args(args)
