"""Names people typed are shown as typed, never as HTML: a patient named
'<img src=...><font color=red>…' showed a picture and big red words in the page titles, and a
clinician typed as '<font size=6>Prof. Chief (grade I)</font>' faked a grade in the review box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.analysis import AnalysisResult
from app.camera.demo_source import DemoPatientSource
from app.gateway_store import open_gateway
from app.main_window import MainWindow, Services
from app.pages.settings_dialog import SettingsDialog
from app.settings import Settings
from app.widgets.ask import ask_choice, ask_yes_no
from app.widgets.elided_label import ElidedLabel
from app.widgets.plain_text import plain_tooltip
from tests.gui.gui_helpers import close_window

NAME = '<img src="/nonexistent/x.png" width="90"><font color="red" size="6">Injected</font>'
CLINICIAN = '<font color="green" size="6">Prof. Chief (grade I)</font>'


def _as_typed(label: QLabel, typed: str) -> None:
    """`label` shows `typed` literally (its markup is text), and its tooltip reads the same."""
    assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName() or type(label).__name__
    whole = label.full_text() if isinstance(label, ElidedLabel) else label.text()
    assert typed in whole and "<" in label.text()  # on screen as typed (a long line shortened)
    if label.toolTip():
        assert "<font" not in label.toolTip() and "&lt;font" in label.toolTip()


def test_an_elided_label_shows_markup_as_text(qtbot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.set_parts("History \u2013 ", NAME, " (P1)")
    label.resize(2000, 40)
    _as_typed(label, NAME)
    label.setText(f"Grade III confirmed by {CLINICIAN}")
    _as_typed(label, CLINICIAN)


def test_a_tooltip_reads_as_typed_and_plain_ones_stay_as_they_are() -> None:
    assert plain_tooltip("Ada Lovelace (MRN-1)") == "Ada Lovelace (MRN-1)"
    assert plain_tooltip("a < b") == "a < b"
    escaped = plain_tooltip(CLINICIAN)
    assert "<font" not in escaped and escaped.startswith("<p>&lt;font") and "Chief" in escaped


def test_the_window_shows_a_typed_name_and_clinician_as_text(qtbot, data_folder: Path) -> None:
    window = MainWindow(Services(settings=Settings(), gateway=open_gateway(data_folder), ask=lambda *a: True,
                                 source_factory=lambda: DemoPatientSource(frame_size=(320, 240))),
                        load_model_on_show=False)
    window.show()
    try:
        dialog = window.patients.open_dialog(None)  # the patient form, into the store
        dialog.id_edit.setText("MRN-7")
        dialog.name_edit.setText(NAME)
        dialog.accept()
        assert window.gateway.get_patient("MRN-7").name == NAME
        window.show_history("MRN-7")
        _as_typed(window.history.title, NAME)

        window.gateway.start_assessment("MRN-7")  # an unfinished one: offered by name
        window.show_patients()
        _as_typed(window.patients.resume_label, NAME)

        result = AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, {}, {})
        window.results.show_result(result, window._patient_label("MRN-7"), "analysed")
        _as_typed(window.results.title, NAME)
        window.results.mark_confirmed("III", CLINICIAN, "")
        _as_typed(window.results.decision_label, CLINICIAN)
        assert window.results.review_error.textFormat() == Qt.TextFormat.PlainText

        window.notify(f"Grade III confirmed by {CLINICIAN}")
        _as_typed(window.statusBar().message_label, CLINICIAN)
        assert "&lt;font" in window.statusBar().toolTip()

        window._model_failed("cannot read /weights/<b>x</b>.pt")  # a file's name in the banner
        assert window.banner.textFormat() == Qt.TextFormat.PlainText and "<b>x</b>" in window.banner.text()
        for label in (window.patients.empty_hint, window.capture.error_label, window.capture.progress_label,
                      window.notice, window.model_label, window.device_label):
            assert label.textFormat() == Qt.TextFormat.PlainText
    finally:
        close_window(window)


def test_the_settings_dialog_shows_paths_as_text(qtbot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(), folder_in_use=tmp_path / "<b>records</b>")
    qtbot.addWidget(dialog)
    for label in (dialog.checksum, dialog.folder_in_use, dialog.error):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>records</b>" in dialog.folder_in_use.text()


def test_questions_show_a_name_as_text(qtbot) -> None:
    seen: list[tuple[Qt.TextFormat, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.textFormat(), box.text()))
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    text = f"The unfinished assessment of patient {NAME} from today will no longer be offered."
    QTimer.singleShot(0, answer)
    assert ask_yes_no(None, "Discard the unfinished assessment?", text) is False
    QTimer.singleShot(0, answer)
    assert ask_choice(None, "Resume the unfinished assessment?", text, ("Resume", "Start new")) is None
    assert seen == [(Qt.TextFormat.PlainText, text)] * 2
