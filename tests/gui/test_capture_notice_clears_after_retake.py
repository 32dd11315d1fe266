""""The Close eyes photo could not be saved … take it again" goes from the notice above the pages
once Close eyes is taken again and saved (the disk full, then space freed): it stayed on the next
steps, and a therapist reading it retook a photo on record, or believed it lost. While another
expression's failure stands, the notice names that one only."""

from __future__ import annotations

from typing import Any

from app.records.errors import StorageError
from tests.gui.capture_helpers import capture_ready, start
from tests.gui.gui_helpers import WAIT_MS

FULL = "cannot write close_eyes.png: the disk is full; nothing saved before was lost"


def _disk_full_once_for(window: Any, monkeypatch: Any, *expressions: str) -> None:
    """The next save of each of `expressions` fails as on a full disk; the ones after it are saved."""
    save, failing = window.gateway.save_capture, list(expressions)

    def flaky(assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN202
        if expression in failing:
            failing.remove(expression)
            raise StorageError(FULL.replace("close_eyes", expression))
        return save(assessment_id, expression, rgb, quality)

    monkeypatch.setattr(window.gateway, "save_capture", flaky)


def _take(qtbot: Any, page: Any, expression: str) -> None:
    page.session.go_to(page.session.steps.index(expression))
    capture_ready(qtbot, page)
    assert page.capture_now()
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)


def test_the_notice_goes_once_the_failed_photo_is_taken_again_and_saved(qtbot, open_window, monkeypatch) -> None:
    window = start(open_window())
    page = window.capture
    _disk_full_once_for(window, monkeypatch, "close_eyes")
    _take(qtbot, page, "rest")
    _take(qtbot, page, "close_eyes")
    qtbot.waitUntil(window.notice.isVisible, timeout=WAIT_MS)
    assert window.notice.text().startswith("The Close eyes photo could not be saved (cannot write close_eyes.png")
    _take(qtbot, page, "close_eyes")  # space freed: saved
    assert "close_eyes" in window.gateway.assessment(page.session.assessment_id).captures
    assert not window.notice.isVisible() and "could not be saved" not in window.notice.text()
    _take(qtbot, page, "raise_eyebrows")  # the next step: nothing comes back
    assert not window.notice.isVisible()
    assert window.stack.currentWidget() is page


def test_while_another_failure_stands_the_notice_names_that_one(qtbot, open_window, monkeypatch) -> None:
    window = start(open_window())
    page = window.capture
    _disk_full_once_for(window, monkeypatch, "close_eyes", "raise_eyebrows")
    _take(qtbot, page, "rest")
    _take(qtbot, page, "close_eyes")
    _take(qtbot, page, "raise_eyebrows")
    said = window.notice.text()
    assert "The Close eyes photo could not be saved" in said and "The Raise eyebrows photo could not be saved" in said
    _take(qtbot, page, "close_eyes")
    assert window.notice.isVisible()
    assert window.notice.text().startswith("The Raise eyebrows photo could not be saved (cannot write raise_eyebrows.png")
    assert "Close eyes" not in window.notice.text()
    _take(qtbot, page, "raise_eyebrows")
    assert not window.notice.isVisible()
