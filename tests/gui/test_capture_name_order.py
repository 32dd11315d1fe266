"""The capture page over a photo folder: a folder of camera names says, on each step, which
file it took ("This step takes IMG_0001.png, the next photo in name order: check it shows Rest"); a folder
named in the clinic's language is refused with the names it needs, and no step can be taken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from app.camera.demo_source import DemoPatientSource
from app.camera.file_sources import PhotoFolderSource
from app.records_gateway import PatientInfo
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window


def _folder(folder: Path, names: list[str]) -> Path:
    """The demo patient's six expressions, in the wizard's order, saved under `names`."""
    folder.mkdir()
    source = DemoPatientSource(grade=3, side="right", seed=3, frame_size=(320, 240), clock=lambda: 1000.0)
    source.open()
    for expression, name in zip(EXPRESSIONS, names, strict=True):
        source.set_expression(expression)
        Image.fromarray(source.read()).save(folder / name)
    source.close()
    return folder


def _start(qtbot, data_folder: Path, tiny_weights: Path, folder: Path):
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    window.gateway.save_patient(PatientInfo("MRN-1", "Test Person"), is_new=True)
    window.patients.refresh()
    window.start_assessment("MRN-1")
    return window


def test_each_step_names_the_camera_file_it_takes(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    names = [f"IMG_{n:04d}.png" for n in range(41, 47)]
    folder = _folder(tmp_path / "camera", names)
    window = _start(qtbot, data_folder, tiny_weights, folder)
    try:
        page = window.capture
        for name, title in ((names[0], "Rest"), (names[1], "Close eyes")):
            note = f"This step takes {name}, the next photo in name order: check it shows {title}."
            qtbot.waitUntil(lambda n=note: page.instruction.text().endswith(n), timeout=WAIT_MS)
            qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
            assert page.capture_now()
        qtbot.waitUntil(lambda: not page.session.pending, timeout=WAIT_MS)
        stored = window.gateway.load_photo(window.assessment_id, "close_eyes")
        assert np.array_equal(stored, np.asarray(Image.open(folder / names[1]).convert("RGB")))
    finally:
        close_window(window)


def test_a_folder_named_in_german_is_refused_for_every_step(qtbot, data_folder: Path, tiny_weights: Path,
                                                            tmp_path: Path) -> None:
    names = ["01_Ruhe.jpg", "03_Augen_schliessen.jpg", "02_Stirn_runzeln.jpg", "05_Mund_oeffnen.jpg",
             "04_Nase_ruempfen.jpg", "06_Backen_aufblasen.jpg"]
    folder = _folder(tmp_path / "Patient_Klinikreihenfolge", names)
    window = _start(qtbot, data_folder, tiny_weights, folder)
    try:
        page = window.capture
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        assert page.error_label.text().startswith(
            f"The camera stopped: no expression photos found in {folder}; name them rest, close_eyes, "
            "raise_eyebrows, open_mouth, wrinkle_nose, puff_cheeks (.jpg or .png, or EXPRESSION_N.* for several frames). "
            "These names are English")
        for _ in EXPRESSIONS:
            assert page._last_packet is None and not page.capture_button.isEnabled() and not page.capture_now()
            assert "name order" not in page.instruction.text()
            page.next_step()
    finally:
        close_window(window)


def test_an_expression_named_folder_names_no_file(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    folder = _folder(tmp_path / "named", [f"{expression}.png" for expression in EXPRESSIONS])
    window = _start(qtbot, data_folder, tiny_weights, folder)
    try:
        page = window.capture
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.capture_now()
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.session.expression == "close_eyes" and "name order" not in page.instruction.text()
    finally:
        close_window(window)
