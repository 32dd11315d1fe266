"""Model loads and the window's order of events (a Qt object lifetime audit). Two loads that
end while the GUI thread is busy (as in `_model_loaded`'s full garbage collection): each answer
is read while its worker still exists, so a superseded load never counts as the current one (a
thread retired with another's `finished` lost its worker's queued answer's sender, and the
window then used the weights the user had replaced). A window closed before its first
event-loop turn starts no load."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.gui.gui_helpers import WAIT_MS, close_window, make_window


@pytest.mark.parametrize("superseded_fails", [False, True], ids=["answers", "fails"])
def test_a_superseded_load_ending_while_the_window_is_busy_does_not_count(
        qtbot, data_folder: Path, tiny_weights: Path, superseded_fails: bool) -> None:
    gates = {"slow": threading.Event(), "fast": threading.Event()}

    def load(weights, device, mirror):
        name = Path(weights).name
        if name in gates:
            gates[name].wait(20)
            if name == "slow" and superseded_fails:
                raise RuntimeError("weights file not found")
        return SimpleNamespace(name=name, sha256=name * 8, device="cpu", is_demo=False, path=name)

    window = make_window(qtbot, data_folder, tiny_weights, load_model=load)
    try:
        def choose(name: str):
            window.settings = replace(window.settings, model=replace(window.settings.model, weights_path=name))
            window.load_model()
            return window._threads[-1][0]

        slow, fast = choose("slow"), choose("fast")
        # this test holds the GUI thread: both loads end before any of their answers is read
        gates["fast"].set()
        assert fast.wait(WAIT_MS)
        gates["slow"].set()
        assert slow.wait(WAIT_MS)
        qtbot.waitUntil(lambda: not window._threads, timeout=WAIT_MS)
        assert window.model_handle is not None and window.model_handle.name == "fast"
        assert window.model_label.text() == "model: fast" and window.model_error == ""
    finally:
        for gate in gates.values():
            gate.set()
        close_window(window)


def test_a_window_closed_before_its_first_turn_starts_no_model_load(qtbot, data_folder: Path,
                                                                    tiny_weights: Path) -> None:
    # shown and closed before the event loop ran: the load queued on show must not start a
    # thread after shutdown (it outlived the window: "QThread: Destroyed while thread is still running")
    from app.gateway_store import open_gateway
    from app.main_window import MainWindow, Services
    from app.settings import ModelSettings, Settings

    asked: list[str] = []
    settings = Settings(model=ModelSettings(weights_path=str(tiny_weights), device="cpu"))
    window = MainWindow(Services(settings=settings, gateway=open_gateway(data_folder),
                                 load_model=lambda *args: asked.append("load") or None))
    window.show()
    close_window(window)
    qtbot.wait(100)
    assert asked == []
