"""Resume pressed for the assessment whose photo is still being written: the photo that then
fails stands in the resumed assessment, said as the shown assessment's ("…; take it again", not
"resume that assessment", the one on screen), and goes once it is taken again and saved. It
stood above the pages after the retake, telling the therapist to resume the assessment they
were in (review r1 #1 of audit 16)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QTimer

from app.pages import capture
from app.pages.capture_logic import standing_failures_of
from app.records.errors import StorageError
from tests.gui.capture_helpers import capture_ready, start
from tests.gui.gui_helpers import WAIT_MS

FULL = "cannot write close_eyes.png: the disk is full; nothing saved before was lost"


def _take(qtbot: Any, page: Any, expression: str, wait: bool = True) -> None:
    page.session.go_to(page.session.steps.index(expression))
    capture_ready(qtbot, page)
    assert page.capture_now()
    if wait:
        qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)


def _close_eyes_fails_once_when_released(window: Any, monkeypatch: Any) -> tuple[threading.Event, threading.Event]:
    """The next Close eyes save starts, waits for the release, then fails as on a full disk."""
    save, started, release, failing = window.gateway.save_capture, threading.Event(), threading.Event(), ["close_eyes"]

    def held(assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN202
        if expression in failing:
            failing.remove(expression)
            started.set()
            release.wait(WAIT_MS / 1000)
            raise StorageError(FULL)
        return save(assessment_id, expression, rgb, quality)

    monkeypatch.setattr(window.gateway, "save_capture", held)
    return started, release


def _left_while_close_eyes_saves(qtbot, window, monkeypatch) -> tuple[Any, int, Any]:  # noqa: ANN001
    """Rest taken, Close eyes taken with its save held (it will fail), the patients page shown:
    the capture page, the assessment's number and the save's release."""
    page = window.capture
    started, release = _close_eyes_fails_once_when_released(window, monkeypatch)
    _take(qtbot, page, "rest")
    _take(qtbot, page, "close_eyes", wait=False)
    assert started.wait(WAIT_MS / 1000)
    aid = page.session.assessment_id
    window.show_patients()
    return page, aid, release


def test_a_photo_failing_while_resume_waits_stands_in_the_resumed_assessment(qtbot, open_window, monkeypatch) -> None:
    window = start(open_window())
    page, aid, release = _left_while_close_eyes_saves(qtbot, window, monkeypatch)
    QTimer.singleShot(0, release.set)  # the save ends (fails) while Resume waits for it
    window.resume_assessment(aid, asked=True)
    assert window.stack.currentWidget() is page and page.session.assessment_id == aid
    assert "close_eyes" in page.session.standing_failures
    text = window.notice.text()
    assert window.notice.isVisible()
    assert text == f"The Close eyes photo could not be saved ({FULL}); take it again"
    assert "resume that assessment" not in text
    _take(qtbot, page, "close_eyes")  # space freed: saved
    assert "close_eyes" in window.gateway.assessment(aid).captures
    assert not window.notice.isVisible() and "could not be saved" not in window.notice.text()


def test_not_resumed_after_all_the_failure_is_said_as_a_left_assessments(qtbot, open_window, monkeypatch) -> None:
    window = start(open_window())
    page, aid, release = _left_while_close_eyes_saves(qtbot, window, monkeypatch)
    monkeypatch.setattr(window, "_still_a_draft", lambda _aid, _status: False)  # discarded meanwhile
    QTimer.singleShot(0, release.set)
    window.resume_assessment(aid, asked=True)
    assert window.stack.currentWidget() is not page
    assert window.notice.isVisible()
    assert window.notice.text() == (f"The Close eyes photo of Test Person (MRN-1) could not be saved "
                                    f"({FULL}): resume that assessment and take it again")


def test_a_photo_failing_after_the_wait_ends_stands_in_the_resumed_assessment(qtbot, open_window, monkeypatch) -> None:
    """The save still runs when Resume's wait is over, and fails once the resumed assessment is
    on screen: the therapist is in that assessment, so it is said as its own ("…; take it again"),
    not as a left one's ("resume that assessment"), and goes once taken again and saved."""
    monkeypatch.setattr(capture, "LEAVE_WAIT_S", 0.01)  # Resume does not wait for the save to end
    window = start(open_window())
    page, aid, release = _left_while_close_eyes_saves(qtbot, window, monkeypatch)
    window.resume_assessment(aid, asked=True)
    assert window.stack.currentWidget() is page and page.session.assessment_id == aid
    assert "close_eyes" not in page.session.standing_failures  # still being written
    release.set()  # now it fails
    qtbot.waitUntil(lambda: "close_eyes" in page.session.standing_failures, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page._left, timeout=WAIT_MS)
    assert window.notice.isVisible()
    assert window.notice.text() == f"The Close eyes photo could not be saved ({FULL}); take it again"
    _take(qtbot, page, "close_eyes")  # space freed: saved
    assert "close_eyes" in window.gateway.assessment(aid).captures
    assert "close_eyes" not in page.session.standing_failures
    assert not window.notice.isVisible() and "could not be saved" not in window.notice.text()


def test_a_photo_retaken_before_the_late_failure_does_not_stand(qtbot, open_window, monkeypatch) -> None:
    """The therapist retakes Close eyes in the resumed assessment while the earlier save still
    runs: saves are written one after the other, so the earlier one fails first and the retake,
    saved after it, is the photo on record: no "take it again" is left."""
    monkeypatch.setattr(capture, "LEAVE_WAIT_S", 0.01)
    window = start(open_window())
    page, aid, release = _left_while_close_eyes_saves(qtbot, window, monkeypatch)
    window.resume_assessment(aid, asked=True)
    _take(qtbot, page, "close_eyes", wait=False)  # the retake, queued behind the earlier save
    release.set()  # the earlier save fails now
    qtbot.waitUntil(lambda: not page._left and not page.session.busy, timeout=WAIT_MS)
    assert "close_eyes" in window.gateway.assessment(aid).captures
    assert "close_eyes" not in page.session.standing_failures
    assert "could not be saved" not in window.notice.text()


def test_a_photo_failing_after_its_assessment_is_left_again_is_said_as_a_left_assessments(
        qtbot, open_window, monkeypatch) -> None:
    """The same late failure once the page has moved on to another patient's assessment: said
    naming whose photo it was, "resume that assessment", as before."""
    monkeypatch.setattr(capture, "LEAVE_WAIT_S", 0.01)
    window = start(open_window())
    page, aid, release = _left_while_close_eyes_saves(qtbot, window, monkeypatch)
    window.resume_assessment(aid, asked=True)
    start(window, "MRN-2", "Other Person")  # the resumed assessment left in turn
    assert page.session.assessment_id != aid
    release.set()
    qtbot.waitUntil(lambda: "could not be saved" in window.notice.text(), timeout=WAIT_MS)
    assert window.notice.text() == (f"The Close eyes photo of Test Person (MRN-1) could not be saved "
                                    f"({FULL}): resume that assessment and take it again")
    assert page.session.standing_failures == {}


def _session(**standing: tuple[BaseException, bool]) -> Any:
    return SimpleNamespace(standing_failures=dict(standing))


def test_standing_failures_of_sessions_keeps_the_latest_of_each_expression_in_failure_order() -> None:
    old, new, other = OSError("old"), StorageError("new"), OSError("other")
    merged = standing_failures_of([_session(close_eyes=(old, False), smile=(other, True)),
                                   _session(close_eyes=(new, True))])
    assert merged == {"smile": (other, True), "close_eyes": (new, True)}
    assert list(merged) == ["smile", "close_eyes"]  # close_eyes failed last
    assert standing_failures_of([]) == {}
