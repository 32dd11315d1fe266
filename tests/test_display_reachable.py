"""`palsy gui` with a DISPLAY / WAYLAND_DISPLAY that is set but answers nothing (ssh, sudo, a
stale tmux): one `palsy: error:` line naming the variable, exit 2 (Qt aborted with exit 134 and
a message about a missing xcb library). A display that answers is never refused: an X server
on its abstract socket alone, and a Wayland compositor tried before an X connect that may wait."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import display_check
from app.display_check import missing_display

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path: a unix socket's path is limited to about 100 bytes."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="palsy-x-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def listening_unix(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    return server


def test_an_x_server_socket_that_answers_is_used_and_one_that_does_not_is_named(short_dir: Path) -> None:
    with listening_unix(short_dir / "X7"):
        assert missing_display("linux", {"DISPLAY": ":7"}, x11_dir=short_dir) is None
        assert missing_display("linux", {"DISPLAY": "unix:7.0"}, x11_dir=short_dir) is None
    # the socket file stays behind once the server is gone, as after an X server crash
    reason = missing_display("linux", {"DISPLAY": ":7"}, x11_dir=short_dir)
    assert reason is not None and reason.startswith("the display in DISPLAY=:7 (")
    assert str(short_dir / "X7") in reason and reason.endswith("palsy demo")
    assert "DISPLAY=:8" in missing_display("linux", {"DISPLAY": ":8"}, x11_dir=short_dir)  # no file at all


def test_an_x_server_over_tcp_is_connected_to() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert port > 6000  # an ephemeral port: display number port - 6000
        assert missing_display("linux", {"DISPLAY": f"127.0.0.1:{port - 6000}.0"}) is None
    reason = missing_display("linux", {"DISPLAY": f"127.0.0.1:{port - 6000}"})
    assert reason is not None and f"port {port}" in reason and f"DISPLAY=127.0.0.1:{port - 6000}" in reason


def test_a_wayland_socket_must_exist_in_the_runtime_folder(short_dir: Path) -> None:
    env = {"WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(short_dir)}
    reason = missing_display("linux", env)
    assert reason is not None and "WAYLAND_DISPLAY=wayland-7" in reason and str(short_dir / "wayland-7") in reason
    (short_dir / "wayland-7").write_text("not a socket")
    assert missing_display("linux", env) is not None
    (short_dir / "wayland-7").unlink()
    with listening_unix(short_dir / "wayland-7"):
        assert missing_display("linux", env) is None
        assert "XDG_RUNTIME_DIR is not set" in missing_display("linux", {"WAYLAND_DISPLAY": "wayland-7"})


def test_one_of_two_displays_that_answers_is_enough(short_dir: Path) -> None:
    env = {"DISPLAY": ":7", "WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(short_dir)}
    reason = missing_display("linux", env, x11_dir=short_dir)
    assert reason is not None and reason.startswith("the displays in DISPLAY=:7 (")
    assert "WAYLAND_DISPLAY=wayland-7 (" in reason
    with listening_unix(short_dir / "X7"):
        assert missing_display("linux", env, x11_dir=short_dir) is None
    with listening_unix(short_dir / "wayland-7"):
        assert missing_display("linux", env, x11_dir=short_dir) is None


def test_forms_not_understood_and_the_users_own_platform_are_taken_as_given(short_dir: Path) -> None:
    assert missing_display("linux", {"DISPLAY": ":7", "QT_QPA_PLATFORM": "offscreen"}, x11_dir=short_dir) is None
    assert missing_display("linux", {"DISPLAY": "node::0"}, x11_dir=short_dir) is None  # DECnet
    assert missing_display("linux", {"DISPLAY": "garbage"}, x11_dir=short_dir) is None
    assert missing_display("darwin", {"DISPLAY": ":7"}, x11_dir=short_dir) is None


def test_the_gui_command_with_a_stale_display_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PALSY_HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"), DISPLAY=":54321")
    assert not Path("/tmp/.X11-unix/X54321").exists()
    done = subprocess.run([sys.executable, "-m", "app", "gui"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("palsy: error: the display in DISPLAY=:54321 ("), lines


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_a_real_x_server_started_by_xvfb_run_is_not_refused() -> None:
    code = ("import os; from app.display_check import missing_display; "
            "print(os.environ['DISPLAY'], missing_display('linux', {'DISPLAY': os.environ['DISPLAY']}))")
    done = subprocess.run(["xvfb-run", "-a", sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1:] == ["None"], done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract unix sockets are Linux's")
def test_an_x_server_on_the_abstract_socket_alone_is_used(short_dir: Path) -> None:
    # under a private /tmp (systemd's PrivateTmp, a sandbox) the socket file is not visible, and
    # Xlib connects by the abstract name: the window was refused, its display said unreachable
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("\0" + str(short_dir / "X9"))  # no file
        server.listen(1)
        assert not (short_dir / "X9").exists()
        assert missing_display("linux", {"DISPLAY": ":9"}, x11_dir=short_dir) is None


def test_wayland_that_answers_is_used_before_an_x_connect_that_may_wait(short_dir: Path, monkeypatch) -> None:
    # a remote DISPLAY left over from ssh can hold every start for CONNECT_TIMEOUT_S
    tried: list[str] = []
    monkeypatch.setattr(display_check, "x11_unreachable", lambda display, *a, **k: tried.append(display) or "no answer")
    env = {"DISPLAY": "far.example:0", "WAYLAND_DISPLAY": "wayland-7", "XDG_RUNTIME_DIR": str(short_dir)}
    with listening_unix(short_dir / "wayland-7"):
        assert missing_display("linux", env) is None
    assert tried == []
