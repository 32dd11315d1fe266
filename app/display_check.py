"""Whether the GUI has a screen to open on (Linux without a desktop session, or with a DISPLAY
left over from another session: Qt would abort with a message about a missing xcb library,
although the library is there). Checked without Qt: a socket connect, a file test."""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

X11_SOCKET_DIR = Path("/tmp/.X11-unix")
X11_TCP_BASE = 6000
CONNECT_TIMEOUT_S = 1.0

_ADVICE = "start it from the desktop session, or run the headless demo with: palsy demo"


def missing_display(platform: str = sys.platform, env: Mapping[str, str] = os.environ,
                    x11_dir: Path = X11_SOCKET_DIR) -> str | None:
    """Why the window cannot open, or None. Only Linux needs a display server named in the
    environment; a QT_QPA_PLATFORM set by the user (offscreen, vnc...) is taken as given. A
    named display that answers (either of the two, when both are set) lets the window try;
    a display whose form is not understood is given the benefit of the doubt."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return None
    named = {name: env.get(name, "") for name in ("DISPLAY", "WAYLAND_DISPLAY") if env.get(name)}
    if not named:
        return ("there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): " + _ADVICE)
    found: dict[str, str] = {}
    for name in sorted(named, reverse=True):  # Wayland's file test first: an X connect may wait
        value = named[name]
        problem = x11_unreachable(value, x11_dir) if name == "DISPLAY" else wayland_unreachable(value, env)
        if problem is None:
            return None
        found[name] = f"{name}={value} ({problem})"
    problems = [found[name] for name in named]
    one = len(problems) == 1
    return (f"the display{'' if one else 's'} in {' and '.join(problems)} cannot be reached: the "
            f"variable{'' if one else 's'} may be left over from another session (ssh, sudo, tmux, screen) or X "
            "forwarding failed; " + _ADVICE)


def x11_unreachable(display: str, x11_dir: Path = X11_SOCKET_DIR, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why no X server answers at `display` (":0", "unix:0", "host:10.0", "tcp/host:0"), or None
    when one accepts the connection or the form is not one understood here."""
    protocol, _, rest = display.rpartition("/") if "/" in display.split(":", 1)[0] else ("", "", display)
    host, sep, number = rest.rpartition(":")
    number = number.split(".", 1)[0]
    if not sep or not number.isdigit() or protocol not in ("", "unix", "tcp", "inet", "inet6"):
        return None
    if host.endswith(":") and host.count(":") == 1:  # DECnet "node::0": not checked here
        return None
    host = host.strip("[]")
    if protocol in ("", "unix") and host in ("", "unix"):
        path = x11_dir / f"X{number}"
        # Linux's Xlib tries the abstract socket first, then the file: either will do.
        for address in ("\0" + str(path), str(path)):
            if _connects(socket.AF_UNIX, address, timeout):
                return None
        return f"no X server listens at {path}"
    port = X11_TCP_BASE + int(number)
    try:
        with socket.create_connection((host or "localhost", port), timeout=timeout):
            return None
    except OSError as error:
        return f"no X server answers at {host or 'localhost'} port {port}: {error.strerror or error}"


def wayland_unreachable(name: str, env: Mapping[str, str]) -> str | None:
    """Why no Wayland compositor can be reached under `name`, or None when its socket exists."""
    if os.path.isabs(name):
        path = Path(name)
    elif env.get("XDG_RUNTIME_DIR"):
        path = Path(env["XDG_RUNTIME_DIR"]) / name
    else:
        return "XDG_RUNTIME_DIR is not set"
    try:
        if stat.S_ISSOCK(path.stat().st_mode):
            return None
    except OSError:
        pass
    return f"no compositor socket at {path}"


def _connects(family: int, address: str, timeout: float) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            return False
        return True
