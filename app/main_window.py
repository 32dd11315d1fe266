"""The main window: patient list, capture wizard, results and review, history; menus,
shortcuts, status bar and the demonstration-model banner.

It only wires pages together. Headless work (model loading, analysis, report export)
runs through `FunctionWorker`s on QThreads; the camera has its own thread.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QThread, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app import analysis as analysis_module
from app.camera.factory import make_source
from app.camera.source import FrameSource
from app.export import render_pdf, store_report
from app.pages.capture import CapturePage
from app.pages.capture_logic import CapturedPhoto, CaptureSession
from app.pages.history import HistoryPage
from app.pages.patient import PatientPage
from app.pages.results import ResultsPage
from app.pages.results_logic import ReviewDecision
from app.records_gateway import RecordsGateway
from app.settings import Settings
from app.workers import FunctionWorker, start_worker
from models.errors import PalsyError

log = logging.getLogger(__name__)

DEMO_BANNER = "DEMONSTRATION MODEL \u2014 NOT FOR DIAGNOSIS. Grades come from demo weights trained on synthetic faces."


@dataclass
class Services:
    """What the window needs from the outside world; tests replace parts of it."""

    settings: Settings
    gateway: RecordsGateway
    source_factory: Callable[[], FrameSource] | None = None
    load_model: Callable[[str, str], Any] = analysis_module.load_model
    analyse: Callable[..., Any] = analysis_module.run_analysis
    render_report: Callable[..., bytes] | None = render_pdf
    save_settings: Callable[[Settings], None] | None = None
    extra: dict = field(default_factory=dict)


class MainWindow(QMainWindow):
    """Palsy Grader's window."""

    def __init__(self, services: Services, load_model_on_show: bool = True) -> None:
        super().__init__()
        self.services = services
        self.gateway = services.gateway
        self.settings = services.settings
        self.model_handle: Any = None
        self.model_error = ""
        self.session: CaptureSession | None = None
        self.patient_id: str | None = None
        self.assessment_id: int | None = None
        self.result: Any = None
        self.last_report: Path | None = None
        self._export_id: int | None = None
        self._analysed_id: int | None = None
        self._closed = False  # results arriving after shutdown are dropped
        self._threads: list[QThread] = []
        self._workers: dict[int, FunctionWorker] = {}
        self._analysis_worker: FunctionWorker | None = None
        self._load_model_on_show = load_model_on_show
        self._shown_once = False
        self.setWindowTitle("Palsy Grader")
        self.resize(1360, 860)

        self.banner = QLabel(DEMO_BANNER)
        self.banner.setObjectName("demoBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("#demoBanner { background: #b03a2e; color: white; font-weight: 700; padding: 6px 10px; }")
        self.banner.hide()

        self.patients = PatientPage(self.gateway)
        self.capture = CapturePage()
        self.results = ResultsPage()
        self.history = HistoryPage()
        self.stack = QStackedWidget()
        for page in (self.patients, self.capture, self.results, self.history):
            self.stack.addWidget(page)
        self.stack.currentChanged.connect(self._page_changed)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.device_label = QLabel("device: \u2013")
        self.model_label = QLabel("model: loading\u2026")
        self.source_label = QLabel("")
        bar = self.statusBar()
        bar.addPermanentWidget(self.source_label)
        bar.addPermanentWidget(self.model_label)
        bar.addPermanentWidget(self.device_label)

        self._build_actions()
        self._connect_pages()
        self.patients.show_unfinished(self.gateway.unfinished())
        recovered = self.gateway.recovered_files()
        if recovered:
            self.notify(
                f"{len(recovered)} photo(s) from an interrupted session were never recorded; "
                f"they were kept in {self.gateway.folder / 'recovered'}",
                30000,
            )
        self._page_changed(0)

    # -- construction ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(text: str, slot: Callable[[], Any], shortcut: str | QKeySequence | None = None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        self.new_patient_action = action("&New patient\u2026", self.new_patient, QKeySequence.StandardKey.New)
        self.settings_action = action("&Settings\u2026", self.open_settings, QKeySequence.StandardKey.Preferences)
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        for a in (self.new_patient_action, self.settings_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        menu = self.menuBar().addMenu("&Assessment")
        self.capture_action = action("&Capture", self.capture.capture_now, "Space")
        self.retake_action = action("&Retake", self.capture.retake, "R")
        self.prev_action = action("&Previous step", self.capture.previous_step, "Left")
        self.next_action = action("Ne&xt step", self.capture.next_step, "Right")
        self.analyse_action = action("&Analyse", self.start_analysis, "Ctrl+Return")
        self.cancel_action = action("Cancel analysis", self.cancel_analysis, "Escape")
        self.export_action = action("&Export PDF", self.export_pdf, "Ctrl+E")
        for a in (self.capture_action, self.retake_action, self.prev_action, self.next_action):
            menu.addAction(a)
        menu.addSeparator()
        for a in (self.analyse_action, self.cancel_action, self.export_action):
            menu.addAction(a)

        view = self.menuBar().addMenu("&View")
        self.patients_action = action("&Patients", self.show_patients, "Ctrl+1")
        view.addAction(self.patients_action)
        self.history_action = action("&History", lambda: self.patient_id and self.show_history(self.patient_id), "Ctrl+H")
        view.addAction(self.history_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&About", self._about))

    def _connect_pages(self) -> None:
        self.patients.start_assessment.connect(self.start_assessment)
        self.patients.open_history.connect(self.show_history)
        self.patients.resume_requested.connect(self.resume_assessment)
        self.patients.discard_requested.connect(self.discard_assessment)
        self.capture.analyse_requested.connect(self.start_analysis)
        self.capture.cancel_requested.connect(self.cancel_analysis)
        self.capture.notify.connect(self.notify)
        self.capture.camera.opened.connect(lambda name: self.source_label.setText(f"source: {name}"))
        self.results.confirm_requested.connect(self.confirm_review)
        self.results.export_requested.connect(self.export_pdf)
        self.results.back_requested.connect(self.show_patients)
        self.history.open_requested.connect(self.open_read_only)
        self.history.back_requested.connect(self.show_patients)

    def _page_changed(self, index: int) -> None:
        on_capture = self.stack.currentWidget() is self.capture
        for a in (self.capture_action, self.retake_action, self.prev_action, self.next_action):
            a.setEnabled(on_capture)
        if not on_capture and self.capture.camera.running:
            self.capture.stop_camera()

    def notify(self, message: str, timeout_ms: int = 8000) -> None:
        """A message in the status bar (no modal boxes: the flow must never block)."""
        log.info("notice: %s", message)
        self.statusBar().showMessage(message, timeout_ms)

    def _about(self) -> None:
        self.notify("Palsy Grader supports, and does not replace, the clinician's judgement.")

    # -- model ----------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._load_model_on_show:
                QTimer.singleShot(0, self.load_model)

    def load_model(self) -> None:
        """Load the configured weights on a worker thread (torch is imported there)."""
        weights, device = self.settings.model.weights_path, self.settings.model.device
        self.model_label.setText("model: loading\u2026")
        worker = FunctionWorker(lambda progress: self.services.load_model(weights, device))
        worker.returned.connect(self._model_loaded)
        worker.errored.connect(self._model_failed)
        self._run(worker)

    def _model_loaded(self, handle: Any) -> None:
        if self._closed:
            return
        # torch brought ~10^5 long-lived objects; move them out of the collector's way so a
        # full collection during an analysis does not stall the GUI thread
        gc.collect()
        gc.freeze()
        self.model_handle = handle
        self.model_error = ""
        self.model_label.setText(f"model: {handle.name}")
        self.model_label.setToolTip(f"sha256 {handle.sha256}")
        self.device_label.setText(f"device: {handle.device}")
        self.banner.setText(DEMO_BANNER)
        self.banner.setVisible(bool(handle.is_demo))

    def _model_failed(self, message: str) -> None:
        self.model_handle = None
        self.model_error = message
        self.model_label.setText("model: not loaded")
        self.banner.setText(f"No model loaded: {message}")
        self.banner.show()

    def _run(self, worker: FunctionWorker) -> QThread:
        thread = start_worker(worker)
        # keep the Python wrappers alive until the thread ends, or PySide deletes them early
        self._threads.append(thread)
        self._workers[id(thread)] = worker
        thread.finished.connect(self._thread_done)
        return thread

    def _thread_done(self) -> None:
        thread = self.sender()
        self._workers.pop(id(thread), None)
        if thread in self._threads:
            self._threads.remove(thread)

    # -- patients -------------------------------------------------------------------------
    def new_patient(self) -> None:
        self.show_patients()
        self.patients.open_dialog(None)

    def show_patients(self) -> None:
        self.patients.refresh()
        self.patients.show_unfinished(self.gateway.unfinished())
        self.stack.setCurrentWidget(self.patients)

    def _patient_label(self, patient_id: str) -> str:
        info = self.gateway.get_patient(patient_id)
        return f"{info.name} ({info.patient_id})"

    # -- capture --------------------------------------------------------------------------
    def _source_factory(self) -> FrameSource:
        if self.services.source_factory is not None:
            return self.services.source_factory()
        return make_source(self.settings.camera)

    def start_assessment(self, patient_id: str) -> None:
        """Create a draft assessment and open the capture wizard."""
        try:
            assessment_id = self.gateway.start_assessment(patient_id)
        except PalsyError as exc:
            self.notify(str(exc))
            return
        self._open_capture(patient_id, assessment_id, {})

    def _open_capture(self, patient_id: str, assessment_id: int, photos: dict[str, CapturedPhoto]) -> None:
        self.patient_id, self.assessment_id, self.result = patient_id, assessment_id, None
        self.session = CaptureSession(assessment_id, self.gateway)
        if photos:
            self.session.restore(photos)
        self.capture.preview.mirror = self.settings.camera.mirror_preview
        self.capture.auto_box.setChecked(self.settings.camera.auto_capture)
        self.stack.setCurrentWidget(self.capture)
        self._page_changed(self.stack.currentIndex())
        self.capture.begin(self.session, self._source_factory)
        self.setWindowTitle(f"Palsy Grader \u2013 {self._patient_label(patient_id)}")

    def resume_assessment(self, assessment_id: int) -> None:
        """Reopen a draft left by a crash, with the photos it already has."""
        info = self.gateway.assessment(assessment_id)
        photos = {}
        for expression in info.captures:
            try:
                rgb = self.gateway.load_photo(assessment_id, expression)
            except PalsyError as exc:
                self.notify(f"Photo of {expression} could not be read ({exc}); retake it")
                continue
            photos[expression] = CapturedPhoto(expression, rgb, {})
        self._open_capture(info.patient_id, assessment_id, photos)

    def discard_assessment(self, assessment_id: int) -> None:
        self.gateway.discard(assessment_id)
        self.patients.show_unfinished(self.gateway.unfinished())

    # -- analysis -------------------------------------------------------------------------
    @property
    def analysing(self) -> bool:
        return self._analysis_worker is not None

    def start_analysis(self) -> None:
        """Run the model on the six photos in a worker; the preview keeps running."""
        if self.session is None or self.analysing or self.stack.currentWidget() is not self.capture:
            return
        if not self.session.complete:
            self.notify("Capture all six expressions first; missing: " + ", ".join(self.session.missing))
            return
        if self.model_handle is None:
            self.notify(f"The model is not loaded yet{': ' + self.model_error if self.model_error else ''}")
            return
        photos = {name: photo.rgb for name, photo in self.session.photos.items()}
        handle, analyse = self.model_handle, self.services.analyse
        self._analysed_id = self.session.assessment_id  # results go here even if the user moves on
        worker = FunctionWorker(lambda progress: analyse(photos, handle, progress))
        worker.progressed.connect(self._analysis_progress)
        worker.returned.connect(self._analysis_done)
        worker.cancelled.connect(self._analysis_cancelled)
        worker.errored.connect(self._analysis_failed)
        worker.finished.connect(self._analysis_finished)
        self._analysis_worker = worker
        self.capture.set_analysing(True, 0.0, "starting analysis\u2026")
        self._run(worker)

    def _analysis_progress(self, fraction: float, message: str) -> None:
        if self._analysis_worker is not None:
            self.capture.set_analysing(True, fraction, message)

    def cancel_analysis(self) -> None:
        if self._analysis_worker is not None and shiboken6.isValid(self._analysis_worker):
            self._analysis_worker.cancel()
            self.capture.set_analysing(True, self.capture.progress.value() / 100, "cancelling\u2026")

    def _analysis_finished(self) -> None:
        self._analysis_worker = None

    def _analysis_cancelled(self) -> None:
        self.capture.set_analysing(False, 0.0, "Analysis cancelled; the photos are kept.")
        self.notify("Analysis cancelled")

    def _analysis_failed(self, message: str) -> None:
        self.capture.set_analysing(False, 0.0, f"Analysis failed: {message}")
        self.notify(f"Analysis failed: {message}")

    def _analysis_done(self, result: Any) -> None:
        if self._closed:
            return
        self.capture.set_analysing(False)
        analysed_id = self._analysed_id
        try:
            self.gateway.record_results(analysed_id, result.grade, result.measured_grade, result.to_json())
        except PalsyError as exc:
            self.notify(f"Results could not be saved: {exc}")
        if analysed_id != self.assessment_id:  # the user started something else meanwhile
            self.notify(f"Assessment {analysed_id} analysed; open it from the patient's history")
            return
        self.result = result
        # show the page in the next event-loop turn: the store write and the page's first
        # paint then run as two short slices instead of one long stall
        QTimer.singleShot(0, self._show_new_result)

    def _show_new_result(self) -> None:
        if self._closed:
            return
        if self.result is None or self.patient_id is None or self.stack.currentWidget() is not self.capture:
            return
        self.stack.setCurrentWidget(self.results)
        self.results.show_result(self.result, self._patient_label(self.patient_id), "analysed",
                                 clinician=self.settings.clinic.clinician)

    # -- review and report ----------------------------------------------------------------
    def confirm_review(self, decision: ReviewDecision) -> None:
        """Store the confirmed (or overridden) grade; the store writes the audit entry."""
        if self.assessment_id is None:
            return
        try:
            self.gateway.confirm(self.assessment_id, decision.grade, decision.clinician, decision.notes)
        except PalsyError as exc:
            self.results.review_error.setText(str(exc))
            return
        self.results.update_status("confirmed")
        verb = "overridden" if decision.is_override else "confirmed"
        self.notify(f"Grade {decision.grade} {verb} by {decision.clinician}")

    def export_pdf(self) -> None:
        """Render the PDF of the confirmed assessment on a worker; the store keeps it."""
        if self.assessment_id is None or self.result is None or self.services.render_report is None:
            return
        info = self.gateway.assessment(self.assessment_id)
        if info.status != "confirmed":
            self.notify("Confirm the grade first: a report needs a confirmed grade")
            return
        if self._export_id is not None:
            return  # one report at a time
        render, result, settings = self.services.render_report, self.result, self.settings
        patient, history = self.gateway.get_patient(info.patient_id), self.gateway.history(info.patient_id)
        worker = FunctionWorker(lambda progress: render(info, patient, result, settings, history))
        worker.returned.connect(self._report_rendered)
        worker.errored.connect(self._report_failed)
        self._export_id = info.assessment_id
        self.results.export_button.setEnabled(False)
        self.notify("Writing the report\u2026")
        self._run(worker)

    def _report_rendered(self, pdf: bytes) -> None:
        if self._closed:
            return
        assessment_id, self._export_id = self._export_id, None
        self.results.update_status(self.results.status)
        try:
            path = store_report(self.gateway, assessment_id, pdf)
        except PalsyError as exc:
            self.notify(f"Report could not be saved: {exc}")
            return
        self.last_report = path
        self.notify(f"Report saved: {path}")

    def _report_failed(self, message: str) -> None:
        self._export_id = None
        self.results.update_status(self.results.status)
        self.notify(f"Report failed: {message}")

    # -- history --------------------------------------------------------------------------
    def show_history(self, patient_id: str) -> None:
        self.patient_id = patient_id
        self.history.show_history(self._patient_label(patient_id), self.gateway.history(patient_id))
        self.stack.setCurrentWidget(self.history)

    def open_read_only(self, assessment_id: int) -> None:
        """Show a past assessment as it was stored (no editing)."""
        from app.reopen import result_from_record

        info = self.gateway.assessment(assessment_id)
        result = result_from_record(info, self.gateway)
        if result is None:
            self.notify("This assessment has no results yet (it was never analysed)")
            return
        self.patient_id, self.assessment_id, self.result = info.patient_id, assessment_id, result
        self.stack.setCurrentWidget(self.results)
        self._show_read_only(info, result)
        self._recompute_overlays(info)

    def _show_read_only(self, info: Any, result: Any) -> None:
        self.results.show_result(result, self._patient_label(info.patient_id), info.status, info.confirmed_grade,
                                 info.clinician, info.notes, read_only=True)

    def _recompute_overlays(self, info: Any) -> None:
        """Masks and attention maps are not stored: recompute them from the stored photos on a
        worker (the stored grades and measurements are what is shown)."""
        if self.model_handle is None or not info.captures:
            return
        try:
            photos = {name: self.gateway.load_photo(info.assessment_id, name) for name in info.captures}
        except PalsyError as exc:
            self.notify(f"Stored photos could not be read: {exc}")
            return
        handle, analyse = self.model_handle, self.services.analyse
        self._reopen_id = info.assessment_id
        worker = FunctionWorker(lambda progress: analyse(photos, handle, progress))
        worker.returned.connect(self._overlays_recomputed)
        worker.errored.connect(self.notify)
        self._run(worker)

    def _overlays_recomputed(self, fresh: Any) -> None:
        if self._closed:
            return
        if self.result is None or self.assessment_id != getattr(self, "_reopen_id", None) or not self.results.read_only:
            return
        for name, expression in fresh.expressions.items():
            stored = self.result.expressions.get(name)
            if stored is not None:
                stored.photo, stored.mask, stored.attention = expression.photo, expression.mask, expression.attention
        self._show_read_only(self.gateway.assessment(self.assessment_id), self.result)
        self.notify("Overlays recomputed from the stored photos with the current model")

    # -- settings -------------------------------------------------------------------------
    def open_settings(self) -> Any:
        from app.pages.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings | None) -> None:
        if settings is None:
            return
        reload_model = settings.model != self.settings.model
        camera_changed = settings.camera != self.settings.camera
        self.settings = self.services.settings = settings
        if self.services.save_settings is not None:
            self.services.save_settings(settings)
        if reload_model:
            self.load_model()
        if camera_changed and self.stack.currentWidget() is self.capture and not self.capture.read_only:
            self.capture.preview.mirror = settings.camera.mirror_preview
            self.capture.retry_camera()  # reopen with the new source
        self.notify("Settings saved")

    # -- shutdown -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the camera and every worker thread and wait for them (no dangling QThreads)."""
        self._closed = True
        self.capture.timer.stop()
        self.capture.camera.stop(wait=True)
        self.capture.shutdown_saver()
        if self._analysis_worker is not None and shiboken6.isValid(self._analysis_worker):
            self._analysis_worker.cancel()
        for thread in list(self._threads):
            if shiboken6.isValid(thread):
                thread.quit()
                thread.wait(10000)
        self._threads.clear()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)
