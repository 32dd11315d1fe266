"""Whether the GUI has a screen to open on (Linux without a desktop session: Qt would abort
with a message about a missing xcb library, although the library is there)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping


def missing_display(platform: str = sys.platform, env: Mapping[str, str] = os.environ) -> str | None:
    """Why the window cannot open, or None. Only Linux needs a display server named in the
    environment; a QT_QPA_PLATFORM set by the user (offscreen, vnc...) is taken as given."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): start it "
            "from the desktop session, or run the headless demo with: palsy demo")
