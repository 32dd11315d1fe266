"""The photo with the overlays zooms and moves by keyboard (it did only with the mouse): a Tab
stop after the page's others, framed when focused; and the attention heat has a colour key
under it, shown only with a heat on."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.analysis import AnalysisResult, ExpressionResult
from app.pages.results import ResultsPage

K = Qt.Key


def _result() -> AnalysisResult:
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, (64, 48, 3), dtype=np.uint8)
    rest = ExpressionResult("rest", photo, np.zeros((64, 48), np.uint8), {"channel": rng.random((64, 48), np.float32)},
                            np.full(6, 1 / 6))
    return AnalysisResult("II", {"II": 0.9}, "left", "II", 80.0, [], [], {"rest": rest}, {}, {})


def _page(qtbot) -> ResultsPage:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show_result(_result(), "Jane Doe (MRN-2041)", "analysed", clinician="Dr Kim")
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    return page


def _next_tab_stop(widget: QWidget) -> QWidget:
    widget = widget.nextInFocusChain()
    while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(widget.window())):
        widget = widget.nextInFocusChain()
    return widget


def _span(page: ResultsPage) -> float:
    (left, right), _ = page.overlay.view.viewRange()
    return right - left


def test_the_photo_is_the_last_tab_stop_and_framed_when_focused(qtbot) -> None:
    page = _page(qtbot)
    assert _next_tab_stop(page.notes_edit) is page.confirm_button  # the review's order as before
    assert _next_tab_stop(page.back_button) is page.overlay
    assert "Home" in page.overlay.toolTip() and "+ / -" in page.overlay.toolTip()
    page.back_button.setFocus()
    QTest.keyClick(page.back_button, K.Key_Tab)
    assert QApplication.focusWidget() is page.overlay
    assert ":focus" in page.overlay.styleSheet() and "palette(highlight)" in page.overlay.styleSheet()


def test_keys_zoom_move_and_show_the_whole_photo_again(qtbot) -> None:
    page = _page(qtbot)
    page.overlay.setFocus()
    whole = _span(page)
    QTest.keyClick(page.overlay, K.Key_Plus)
    assert _span(page) < whole * 0.9
    QTest.keyClick(page.overlay, K.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    zoomed = _span(page)
    QTest.keyClick(page.overlay, K.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert _span(page) > zoomed * 1.1
    QTest.keyClick(page.overlay, K.Key_Plus)
    (left, _), (top, _) = page.overlay.view.viewRange()
    QTest.keyClick(page.overlay, K.Key_Right)
    QTest.keyClick(page.overlay, K.Key_Down)
    (moved_left, _), (moved_top, _) = page.overlay.view.viewRange()
    assert moved_left > left and moved_top > top  # y grows downwards: Down shows what is below
    QTest.keyClick(page.overlay, K.Key_Home)
    assert abs(_span(page) - whole) < whole * 0.01
    QTest.keyClick(page.overlay, K.Key_Minus)
    QTest.keyClick(page.overlay, K.Key_0)
    assert abs(_span(page) - whole) < whole * 0.01


def test_the_heat_key_shows_only_with_an_attention_heat(qtbot) -> None:
    page = _page(qtbot)
    assert page.attention_combo.currentData() == "channel"
    assert page.heat_key.isVisible()
    words = " ".join(label.text() for label in page.heat_key.findChildren(QLabel) if label.text())
    assert "little" in words and "much attention" in words
    page.attention_combo.setCurrentIndex(0)  # None
    assert not page.heat_key.isVisible()


def test_the_photo_keeps_its_size_as_the_heat_goes_on_and_off(qtbot) -> None:
    # the key's row came and went with the heat: the photo shrank and grew 20 px
    page = _page(qtbot)
    with_heat = page.overlay.size()
    page.attention_combo.setCurrentIndex(0)  # None
    QApplication.processEvents()
    assert not page.heat_key.isVisible() and page.overlay.size() == with_heat


def test_zooming_out_and_moving_keep_the_photo_in_view(qtbot) -> None:
    # - fifteen times left a 14-pixel speck, then the right arrow fifteen times a blank view
    page = _page(qtbot)
    page.overlay.setFocus()
    for key in [K.Key_Minus] * 15 + [K.Key_Right] * 15 + [K.Key_Down] * 15:
        QTest.keyClick(page.overlay, key)
    (left, right), (top, bottom) = page.overlay.view.viewRange()
    assert right - left <= 2 * 48 + 1 and bottom - top <= 2 * 64 + 1  # at most twice the photo
    assert left < 48 / 2 < right and top < 64 / 2 < bottom  # its middle still seen
    QTest.keyClick(page.overlay, K.Key_Home)
    (left, right), (top, bottom) = page.overlay.view.viewRange()
    assert left <= 0 and right >= 48 and top <= 0 and bottom >= 64  # the whole photo again
