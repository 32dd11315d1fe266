"""The app's plots carry none of pyqtgraph's right-click menus (its View All / axes / Plot
Options / Export... workbench), and building a page leaves no parentless menu behind (a Qt
object lifetime audit counted 45 hidden top-level menus per window, alive after it)."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QApplication, QMenu

from app.pages.history import HistoryPage
from app.pages.results import ResultsPage


def _menus() -> set[int]:
    """Menus (each a top-level widget, with a parent or without) by C++ address."""
    return {shiboken6.getCppPointer(w)[0] for w in QApplication.topLevelWidgets() if isinstance(w, QMenu)}


def test_the_pages_plots_have_no_pyqtgraph_menus(qtbot) -> None:
    before = _menus()
    results, history = ResultsPage(), HistoryPage()
    views = [results.overlay.view, results.chart.getPlotItem().vb,
             history.grade_plot.getPlotItem().vb, history.function_plot.getPlotItem().vb]
    assert all(view.menu is None for view in views)  # no View All / X axis / Mouse Mode menu
    scenes = [results.overlay.scene(), results.chart.scene(), history.grade_plot.scene(),
              history.function_plot.scene()]
    assert all(scene.contextMenu == [] for scene in scenes)  # no Export... dialog
    shiboken6.delete(results)
    shiboken6.delete(history)
    assert _menus() <= before  # "Plot Options" and its submenus went with their plots


def test_a_double_click_shows_the_whole_photo_again_after_zooming(qtbot) -> None:
    import numpy as np
    from PySide6.QtCore import QPoint, Qt

    from app.pages.results import OverlayView

    view = OverlayView()
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.show()
    lut = np.zeros((256, 4), np.uint8)
    view.display(np.zeros((64, 64, 3), np.uint8), np.zeros((64, 64), np.uint8), None, lut, lut)
    whole = view.view.viewRange()
    view.view.scaleBy((0.25, 0.25))  # what the wheel does
    assert view.view.viewRange()[0][1] - view.view.viewRange()[0][0] < 0.5 * (whole[0][1] - whole[0][0])
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(150, 150))
    # QTest's double-click ends on a press: release it, or the application believes the button
    # held for every later test (the window's focus hook then scrolls nothing)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(150, 150))
    assert QApplication.mouseButtons() == Qt.MouseButton.NoButton
    assert np.allclose(view.view.viewRange(), whole, atol=1.0)
    view.close()
