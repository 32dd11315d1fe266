"""argparse types shared by the commands: a bad number is argparse's one-line usage error
(exit 2) before anything runs, never a traceback from torch or numpy later."""

from __future__ import annotations

import argparse
import re

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
    """"; use a decimal point: 0.0002" when `text` is a number above 0 written with a decimal
    comma ("0,0002", as German or French write it), the thousands separator's advice when it
    reads as one (`_thousands_hint`), else "": the refusal did not say what was wrong. A number
    the point would not make valid ("-0,5") gets no advice that is refused in turn."""
    bare = text.strip()
    if _THOUSANDS.fullmatch(bare):
        return _thousands_hint(bare, fraction=True)
    pointed = bare.replace(",", ".") if bare.count(",") == 1 else ""
    try:
        value = float(pointed)
    except ValueError:
        return ""
    return f"; use a decimal point: {pointed}" if finite_above_zero(value) else ""


# digits grouped in threes by commas ("1,000", "12,500,000"), as English writes thousands
_THOUSANDS = re.compile(r"\+?[1-9][0-9]{0,2}(,[0-9]{3})+")


def _thousands_hint(bare: str, *, fraction: bool) -> str:
    """The advice for a number written with thousands separators: "1,000" for --epochs is one
    thousand in English and was advised as "1.000" (one), which trained for one epoch. Where
    the option takes a `fraction`, a decimal comma reads the same: both are said."""
    hint = f"; write numbers without a thousands separator: {bare.replace(',', '')}"
    if fraction and bare.count(",") == 1:
        hint += f" (a fraction takes a decimal point: {bare.replace(',', '.')})"
    return hint


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        hint = _thousands_hint(text.strip(), fraction=False) if _THOUSANDS.fullmatch(text.strip()) else ""
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}{hint}") from None
