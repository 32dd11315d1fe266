"""Expression drawings and photo thumbnails at 125-200 % scaling: they were drawn and scaled in
logical pixels at 1x and blown up by the screen, soft next to sharp text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QApplication

from app.widgets.illustration import expression_icon
from app.widgets.qimage import rgb_to_pixmap

ROOT = Path(__file__).resolve().parents[2]


def test_a_drawing_has_the_device_pixels_of_its_screen() -> None:
    pixmap = expression_icon("raise_eyebrows", 88, 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.size() == QSize(176, 176)  # device pixels
    assert pixmap.deviceIndependentSize().toSize() == QSize(88, 88)  # laid out as before
    assert expression_icon("rest", 120, 1.25).size() == QSize(150, 150)


def test_a_thumbnail_is_scaled_to_device_pixels() -> None:
    rgb = np.zeros((480, 640, 3), np.uint8)
    pixmap = rgb_to_pixmap(rgb, 88, dpr=2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.size() == QSize(176, 132)
    assert pixmap.deviceIndependentSize().toSize() == QSize(88, 66)
    plain = rgb_to_pixmap(rgb, 88)  # the highest ratio of the screens: 1 offscreen
    assert plain.devicePixelRatio() == QApplication.instance().devicePixelRatio()


def test_the_capture_page_redraws_its_drawings_for_a_new_pixel_ratio(qtbot) -> None:
    from app.pages.capture import THUMB, CapturePage

    page = CapturePage()
    qtbot.addWidget(page)
    assert QSize(THUMB, THUMB) in page.steps.item(0).icon().availableSizes()
    page.devicePixelRatioF = lambda: 2.0  # the window moved to a 200 % screen
    QApplication.sendEvent(page, QEvent(QEvent.Type.DevicePixelRatioChange))
    assert page.steps.item(0).icon().availableSizes() == [QSize(2 * THUMB, 2 * THUMB)]
    assert page._illustration("close_eyes").devicePixelRatio() == 2.0


def test_the_capture_page_at_200_percent_draws_in_device_pixels(tmp_path: Path) -> None:
    # a fresh process: the scale factor is read when the application starts
    script = textwrap.dedent("""
        import numpy as np
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from app.pages.capture import THUMB, CapturePage
        from app.widgets.qimage import rgb_to_pixmap
        page = CapturePage()
        sizes = page.steps.item(0).icon().availableSizes()
        assert sizes == [QSize(2 * THUMB, 2 * THUMB)], sizes
        thumb = rgb_to_pixmap(np.zeros((480, 640, 3), np.uint8), THUMB)
        assert thumb.devicePixelRatio() == 2.0 and thumb.width() == 2 * THUMB, thumb
        print("ok")
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-2000:]
