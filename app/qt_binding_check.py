"""Whether the installed PySide6 keeps Python's None alive.

PySide6 6.12.0 on Python 3.10 and 3.11 releases a reference to None it never took on every
call that returns nothing (`setText`, `setVisible`, `setObjectName`...) or returns a None
value. None's count falls by about a thousand a second while the capture page shows the
camera, and Python aborts the process ("Fatal Python error: none_dealloc: deallocating
None") after about two minutes or twenty patients: a capture in progress is lost (a soak
audit of 2026-12-06, `docs/gui.md`). From Python 3.12 None is immortal and nothing happens.

`binding_fault()` measures it rather than trusting a version list: 64 calls of a void method
on a QObject must leave None's count as it was. The GUI refuses to start (one message naming
the fix) and the self-test fails on such a binding; pyproject.toml and the bundle's
requirements keep PySide6 below 6.12 on Python before 3.12.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

PROBE_CALLS = 64


def none_drop_per_call(call: Callable[[], object], calls: int = PROBE_CALLS) -> float:
    """How many references to None each of `calls` calls of `call` released (0 for a sound
    binding; about 1 for the faulty one), measured on one thread in a tight loop."""
    before = sys.getrefcount(None)
    for _ in range(calls):
        call()
    after = sys.getrefcount(None)
    return (before - after) / calls


def _void_qt_call() -> Callable[[], object]:
    from PySide6.QtCore import QObject

    probe = QObject()
    return lambda: probe.setObjectName("probe")


def binding_fault(
    version_info: tuple[int, ...] = tuple(sys.version_info), call: Callable[[], object] | None = None,
) -> str | None:
    """Why this PySide6 would crash the application, or None when it is sound (always None
    from Python 3.12, where None cannot be freed). `call`: the void call to measure (a
    QObject's `setObjectName` by default)."""
    if tuple(version_info[:2]) >= (3, 12):
        return None
    import PySide6

    if none_drop_per_call(call or _void_qt_call()) < 0.5:
        return None
    python = ".".join(str(part) for part in version_info[:3])
    return (f"PySide6 {PySide6.__version__} has a fault on Python {python}: each Qt call frees a reference to "
            "Python's None that it never took, and the application would crash after a few minutes of use, "
            "losing the capture in progress. Install another PySide6 release (for example: "
            "pip install \"PySide6-Essentials<6.12\"), or run Palsy Grader on Python 3.12 or newer.")
