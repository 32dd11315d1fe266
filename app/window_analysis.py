"""The analysis flow of the main window: start, progress, cancel, and its outcomes
(results recorded and shown, cancelled, failed)."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QTimer

from app.workers import FunctionWorker
from models.errors import PalsyError


class WindowAnalysisMixin:
    """Runs the model on the six photos in one `FunctionWorker` at a time (`_analysis_worker`).

    Mixed into `MainWindow`, which owns the session, the model handle, the pages and `_run`.
    """

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
        # results go to this assessment and patient even if the user moves on meanwhile
        self._analysed_id, self._analysed_patient = self.session.assessment_id, self.patient_id
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
        if not self._closed and self.stack.currentWidget() is self.patients:
            # left out of the patients page's offer while it ran; cancelled or failed, it is
            # a draft to resume again
            self.patients.show_unfinished(self.offered_drafts())

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
            self.notify(f"Results could not be saved: {exc}", 30000)  # to act on: stays over a page change
        if analysed_id != self.assessment_id:  # the user started something else meanwhile
            self.notify(f"Assessment {analysed_id} of {self._analysed_patient} analysed; open it from the patient's history")
            return
        self.result = result
        # show the page in the next event-loop turn: the store write and the page's first
        # paint then run as two short slices instead of one long stall
        QTimer.singleShot(0, self._show_new_result)

    def _show_new_result(self) -> None:
        if self._closed:
            return
        if self.result is None or self._analysed_patient is None:
            return
        if self.stack.currentWidget() is not self.capture:  # the user moved on while it ran
            # the analysed patient, not the one the window shows now (another's history, say)
            self.notify(f"Analysis of {self._analysed_patient} done (grade {self.result.grade}); it awaits review in "
                        "that patient's history")
            return
        self.stack.setCurrentWidget(self.results)
        self.show_patient_title(self.patient_id)
        self.results.show_result(self.result, self._patient_label(self.patient_id), "analysed",
                                 clinician=self.settings.clinic.clinician, registered_side=self._registered_side(self.patient_id))
