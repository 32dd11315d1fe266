"""The window's pages, each in a scroll area: on a screen smaller than a page needs (a 1366×768
laptop at 125 %, a large font) the page scrolls instead of pushing Confirm, Export or Capture
off the bottom of the screen, and the window's minimum size no longer follows the tallest
page. `currentWidget`, `setCurrentWidget`, `widget` and `indexOf` speak of the pages, not
of their scroll areas, so callers compare pages as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QStackedWidget, QWidget


class PageArea(QScrollArea):
    """A scroll area that gives its page the whole view, or the page's minimum size where the
    view is smaller (then it scrolls). QScrollArea's own resizing (`widgetResizable`) sizes a
    page with word-wrapped labels by its preferred height for the width, so the results page
    scrolled even on a 1400×880 window with room for its minimum.

    `too_narrow` says that the shown page is wider than the view (it scrolls sideways): the
    window may grow where the screen has room."""

    too_narrow = Signal()

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # it draws no focus mark: Tab goes to the page's controls
        self.setWidget(page)
        page.installEventFilter(self)  # its minimum changes (a decision line, a long flag list)
        self.viewport().installEventFilter(self)  # a scroll bar coming or going resizes the view
        # the page follows its focused control when it grows, until the user scrolls it (a wheel,
        # the scroll bar): a window resized or re-activated then undid the user's scrolling
        self._follow_focus = True
        self._own_scroll = False  # a scroll this area makes: to the focus, to fit the page
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):
            bar.valueChanged.connect(self._scrolled)

    def _scrolled(self, _value: int) -> None:
        if not self._own_scroll:
            self._follow_focus = False

    @contextmanager
    def _scrolling(self) -> Iterator[None]:
        """A scroll this area makes itself, not the user's."""
        own, self._own_scroll = self._own_scroll, True
        try:
            yield
        finally:
            self._own_scroll = own

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802 - Qt naming
        with self._scrolling():  # Tab: QScrollArea scrolls to the control itself
            return super().focusNextPrevChild(next)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        # the page's new minimum (LayoutRequest) or the view's new size; the page's own Resize
        # is the one fit_page makes
        if event.type() == QEvent.Type.LayoutRequest or (event.type() == QEvent.Type.Resize and watched is not self.widget()):
            self.fit_page()
        if event.type() == QEvent.Type.Resize and watched is self.widget():
            # the page grew after its control got the keyboard (its layout raised its minimum as
            # the results filled in): that control stays in view, once the page's layout has
            # placed it and the scroll bars know the new size
            QTimer.singleShot(0, self, self._keep_focus_in_view)
        # QScrollArea's own filter sets the scroll bars' range for the page's new size: without
        # it, show_widget scrolled against the old range and stopped short of the control
        return super().eventFilter(watched, event)

    def _keep_focus_in_view(self) -> None:
        page, focused = self.widget(), QApplication.focusWidget()
        if (self._follow_focus and page is not None and focused is not None and page.isAncestorOf(focused)
                and self.isVisible()):
            self._scroll_to(focused)

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
        if need.width() > view.width() and self.isVisible():
            self.too_narrow.emit()
        if page.size() != size:
            with self._scrolling():  # a shorter page moves the scroll bar, not the user
                page.resize(size)

    def show_widget(self, widget: QWidget) -> None:
        """Scroll so that `widget`, a control on the page, is in view (nothing for another)."""
        page = self.widget()
        if page is None or not page.isAncestorOf(widget):
            return
        if page.layout() is not None:
            page.layout().activate()  # a page just filled in: its size and its controls where they will be
        self.fit_page()
        self._scroll_to(widget)

    def _scroll_to(self, widget: QWidget) -> None:
        # the whole control where it fits, its top left corner first where it does not
        # (ensureWidgetVisible shows only a text box's caret line, not the box)
        top_left = widget.mapTo(self.widget(), QPoint(0, 0))
        with self._scrolling():
            self.ensureVisible(top_left.x() + widget.width(), top_left.y() + widget.height(), 10, 10)
            self.ensureVisible(top_left.x(), top_left.y(), 10, 10)
        self._follow_focus = True  # the keyboard's control is in view again: follow it


class PageStack(QStackedWidget):
    page_too_narrow = Signal()  # the page on show scrolls sideways (PageArea.too_narrow)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas: dict[QWidget, QScrollArea] = {}

    def add_page(self, page: QWidget) -> int:
        area = PageArea(page)  # the page fills the view when it fits, scrolls when not
        area.too_narrow.connect(self.page_too_narrow)
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

    def ensure_visible(self, widget: QWidget) -> None:
        """Scroll the current page so that `widget` (a control on it that got the keyboard) is
        in view; nothing when it is elsewhere. A scrolling part inside the page (the results
        page's body, above its Confirm row) is scrolled first, then the page."""
        area = super().currentWidget()
        if not isinstance(area, PageArea):
            return
        parent = widget.parentWidget()
        while parent is not None and parent is not area:
            if isinstance(parent, PageArea):
                parent.show_widget(widget)
            parent = parent.parentWidget()
        area.show_widget(widget)
