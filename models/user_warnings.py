"""The one way a command warns its user: `palsy: warning: MESSAGE`, one line on stderr.

Kept in one place so every warning reads alike (the data set, the clinic run and the photo
preparation each printed their own) and so what is said once per process is decided here.
"""

from __future__ import annotations

import sys

PREFIX = "palsy: warning: "
_SAID: set[str] = set()  # messages given with once=True in this process


def print_warning(message: str, *, once: bool = False) -> None:
    """`PREFIX` + `message` on stderr, flushed so it comes before the progress lines that follow.
    With `once`, a message already given (with once) in this process is not repeated: a command
    opens one data set several times (split, scores, summary)."""
    if once:
        if message in _SAID:
            return
        _SAID.add(message)
    print(f"{PREFIX}{message}", file=sys.stderr, flush=True)
