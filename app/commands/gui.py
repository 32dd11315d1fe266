"""`palsy gui`: open the therapist's application (torch is imported only after the window shows)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gui", help="open the therapist's application")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.display_check import missing_display
    from models.errors import InputError

    reason = missing_display()
    if reason:
        raise InputError(reason)
    from app.gui_main import main

    return main([])
