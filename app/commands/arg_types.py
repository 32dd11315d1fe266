"""argparse types shared by the commands: a bad number is argparse's one-line usage error
(exit 2) before anything runs, never a traceback from torch or numpy later."""

from __future__ import annotations

import argparse

from models.numbers import finite_above_zero

MAX_SEED = 2**32 - 1  # numpy's seeds


def threads(text: str) -> int:
    """--threads: CPU threads for torch, 1 or more."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def count(text: str) -> int:
    """A whole number of 1 or more (patients, steps, runs)."""
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"give 1 or more, got {value}")
    return value


def seed(text: str) -> int:
    """--seed: 0 to 2**32 - 1, as numpy takes it."""
    value = _int(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be 0 to {MAX_SEED}, got {value}")
    return value


def positive_number(text: str) -> float:
    """A finite number above 0 (learning rates, minutes, epochs)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}{_decimal_point_hint(text)}") from None
    if not finite_above_zero(value):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0, got {text}")
    return value


def _decimal_point_hint(text: str) -> str:
    """"; use a decimal point: 0.0002" when `text` is a number written with a decimal comma
    ("0,0002", as German or French write it), else "": the refusal did not say what was wrong."""
    pointed = text.replace(",", ".") if text.count(",") == 1 else ""
    try:
        float(pointed)
    except ValueError:
        return ""
    return f"; use a decimal point: {pointed.strip()}"


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
