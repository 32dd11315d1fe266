"""Start the GUI: QApplication, settings, records store, main window (torch loads later)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

LAUNCH_T0 = time.perf_counter()


def data_folder(configured: str) -> Path:
    """Settings' data folder, else PALSY_HOME, else the platform's application-data folder."""
    if configured:
        return Path(configured)
    from app.records.paths import default_data_dir

    return default_data_dir()


def build_window(settings_path: str | None = None, data: str | None = None):  # noqa: ANN201 - Qt types imported lazily
    """The configured main window (not shown)."""
    from app.gateway_store import open_gateway
    from app.main_window import MainWindow, Services
    from app.settings import Settings, SettingsError
    from app.settings_store import load_settings, open_qsettings, save_settings

    qsettings = open_qsettings(settings_path)
    problem = ""
    try:
        settings = load_settings(qsettings)
    except SettingsError as exc:  # rejected, not fatal: defaults until the user saves
        settings, problem = Settings(), f"Settings file {qsettings.fileName()} was not used: {exc}"
    gateway = open_gateway(Path(data) if data else data_folder(settings.clinic.data_folder))
    services = Services(settings=settings, gateway=gateway,
                        save_settings=lambda s: save_settings(qsettings, s))
    window = MainWindow(services)
    if problem:
        window.banner.setText(problem)
        window.banner.show()
        window.notify(problem, 0)
    return window


def app_icon_path() -> Path:
    """The window and taskbar icon (scripts/make_icon.py draws it), found like every resource:
    under sys._MEIPASS in the bundle, beside the packages in a checkout."""
    from models.resources import resources_dir

    return resources_dir() / "icons" / "app.png"


def apply_app_icon(app: QApplication) -> bool:
    """Give every window of `app` the application icon; False (no icon, not an error) when the
    file is missing or unreadable."""
    from PySide6.QtGui import QIcon

    path = app_icon_path()
    icon = QIcon(str(path)) if path.is_file() else QIcon()
    if icon.isNull():
        return False
    app.setWindowIcon(icon)
    return True


def configure_runtime() -> None:
    """Hand the GIL over more often (1 ms instead of 5 ms) so the GUI thread is not kept
    waiting while the camera, quality and analysis threads run Python code."""
    sys.setswitchinterval(0.001)


def main(argv: list[str] | None = None) -> int:
    """Run the application until its window closes."""
    from PySide6.QtWidgets import QApplication

    configure_runtime()
    app = QApplication.instance() or QApplication(sys.argv[:1] + list(argv or []))
    app.setApplicationName("Palsy Grader")
    apply_app_icon(app)
    window = build_window()
    window.show()
    code = app.exec()
    window.gateway.close()
    return int(code)
