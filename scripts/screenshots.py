"""Drive the GUI through the whole flow with the demo patient and save a screenshot of each page.

    xvfb-run -s "-screen 0 1400x900x24" python scripts/screenshots.py --out resources/screenshots \
        [--weights W]

Uses a temporary data folder and settings file; nothing of the user's is touched. Without
--weights, the shipped demo weights are used when present, else an untrained compact
network (the overlays then show noise, and the script says so).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pump(app, seconds: float) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app, condition, timeout: float = 60.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the GUI did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="resources/screenshots")
    parser.add_argument("--weights", default="")
    parser.add_argument("--grade", type=int, default=4)
    parser.add_argument("--side", default="left")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="palsy-shots-"))
    weights = args.weights
    from models.resources import default_weights_path

    if not weights and not default_weights_path().is_file():
        from models.cascade import build_model
        from models.checkpoint import save_checkpoint

        weights = str(tmp / "untrained_compact.pt")
        save_checkpoint(build_model("compact", seed=0), weights, training={"note": "untrained, screenshots only"})
        print("note: no trained weights available; overlays come from an untrained network", file=sys.stderr)

    from dataclasses import replace

    from app.camera.demo_source import DemoPatientSource
    from app.gateway_store import open_gateway
    from app.main_window import MainWindow, Services
    from app.records_gateway import PatientInfo
    from app.settings import ClinicSettings, ModelSettings, Settings

    settings = Settings(model=ModelSettings(weights_path=weights, device="cpu"),
                        clinic=ClinicSettings(clinic_name="Demo Clinic", clinician="Dr. A. Example"))
    settings = replace(settings, camera=replace(settings.camera, demo_grade=args.grade, demo_side=args.side, demo_seed=args.seed))
    gateway = open_gateway(tmp / "records")
    store = gateway.store
    # two earlier visits so the history has a trend
    for patient_id, name in (("MRN-2041", "Jane Doe"), ("MRN-2042", "John Roe"), ("MRN-3310", "Maria Rossi")):
        gateway.save_patient(PatientInfo(patient_id, name, "1968-04-12", "female", "left"), is_new=True)
    for when, model, confirmed, pct in (("2026-06-02T09:10:00+00:00", "V", "V", 18.0), ("2026-08-15T10:30:00+00:00", "IV", "IV", 41.0)):
        a = store.start_assessment("MRN-2041", created_at=when)
        store.record_results(a.id, {"grade": model, "measured": {"function_percent": pct, "regions": {}}}, model_grade=model)
        store.confirm_grade(a.id, confirmed, "Dr. A. Example", "follow-up")

    services = Services(settings=settings, gateway=gateway,
                        source_factory=lambda: DemoPatientSource(args.grade, args.side, args.seed, frame_size=(640, 480)))
    window = MainWindow(services)
    window.resize(1400, 880)
    window.show()
    wait_for(app, lambda: window.model_handle is not None or bool(window.model_error), 120)
    pump(app, 0.5)

    shots: list[str] = []

    def shot(name: str, widget=None) -> None:  # noqa: ANN001
        pump(app, 0.3)
        path = out / f"{name}.png"
        (widget or window).grab().save(str(path))
        shots.append(str(path))

    window.patients.select("MRN-2041")
    shot("01_patients")
    dialog = window.patients.open_dialog(None)
    dialog.id_edit.setText("MRN-5120")
    dialog.name_edit.setText("Alex Smith")
    dialog.side_combo.setCurrentText("left")
    shot("02_new_patient_dialog", dialog)
    dialog.reject()

    window.patients.select("MRN-2041")
    window.patients.start_button.click()
    page = window.capture
    wait_for(app, lambda: page.capture_button.isEnabled() and page._last_packet is not None)
    pump(app, 1.0)
    page.capture_now()
    pump(app, 1.2)
    page.capture_now()
    pump(app, window.capture.session and 1.3)
    shot("03_capture_raise_eyebrows")
    for _ in range(4):
        pump(app, 1.3)  # let the demo patient reach the peak
        page.capture_now()
    page.session.go_to(3)
    pump(app, 1.3)
    shot("04_capture_complete")
    window.start_analysis()
    wait_for(app, lambda: page.progress.value() > 0 or window.result is not None, 60)
    shot("05_analysing")
    wait_for(app, lambda: window.result is not None, 180)
    pump(app, 0.5)
    results = window.results
    results.expression_combo.setCurrentIndex(3)
    results.attention_combo.setCurrentIndex(0)
    shot("06_results_segmentation")
    results.attention_combo.setCurrentIndex(2)
    results.opacity.setValue(70)
    shot("07_results_attention")
    override = "III" if window.result.grade != "III" else "IV"
    from models.labels import GRADES

    results.grade_buttons.button(GRADES.index(override)).setChecked(True)
    results.notes_edit.setPlainText("Brow and commissure weaker on the left; reviewed with the patient.")
    results.confirm_button.click()
    results.export_button.click()
    wait_for(app, lambda: window.last_report is not None, 120)
    shot("08_results_confirmed")
    window.show_history("MRN-2041")
    shot("09_history")
    settings_dialog = window.open_settings()
    shot("10_settings", settings_dialog)
    settings_dialog.reject()
    card = window.show_model_card()
    shot("12_model_card", card)
    card.reject()
    keys = window.show_shortcuts()
    shot("13_keyboard_shortcuts", keys)
    keys.reject()
    # a camera that dies mid-capture: message and Retry, no crash
    services.source_factory = lambda: DemoPatientSource(args.grade, args.side, args.seed, frame_size=(640, 480), fail_after=40)
    window.start_assessment("MRN-2042")
    wait_for(app, lambda: window.capture.error_box.isVisible(), 60)
    shot("11_camera_failed")
    print("report:", window.last_report)
    window.close()
    gateway.close()
    for s in shots:
        print(s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
