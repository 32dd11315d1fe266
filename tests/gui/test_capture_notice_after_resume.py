"""Resume pressed for the assessment whose photo is still being written: the photo that then
fails stands in the resumed assessment, said as the shown assessment's ("…; take it again", not
"resume that assessment", the one on screen), and goes once it is taken again and saved. It
stood above the pages after the retake, telling the therapist to resume the assessment they
were in (review r1 #1 of audit 16). A rejected photo whose withdrawal fails so (after R) is
dropped from the resumed session, which read it back as taken: its step asks for the new photo
the notice asks for, and Analyse does not grade the rejected one (review r1 #7 of audit 17)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer

from app.pages import capture
from app.pages.capture_logic import CapturedPhoto, CaptureSession, standing_failures_of
from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from models.labels import EXPRESSIONS
from tests.doubles import MemoryRecords
from tests.gui.capture_helpers import capture_ready, start
from tests.gui.gui_helpers import WAIT_MS, capture_all

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


READ_ONLY = "cannot remove close_eyes.png: the data folder is read-only"
REJECTED_NOT_REMOVED = (f"The rejected Close eyes photo could not be removed from the record ({READ_ONLY}); "
                        "take the new photo: it replaces the old one")


def _close_eyes_rejected_then_left(qtbot, window, monkeypatch) -> tuple[Any, int, Any, list[str]]:  # noqa: ANN001
    """Six photos taken, R on Close eyes with its withdrawal held (it will fail: a read-only
    folder), the patients page shown: the capture page, the assessment's number, the
    withdrawal's release and the expressions whose photo was saved from then on."""
    page = window.capture
    capture_all(qtbot, window)
    withdraw, save = window.gateway.withdraw_capture, window.gateway.save_capture
    started, release, failing, saved = threading.Event(), threading.Event(), ["close_eyes"], []

    def held(assessment_id, expression):  # noqa: ANN001, ANN202
        if expression in failing:
            failing.remove(expression)
            started.set()
            release.wait(WAIT_MS / 1000)
            raise StorageError(READ_ONLY)
        return withdraw(assessment_id, expression)

    def saving(assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN202
        stored = save(assessment_id, expression, rgb, quality)
        saved.append(expression)
        return stored

    monkeypatch.setattr(window.gateway, "withdraw_capture", held)
    monkeypatch.setattr(window.gateway, "save_capture", saving)
    page.session.go_to(page.session.steps.index("close_eyes"))
    page.retake()
    assert started.wait(WAIT_MS / 1000)
    aid = page.session.assessment_id
    window.show_patients()
    return page, aid, release, saved


def _rejected_photo_asked_again_then_replaced(qtbot, window, page, aid, saved) -> None:  # noqa: ANN001
    """The resumed session does not hold the rejected Close eyes photo: its step asks for a new
    one and Analyse does not run; the new photo taken replaces the old one on record, and the
    notice goes."""
    session = page.session
    assert "close_eyes" not in session.photos and "close_eyes" in session.missing
    assert not session.complete and session.expression == "close_eyes"
    assert not page.analyse_button.isEnabled()
    assert window.notice.isVisible() and window.notice.text() == REJECTED_NOT_REMOVED
    window.start_analysis()  # says a photo is missing; nothing is analysed
    assert window.stack.currentWidget() is page and not window.analysing
    assert "missing: Close eyes" in window.statusBar().currentMessage()
    _take(qtbot, page, "close_eyes")
    assert saved == ["close_eyes"]  # the new photo went to the record
    assert (window.gateway.load_photo(aid, "close_eyes") == session.photos["close_eyes"].rgb).all()
    assert session.complete and "close_eyes" not in session.standing_failures
    assert not window.notice.isVisible() and "could not be removed" not in window.notice.text()


def test_a_rejected_photo_failing_to_leave_after_the_wait_ends_is_asked_again(qtbot, open_window, monkeypatch) -> None:
    """R on Close eyes, the assessment left and resumed while the rejected photo is still being
    taken off the record (Resume waits only LEAVE_WAIT_S), read back as taken; then that fails.
    The resumed session drops the rejected photo as the retake did: the notice's "take the new
    photo" can be followed, and Analyse does not grade the rejected photo (review r1 #7 of
    audit 17: the step showed it taken and Analyse ran on it at once)."""
    monkeypatch.setattr(capture, "LEAVE_WAIT_S", 0.01)
    window = start(open_window())
    page, aid, release, saved = _close_eyes_rejected_then_left(qtbot, window, monkeypatch)
    window.resume_assessment(aid, asked=True)
    assert window.stack.currentWidget() is page and page.session.assessment_id == aid
    assert "close_eyes" in page.session.photos  # read back: the withdrawal still runs
    release.set()  # now it fails
    qtbot.waitUntil(lambda: "close_eyes" in page.session.standing_failures, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page._left, timeout=WAIT_MS)
    _rejected_photo_asked_again_then_replaced(qtbot, window, page, aid, saved)


def test_a_rejected_photo_failing_to_leave_while_resume_waits_is_asked_again(qtbot, open_window, monkeypatch) -> None:
    """The same withdrawal failing while Resume waits for it: the draft read back holds the
    rejected photo, which the failure's standing in the resumed session drops in the same way."""
    window = start(open_window())
    page, aid, release, saved = _close_eyes_rejected_then_left(qtbot, window, monkeypatch)
    QTimer.singleShot(0, release.set)  # the withdrawal ends (fails) while Resume waits for it
    window.resume_assessment(aid, asked=True)
    assert window.stack.currentWidget() is page and page.session.assessment_id == aid
    assert "close_eyes" in page.session.standing_failures
    _rejected_photo_asked_again_then_replaced(qtbot, window, page, aid, saved)


def test_a_new_photo_taken_before_the_late_withdrawal_failure_is_kept(qtbot, open_window, monkeypatch) -> None:
    """Close eyes taken again in the resumed session while the rejected photo's withdrawal still
    runs: the late failure does not drop the new photo, which is saved after it and replaces the
    old one on record."""
    monkeypatch.setattr(capture, "LEAVE_WAIT_S", 0.01)
    window = start(open_window())
    page, aid, release, saved = _close_eyes_rejected_then_left(qtbot, window, monkeypatch)
    window.resume_assessment(aid, asked=True)
    page.session.go_to(page.session.steps.index("close_eyes"))
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)  # R keeps a photo without a picture
    page.retake()  # the photo read back taken off again, behind the first withdrawal
    assert "close_eyes" not in page.session.photos and not release.is_set()
    _take(qtbot, page, "close_eyes", wait=False)
    assert not release.is_set()  # the new photo is taken before the first withdrawal fails
    release.set()
    qtbot.waitUntil(lambda: not page._left and not page.session.busy, timeout=WAIT_MS)
    assert "close_eyes" in page.session.photos and page.session.complete
    assert saved == ["close_eyes"]
    assert (window.gateway.load_photo(aid, "close_eyes") == page.session.photos["close_eyes"].rgb).all()


def _session(**standing: tuple[BaseException, bool]) -> Any:
    return SimpleNamespace(standing_failures=dict(standing))


def test_standing_failures_of_sessions_keeps_the_latest_of_each_expression_in_failure_order() -> None:
    old, new, other = OSError("old"), StorageError("new"), OSError("other")
    merged = standing_failures_of([_session(close_eyes=(old, False), smile=(other, True)),
                                   _session(close_eyes=(new, True))])
    assert merged == {"smile": (other, True), "close_eyes": (new, True)}
    assert list(merged) == ["smile", "close_eyes"]  # close_eyes failed last
    assert standing_failures_of([]) == {}


def test_a_resumed_session_drops_only_the_rejected_photo_it_read_back() -> None:
    """No Qt: a withdrawal failure standing in a resumed session takes off the photo read back
    from the record, as the retake took it (undo puts it back); a photo taken there since, or
    another expression's, is kept, and a save failure drops nothing."""
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    aid = records.start_assessment("P1")
    read_back = {e: CapturedPhoto(e, np.full((48, 48, 3), 10 * i, np.uint8), {}) for i, e in enumerate(EXPRESSIONS)}
    session = CaptureSession(aid, records)
    session.restore(read_back)
    assert session.complete
    session.stands("open_mouth", OSError("full"), withdrawal=False)
    assert "open_mouth" in session.photos  # a save failure: the photo read back is on record
    session.stands("close_eyes", StorageError(READ_ONLY), withdrawal=True)
    assert session.missing == ["close_eyes"] and session.expression == "close_eyes" and not session.complete
    assert session.retaken is read_back["close_eyes"]
    new = session.capture(np.full((48, 48, 3), 200, np.uint8))
    session.stands("close_eyes", StorageError(READ_ONLY), withdrawal=True)  # another late one
    assert session.photos["close_eyes"] is new and session.complete
    assert session.photos["rest"] is read_back["rest"]
