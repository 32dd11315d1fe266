"""The window's pages, each in a scroll area: on a screen smaller than a page needs (a 1366×768
laptop at 125 %, a large font) the page scrolls instead of pushing Confirm, Export or Capture
off the bottom of the screen, and the window's minimum size no longer follows the tallest
page. `currentWidget`, `setCurrentWidget`, `widget` and `indexOf` speak of the pages, not
of their scroll areas, so callers compare pages as before."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QWidget


class PageArea(QScrollArea):
    """A scroll area that gives its page the whole view, or the page's minimum size where the
    view is smaller (then it scrolls). QScrollArea's own resizing (`widgetResizable`) sizes a
    page with word-wrapped labels by its preferred height for the width, so the results page
    scrolled even on a 1400×880 window with room for its minimum."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # it draws no focus mark: Tab goes to the page's controls
        self.setWidget(page)
        page.installEventFilter(self)  # its minimum changes (a decision line, a long flag list)
        self.viewport().installEventFilter(self)  # a scroll bar coming or going resizes the view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        # the page's new minimum (LayoutRequest) or the view's new size; the page's own Resize
        # is the one fit_page makes
        if event.type() == QEvent.Type.LayoutRequest or (event.type() == QEvent.Type.Resize and watched is not self.widget()):
            self.fit_page()
        return False

    def fit_page(self) -> None:
        page = self.widget()
        if page is None:
            return
        need = page.minimumSizeHint().expandedTo(page.minimumSize())
        view = self.viewport().size()
        # word-wrapped labels (the review flags, the decision line) take more lines on a narrow
        # view than the minimum size hint counts: the layout's minimum height for the width the
        # page gets, or the review form's widgets are drawn over each other
        layout = page.layout()
        if layout is not None and layout.hasHeightForWidth():
            width = max(need.width(), view.width())
            need.setHeight(max(need.height(), layout.totalMinimumHeightForWidth(width)))
        size = need.expandedTo(view)
        if page.size() != size:
            page.resize(size)


class PageStack(QStackedWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: dict[QWidget, QScrollArea] = {}

    def add_page(self, page: QWidget) -> int:
        area = PageArea(page)  # the page fills the view when it fits, scrolls when not
        self._areas[page] = area
        return super().addWidget(area)

    def _page(self, area: QWidget | None) -> QWidget | None:
        return area.widget() if isinstance(area, QScrollArea) else area

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt naming
        return self._page(super().currentWidget())

    def widget(self, index: int) -> QWidget | None:
        return self._page(super().widget(index))

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 - Qt naming
        super().setCurrentWidget(self._areas.get(page, page))

    def indexOf(self, page: QWidget) -> int:  # noqa: N802 - Qt naming
        return super().indexOf(self._areas.get(page, page))
