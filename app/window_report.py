"""Review and report in the main window: confirming (or overriding) the grade, and
exporting the PDF of a confirmed assessment on a worker thread."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication

from app.export import store_report
from app.pages.results_logic import ReviewDecision, export_blocker
from app.workers import FunctionWorker
from models.errors import PalsyError


class WindowReportMixin:
    """`confirm_review` and `export_pdf` (one report at a time; `last_report` is its path).

    Mixed into `MainWindow`, which owns the gateway, the results page and `_run`.
    """

    def confirm_review(self, decision: ReviewDecision) -> None:
        """Store the confirmed (or overridden) grade; the store writes the audit entry."""
        if self.assessment_id is None:
            return
        try:
            self.gateway.confirm(self.assessment_id, decision.grade, decision.clinician, decision.notes)
        except PalsyError as exc:
            self.results.review_error.setText(str(exc))
            return
        self.results.mark_confirmed(decision.grade, decision.clinician, decision.notes)
        verb = "overridden" if decision.is_override else "confirmed"
        self.notify(
            f"Grade {decision.grade} {verb} by {decision.clinician}",
            log_text=f"Grade {decision.grade} {verb} (clinician's name not logged)",
        )

    def export_pdf(self) -> None:
        """Render the PDF of the confirmed assessment on a worker; the store keeps it."""
        if self.assessment_id is None or self.result is None or self.services.render_report is None:
            return
        info = self.gateway.assessment(self.assessment_id)
        why = export_blocker(info.status, self.results.review_edited(), self.results.overlays_pending)
        if why:  # the Ctrl+E shortcut is refused for the same reasons as the button
            self.notify(why)
            return
        if self._export_id is not None:
            return  # one report at a time
        render, result, settings = self.services.render_report, self.result, self.settings
        patient, history = self.gateway.get_patient(info.patient_id), self.gateway.history(info.patient_id)
        # rendered in the data folder's private staging folder, never in the system's temp folder
        folder = getattr(self.gateway, "folder", None)
        worker = FunctionWorker(lambda progress: render(info, patient, result, settings, history, folder))
        worker.returned.connect(self._report_rendered)
        worker.errored.connect(self._report_failed)
        self._export_id = info.assessment_id
        self.results.export_button.setEnabled(False)
        self.notify("Writing the report\u2026")
        self._export_thread = self._run(worker)

    def finish_export(self, timeout_ms: int = 60000) -> None:
        """At close: let a report being written finish and keep it (it was dropped, unsaved).
        Waits for the worker, then delivers its queued answer to `_report_rendered`."""
        thread = getattr(self, "_export_thread", None)
        if self._export_id is None or thread is None or not shiboken6.isValid(thread):
            return
        self.notify("Saving the report before closing\u2026")
        if thread.wait(timeout_ms):
            QCoreApplication.sendPostedEvents(self)  # returned/errored, queued to this window

    def _report_rendered(self, pdf: bytes) -> None:
        if self._closed:
            return
        assessment_id, self._export_id = self._export_id, None
        self.results.update_status(self.results.status)
        try:
            path = store_report(self.gateway, assessment_id, pdf)
        except PalsyError as exc:
            self.notify(f"Report could not be saved: {exc}", 30000)  # to act on: stays over a page change
            return
        self.last_report = path
        self.notify(f"Report saved: {path}")

    def _report_failed(self, message: str) -> None:
        self._export_id = None
        self.results.update_status(self.results.status)
        self.notify(f"Report failed: {message}", 30000)
