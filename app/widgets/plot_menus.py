"""pyqtgraph's right-click menus off in the app's plots.

pyqtgraph gives every plot a context menu of its own tools (View All, X axis, Y axis, Mouse
Mode, Plot Options with log scales and down-sampling, Export...): a plotting library's
workbench, not what a therapist reading a grade chart needs, and its Export dialog writes the
patient's figures wherever it is pointed. These menus were also parentless top-level widgets,
alive after their plot (a Qt object lifetime audit counted 45 per window).
"""

from __future__ import annotations

import pyqtgraph as pg


def plot_widget(**options: object) -> pg.PlotWidget:
    """A PlotWidget without pyqtgraph's menus (`options` as PlotWidget takes them)."""
    widget = pg.PlotWidget(enableMenu=False, **options)
    item = widget.getPlotItem()
    # "Plot Options" is built whatever enableMenu says: owned by the widget, freed with it
    item.ctrlMenu.setParent(widget, item.ctrlMenu.windowFlags())
    without_export(widget)
    return widget


def without_export(view: pg.GraphicsView) -> None:
    """No "Export..." entry in the view's scene menu (the scene adds it to every menu)."""
    view.scene().contextMenu = []
