"""What the window says when PyTorch cannot be loaded under a process memory limit."""

from __future__ import annotations

from pathlib import Path

from app.cli import TORCH_MEMORY_LIMIT_LINE
from app.workers import FunctionWorker
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window


def _torch_refused(*args: object) -> None:
    raise ImportError("libtorch_cpu.so: failed to map segment from shared object")


def test_a_worker_names_the_memory_limit_not_the_loader(qapp) -> None:
    worker = FunctionWorker(_torch_refused)
    said: list[str] = []
    worker.errored.connect(said.append)
    worker.work()  # on this thread: only the wording is under test
    assert said == [TORCH_MEMORY_LIMIT_LINE]


def test_the_banner_says_the_memory_limit_is_too_low(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # the banner read "No model loaded: ImportError: libtorch_cpu.so: failed to map segment..."
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.services.load_model = _torch_refused
        window.load_model()
        qtbot.waitUntil(lambda: bool(window.model_error), timeout=WAIT_MS)
        assert window.banner.isVisible()
        assert window.banner.text() == f"No model loaded: {TORCH_MEMORY_LIMIT_LINE}"
        assert "ImportError" not in window.banner.text()
    finally:
        close_window(window)
