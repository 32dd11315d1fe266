"""A long patient name is shortened in page titles and the capture line, and what identifies
the record (the patient ID, the visit's date, "(read-only)", the photo source) stays visible."""

from __future__ import annotations

import pytest

from app.pages.capture_logic import capture_line
from app.pages.patient_label import PatientLabel, label_parts
from app.records_gateway import PatientInfo
from app.settings import CameraSettings
from app.widgets.elided_label import END_ISOLATE, ISOLATE, ElidedLabel
from tests.gui.gui_helpers import close_window, make_window

LONG = "Maximiliana " * 12 + "Ortega-Villanueva"


def _visible(label: ElidedLabel) -> str:
    """The label's text without the isolate marks around the name (they take no room)."""
    return label.text().replace(ISOLATE, "").replace(END_ISOLATE, "")


def test_a_patient_label_reads_as_name_then_detail() -> None:
    label = PatientLabel("Ada Lovelace", " (MRN-1)")
    assert str(label) == f"{label}" == "Ada Lovelace (MRN-1)"
    assert str(label.with_detail(", visit of 2026-12-06")) == "Ada Lovelace (MRN-1), visit of 2026-12-06"
    assert label_parts("Results \u2013 ", label, "  (read-only)") == ("Results \u2013 ", "Ada Lovelace",
                                                                     " (MRN-1)  (read-only)")
    assert label_parts("History \u2013 ", "Ada (MRN-1)") == ("History \u2013 ", "Ada (MRN-1)", "")


@pytest.mark.parametrize("width", [420, 600])
def test_only_the_name_is_shortened_when_the_line_is_too_long(qtbot, width: int) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.show()  # a hidden widget gets its resize events only when shown
    label.set_parts("Results \u2013 ", LONG, " (MRN-77), visit of 2026-12-06  (read-only)")
    label.resize(width, 30)
    shown = _visible(label)
    assert shown.startswith("Results \u2013 Maximiliana") and shown.endswith(" (MRN-77), visit of 2026-12-06  (read-only)")
    assert "\u2026" in shown and len(shown) < len(label.full_text())
    assert label.full_text() == f"Results \u2013 {LONG} (MRN-77), visit of 2026-12-06  (read-only)"
    assert label.toolTip() == label.full_text()
    label.resize(4000, 30)  # room again: the whole line
    assert _visible(label) == label.full_text()


def test_a_line_whose_fixed_parts_do_not_fit_is_shortened_whole(qtbot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.show()  # a hidden widget gets its resize events only when shown
    label.set_parts("Results \u2013 ", LONG, " (MRN-77)" + " x" * 200)
    label.resize(200, 30)
    assert label.text().startswith("Results") and label.text().endswith("\u2026")
    label.setText("plain text")  # a plain text forgets the parts
    label.resize(4000, 30)
    assert label.text() == "plain text"


def test_the_capture_line_keeps_the_id_and_the_photo_folder_of_a_long_name(qtbot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.show()  # a hidden widget gets its resize events only when shown
    line = capture_line(PatientLabel(LONG, " (MRN-5)"), CameraSettings(source="folder", folder_path="/photos/p5"))
    label.set_parts(line.head, line.name, f"{line.detail} \u2013 {line.source}")
    label.resize(500, 30)
    assert _visible(label).startswith("Patient: Maximiliana") and _visible(label).endswith(" (MRN-5) \u2013 photos from the folder /photos/p5")


def test_the_window_titles_keep_the_patient_id_of_a_long_name(qtbot, data_folder, tiny_weights) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-88", LONG), is_new=True)
        window.show_history("MRN-88")
        window.resize(900, 700)
        qtbot.wait(10)
        assert window.history.title.text().endswith(" (MRN-88)") and "\u2026" in window.history.title.text()
    finally:
        close_window(window)


def test_a_right_to_left_name_keeps_the_id_after_it(qtbot) -> None:
    # "Results – (12345) محمد عبد الله": the bidi algorithm moved the ID to the name's other side
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.show()
    name = "\u0645\u062d\u0645\u062f \u0639\u0628\u062f \u0627\u0644\u0644\u0647"
    label.set_parts("Results \u2013 ", name, " (12345)")
    label.resize(4000, 30)
    assert label.text() == f"Results \u2013 {ISOLATE}{name}{END_ISOLATE} (12345)"
    assert label.full_text() == label.toolTip() == f"Results \u2013 {name} (12345)"  # no marks where text is copied
    label.resize(300, 30)
    assert label.text().startswith(f"Results \u2013 {ISOLATE}") and label.text().endswith(f"{END_ISOLATE} (12345)")
