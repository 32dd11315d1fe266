"""GUI test fixtures: offscreen Qt, isolated settings and data, a tiny untrained model.

Every test fails if it leaves a QThread or a Python thread running, or a top-level widget
shown. During a test the automatic garbage collector is off; what is due is collected after it,
on this thread (as app.gui_thread_gc does for the window).
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import shiboken6  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThread  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

import app.camera_controller as controller_module  # noqa: E402
from app.camera_controller import CameraController  # noqa: E402
from app.gateway_store import StoreGateway, open_gateway  # noqa: E402
from app.gui_thread_gc import collect_due  # noqa: E402
from app.main_window import MainWindow  # noqa: E402
from app.pages.capture_logic import CaptureSession  # noqa: E402
from app.records_gateway import PatientInfo  # noqa: E402
from tests.doubles import MemoryRecords  # noqa: E402
from tests.gui.camera_fakes import CameraGates  # noqa: E402
from tests.gui.gui_helpers import close_window, make_window  # noqa: E402

TINY_SIZE = 64


@pytest.fixture(autouse=True)
def _fail_on_leaks(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record every QThread started during the test; fail if one still runs at the end, or if
    a top-level widget created by the test is still alive after deferred deletes ran."""
    started: list[QThread] = []
    original_start = QThread.start

    def tracking_start(self: QThread, *args: object) -> None:
        started.append(self)
        original_start(self, *args)

    monkeypatch.setattr(QThread, "start", tracking_start)
    before = {_address(w) for w in _shown_top_levels()}
    threads_before = set(threading.enumerate())
    # as the app's window (app.gui_thread_gc): cyclic garbage, Qt objects in it, is collected
    # on this thread only, never on a worker's or the photo saver's
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
    collect_due()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    running = [t for t in started if shiboken6.isValid(t) and t.isRunning()]
    for thread in running:  # stop them so one failure does not cascade
        thread.quit()
        thread.wait(5000)
    assert not running, f"test leaked {len(running)} running QThread(s)"
    # Python threads too (quality checks, the photo saver's pool): a moment to finish stopping
    deadline = time.monotonic() + 2.0
    while True:
        alive = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()
                 and not isinstance(t, threading._DummyThread)]  # a QThread seen from Python
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not alive, f"test leaked running Python thread(s): {[t.name for t in alive]}"
    # QTest's double-click ends on a press: a button left held made a later test's focus hook
    # do nothing (the window ignores focus moves while a button is down)
    assert QGuiApplication.mouseButtons() == Qt.MouseButton.NoButton, "test left a mouse button pressed"
    leaked = [w for w in _shown_top_levels() if _address(w) not in before]
    assert not leaked, f"test leaked top-level widgets: {[type(w).__name__ for w in leaked]}"


def _shown_top_levels() -> list[QWidget]:
    """The top-level widgets on show. shiboken hands back a Python object it made earlier for
    whatever once lived at the same address, of that object's type (a CI run met a plain QObject
    there and failed on `isVisible`): only what is a widget is asked. A leaked widget behind
    such a stale object goes unreported: accepted, as it is rare and not the test's fault."""
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QWidget) and shiboken6.isValid(w) and w.isVisible()]


def _address(widget: QWidget) -> int:
    """The C++ object's address: stable while it lives, where a temporary wrapper's id() is not."""
    return shiboken6.getCppPointer(widget)[0]


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An untrained compact network at 64 px saved as a checkpoint (fast on CPU)."""
    from models.cascade import build_model
    from models.checkpoint import save_checkpoint
    from models.config import get_config

    model = build_model(get_config("compact").with_input_size(TINY_SIZE), seed=0)
    path = tmp_path_factory.mktemp("weights") / "tiny.pt"
    save_checkpoint(model, path, training={"note": "untrained test network"})
    return path


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    return tmp_path / "records"


@pytest.fixture
def settings_path(tmp_path: Path) -> str:
    """An INI file for QSettings so tests never touch the user's settings."""
    return str(tmp_path / "settings.ini")


@contextmanager
def app_font(points: float) -> Iterator[None]:
    """The application font at `points` (a clinic's large system font), put back after."""
    app = QApplication.instance()
    old = app.font()
    big = app.font()
    big.setPointSizeF(points)
    app.setFont(big)
    try:
        yield
    finally:
        app.setFont(old)


@pytest.fixture
def font_15pt() -> Iterator[None]:
    with app_font(15):
        yield


@pytest.fixture
def store_gateway(tmp_path: Path) -> Iterator[StoreGateway]:
    """The window's gateway over a fresh records store (tmp_path/data)."""
    opened = open_gateway(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def behind_utc(in_time_zone: Callable[[str], None]) -> None:
    """This computer in Pago Pago (UTC-11): its date is always behind the date at UTC+14, and
    its tomorrow is today somewhere."""
    in_time_zone("Pacific/Pago_Pago")


@pytest.fixture
def open_window(qtbot, data_folder: Path, tiny_weights: Path) -> Iterator[Callable[..., MainWindow]]:  # noqa: ANN001
    """`make_window` over this test's data folder and the tiny weights, its services (a source
    factory, `ask`, `analyse`…) as keywords; every window it opened is closed after the test."""
    opened: list[MainWindow] = []

    def open_(**services: object) -> MainWindow:
        window = make_window(qtbot, data_folder, tiny_weights, **services)
        opened.append(window)
        return window

    yield open_
    for window in opened:
        close_window(window)


@pytest.fixture
def stuck_ms(monkeypatch: pytest.MonkeyPatch) -> int:
    """A camera thread is taken as stuck in its driver after 300 ms (STUCK_MS)."""
    monkeypatch.setattr(controller_module, "STUCK_MS", 300)
    return 300


@pytest.fixture
def camera_controller() -> Iterator[CameraController]:
    """A camera controller; stopped after the test, its camera threads waited for."""
    controller = CameraController()
    yield controller
    controller.stop(wait=True)


@pytest.fixture
def driver_release(camera_controller: CameraController) -> Iterator[threading.Event]:
    """Lets a camera stuck in its driver (in its open or a read) go on; set after the test,
    before `camera_controller` is stopped (this fixture comes after it for that)."""
    release = threading.Event()
    yield release
    release.set()


@pytest.fixture
def camera_gates(open_window: Callable[..., MainWindow]) -> Iterator[CameraGates]:
    """The gates of a camera whose open and reads wait (`open_window(source_factory=
    camera_gates.camera)`); both are set after the test, before its windows close (this fixture
    comes after `open_window` for that), so that the camera's thread ends."""
    gates = CameraGates()
    yield gates
    gates.release()


@pytest.fixture
def save_gate(open_window: Callable[..., MainWindow]) -> Iterator[threading.Event]:
    """A gate that a held photo save waits for; set after the test, before its windows close
    (which wait for the saves)."""
    gate = threading.Event()
    yield gate
    gate.set()


@pytest.fixture
def session() -> CaptureSession:
    """The capture wizard's session of a new assessment of patient P1, over records kept in memory."""
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    return CaptureSession(records.start_assessment("P1"), records)
