"""Cyclic garbage is collected on the GUI thread only while the window runs (a Qt object
lifetime audit: the automatic collector ran on model-load and photo-saver threads, where a Qt
object in a cycle would be destroyed on the wrong thread)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from app.gui_thread_gc import GuiThreadCollector, collect_due


class _Cycle:
    """Garbage only the cyclic collector frees; says on which thread it went."""

    def __init__(self, died_on: list[str]) -> None:
        self.me = self
        self.died_on = died_on
        self.timer = QTimer()  # a Qt object in the cycle, as a page's or a worker's

    def __del__(self) -> None:
        self.died_on.append(threading.current_thread().name)


@pytest.fixture
def gc_state():
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    (gc.enable if enabled else gc.disable)()


def test_collect_due_collects_only_past_the_young_threshold(gc_state) -> None:
    gc.disable()
    gc.collect()
    died_on: list[str] = []
    _Cycle(died_on)
    gc.set_threshold(100_000, 10, 10)
    collect_due()
    assert died_on == []  # under the threshold: as the automatic collector, nothing yet
    gc.set_threshold(1, 10, 10)
    collect_due()
    assert died_on == [threading.current_thread().name]


def test_garbage_made_while_a_worker_allocates_dies_on_the_gui_thread(qtbot, gc_state) -> None:
    gc.enable()  # as in the app before the window runs (the GUI tests' fixture turned it off)
    gc.set_threshold(50, 10, 10)  # the automatic collector would run often on the worker
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        died_on: list[str] = []
        _Cycle(died_on)

        def allocate() -> None:  # a model load or the photo saver: many container objects
            kept = [[i] for i in range(20_000)]
            del kept

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: bool(died_on), timeout=5000)
        assert died_on == [threading.current_thread().name]
    finally:
        collector.stop()
    assert gc.isenabled()


def test_the_window_runs_with_the_collector_on_the_gui_thread(qtbot, data_folder: Path, gc_state) -> None:
    from PySide6.QtWidgets import QApplication

    from app.gateway_store import open_gateway
    from app.gui_main import run_window
    from app.main_window import MainWindow, Services
    from app.settings import ModelSettings, Settings

    settings = Settings(model=ModelSettings(weights_path="x.pt", device="cpu"))
    window = MainWindow(Services(settings=settings, gateway=open_gateway(data_folder),
                                 load_model=lambda *args: None), load_model_on_show=False)
    window.show()
    seen: list[bool] = []
    QTimer.singleShot(50, lambda: (seen.append(gc.isenabled()), window.close()))
    app = QApplication.instance()
    QTimer.singleShot(20000, app.quit)  # a window an earlier test left open would keep exec() running
    gc.enable()  # as at the app's start
    assert run_window(app, window) == 0
    window.deleteLater()
    assert seen == [False] and gc.isenabled()


def test_stopping_the_collector_leaves_the_collector_as_it_was(gc_state) -> None:
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        collector = GuiThreadCollector()
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled() is enabled
