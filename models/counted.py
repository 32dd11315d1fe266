"""A count with its noun in the right number: "1 step", "2 steps", shared by every message
and card that reports how many of something there were."""
from __future__ import annotations


def counted(n: object, noun: str, plural: str | None = None) -> str:
    """`n` followed by `noun`, or by `plural` (default: noun + "s") unless `n` is exactly 1."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
