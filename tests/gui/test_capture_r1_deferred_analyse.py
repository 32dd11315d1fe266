"""Analyse asked while the last photo is still being saved waits for the save. Leaving the
capture page meanwhile dropped it in silence while the status bar kept promising it, and
Escape could not withdraw it: both withdraw it now, saying "Analysis not started"."""

from __future__ import annotations

from tests.gui.capture_helpers import start, take_all_with_the_last_save_held
from tests.gui.gui_helpers import WAIT_MS


def _saves_settled(qtbot, page) -> None:  # noqa: ANN001
    """The photos written and the page's save timer through its last turn (it stops itself there,
    after it would have started an analysis still asked for)."""
    qtbot.waitUntil(lambda: not page.session.busy and not page.save_timer.isActive(), timeout=WAIT_MS)


def test_leaving_the_page_withdraws_the_analysis_and_says_so(qtbot, open_window, save_gate, monkeypatch) -> None:
    window = start(open_window())
    page = window.capture
    take_all_with_the_last_save_held(qtbot, window, monkeypatch, save_gate)
    window.start_analysis()  # Ctrl+Enter: "… the analysis starts once it is saved"
    window.show_patients()
    assert window.statusBar().currentMessage() == (
        "Analysis not started: you left the capture page before the last photo was saved; "
        "resume the assessment and press Analyse")
    save_gate.set()
    _saves_settled(qtbot, page)
    assert not window.analysing and window.stack.currentWidget() is window.patients
    assert window.statusBar().currentMessage().startswith("Analysis not started")


def test_escape_withdraws_an_analysis_waiting_for_the_save(qtbot, open_window, save_gate, monkeypatch) -> None:
    window = start(open_window())
    page = window.capture
    take_all_with_the_last_save_held(qtbot, window, monkeypatch, save_gate)
    window.start_analysis()
    window.cancel_analysis()  # Escape: the user changes their mind
    assert window.statusBar().currentMessage() == (
        "Analysis not started: cancelled before the last photo was saved; the photos are kept "
        "(press Analyse when you are ready)")
    save_gate.set()
    _saves_settled(qtbot, page)
    assert not window.analysing and window.stack.currentWidget() is page
    assert page.analyse_button.isEnabled()  # asked again, it starts
