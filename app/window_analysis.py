"""The analysis flow of the main window: start, progress, cancel, and its outcomes
(results recorded and shown, cancelled, failed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QTimer

from app.pages.capture_logic import still_saving_text
from app.pages.instructions import TITLES
from app.widgets.announce import announce
from app.workers import FunctionWorker
from models.errors import InputError, PalsyError

log = logging.getLogger(__name__)


def analyse_noting_no_face(analyse: Callable[..., Any], no_face: dict[str, Any]) -> Callable[..., Any]:
    """`analyse` whose "no face found" error is said in plain words for the screen, naming the
    step by its title; the step goes into `no_face` (read by the GUI thread once the worker
    reports the error), with "too_small" True when the face was found but too small, and the
    detector's figures go to the log, not the screen."""
    def run(photos: dict[str, Any], handle: Any, progress: Any) -> Any:
        from models.pipeline.face import FaceTooSmallError, NoFaceError

        try:
            return analyse(photos, handle, progress)
        except NoFaceError as exc:
            log.info("analysis stopped: %s", exc)
            if exc.expression is None:
                raise
            no_face["expression"] = exc.expression
            no_face["too_small"] = isinstance(exc, FaceTooSmallError)
            what = "the face is too small in" if no_face["too_small"] else "no face found in"
            raise InputError(f"{what} the {TITLES.get(exc.expression, exc.expression)} photo. "
                             f"Retake it: {exc.advice}") from exc
    return run


class WindowAnalysisMixin:
    """Runs the model on the six photos in one `FunctionWorker` at a time (`_analysis_worker`).

    Mixed into `MainWindow`, which owns the session, the model handle, the pages and `_run`.
    The capture page may meanwhile show another patient, whose photos are taken as usual: the
    analysis's progress, Cancel and outcome show on the page only while it shows the analysed
    assessment; otherwise the outcome goes to the status bar, naming the analysed patient.
    """

    @property
    def analysing(self) -> bool:
        return self._analysis_worker is not None

    def _analysis_on_screen(self) -> bool:
        """The capture page is showing the assessment being analysed."""
        return (self.analysing and self.session is not None and self.session.assessment_id == self._analysed_id
                and self.stack.currentWidget() is self.capture)

    def _analysed_label(self) -> str:
        """The analysed patient as the user knows them ("Ada Lovelace (MRN-1)"), read when the
        analysis starts (its outcome may arrive after the store has closed)."""
        return getattr(self, "_analysed_who", "") or self._analysed_patient or ""

    def _say_about_analysed(self, words: Callable[[str], str], timeout_ms: int = 8000) -> None:
        """`words` naming the analysed patient in the status bar, and its assessment's number
        in the log (logs carry no names, DESIGN §9)."""
        self.notify_naming(words, self._analysed_label(), f"assessment {self._analysed_id}", timeout_ms)

    def _read_patient_label(self, patient_id: str) -> str:
        try:
            return str(self._patient_label(patient_id))
        except PalsyError:
            return patient_id

    def start_analysis(self) -> None:
        """Run the model on the six photos in a worker; the preview keeps running."""
        if self.session is None or self.stack.currentWidget() is not self.capture:
            return
        if self.analysing:
            if self.session.assessment_id != self._analysed_id:  # one analysis at a time
                self._say_about_analysed(lambda who: f"The analysis of {who} is still running: press Analyse again "
                                         "when it is done (the status bar says so)")
            return
        if not self.session.complete and self.session.missing:
            self.notify("Capture all six expressions first; missing: " + ", ".join(TITLES[e] for e in self.session.missing))
            return
        if not self.session.complete:  # every photo taken, one still being written: it starts then
            self.capture.analyse_when_saved(self.session)
            self.notify(still_saving_text(self.session.unsaved, starts=True))
            return
        if self.model_handle is None:
            self.notify(f"No model is loaded: {self.model_error}" if self.model_error
                        else "The model is still loading (status bar: \"model: loading\u2026\"); press Analyse again "
                        "when it names the model")
            return
        photos = {name: photo.rgb for name, photo in self.session.photos.items()}
        handle, analyse = self.model_handle, self.services.analyse
        # results go to this assessment and patient even if the user moves on meanwhile
        self._analysed_id, self._analysed_patient = self.session.assessment_id, self.patient_id
        self._analysed_who = self._read_patient_label(self.patient_id)
        self._no_face: dict[str, Any] = {}  # the photo without a face, when that stops the analysis
        run = analyse_noting_no_face(analyse, self._no_face)
        worker = FunctionWorker(lambda progress: run(photos, handle, progress))
        worker.progressed.connect(self._analysis_progress)
        worker.returned.connect(self._analysis_done)
        worker.cancelled.connect(self._analysis_cancelled)
        worker.errored.connect(self._analysis_failed)
        worker.finished.connect(self._analysis_finished)
        self._analysis_worker = worker
        self.capture.analysis_started(self._analysed_id, self._analysed_label())
        # a sighted user sees the bar and Cancel appear; the end is said by the result's summary
        # (the results page) or the status bar
        announce(self, f"Analysing the photos of {self._analysed_label()}: Escape cancels")
        self._run(worker)

    def _analysis_progress(self, fraction: float, message: str) -> None:
        if self._analysis_worker is not None:
            self.capture.analysis_progress(fraction, message)

    def cancel_analysis(self) -> None:
        """Cancel the running analysis (Esc, the page's Cancel). Not from the capture page of
        another assessment: Esc there is about that page, and the analysis of the patient
        before it goes on. An Analyse still waiting for the last photo's save is withdrawn."""
        if self._analysis_worker is None or not shiboken6.isValid(self._analysis_worker):
            self.capture.withdraw_analyse_request("cancelled before the last photo was saved; the photos are kept "
                                                  "(press Analyse when you are ready)")
            return
        if self.stack.currentWidget() is self.capture and not self._analysis_on_screen():
            self._say_about_analysed(lambda who: f"Nothing to cancel on this page; the analysis of {who} goes on")
            return
        self._analysis_worker.cancel()
        self.capture.analysis_progress(self.capture.progress.value() / 100, "cancelling\u2026")

    def _analysis_finished(self) -> None:
        self._analysis_worker = None
        if not self._closed and self.stack.currentWidget() is self.patients:
            # left out of the patients page's offer while it ran; cancelled or failed, it is
            # a draft to resume again
            self.show_offered_draft()

    def _analysis_ended(self, page_message: str, elsewhere: Callable[[str], str], failed: bool = False) -> None:
        """Say how the analysis ended: on the capture page when it shows the analysed assessment
        (and briefly in the status bar), else in the status bar, naming the patient (`elsewhere`
        of the patient's name); a failure is announced at once (assertive), as the keyboard stays
        on the steps list while it runs."""
        if self._closed:
            return
        on_screen = self._analysis_on_screen()
        if failed:  # at once, before the status bar says the same words (politely: not again)
            announce(self, page_message if on_screen else elsewhere(self._analysed_label()), assertive=True)
        self.capture.analysis_ended(page_message if on_screen else "")
        if on_screen:
            self.notify(page_message)
        else:
            self._say_about_analysed(elsewhere, 30000)

    def _analysis_cancelled(self) -> None:
        self._analysis_ended("Analysis cancelled; the photos are kept.",
                             lambda who: f"Analysis of {who} cancelled; the photos are kept (Resume goes on)")

    def _analysis_failed(self, message: str) -> None:
        noted = getattr(self, "_no_face", {})
        no_face = noted.get("expression")
        on_screen = self._analysis_on_screen()
        self._analysis_ended(f"Analysis failed: {message}",
                             lambda who: f"Analysis of {who} failed: {message}. Resume it and press Analyse "
                             "to try again", failed=True)
        if no_face is not None and on_screen and self.session is not None and not self._closed:
            # its step says "no face – retake?" (or "face too small – retake closer?") and is the current one
            self.session.mark_no_face(no_face, too_small=bool(noted.get("too_small")))

    def _analysis_done(self, result: Any) -> None:
        if self._closed:
            return
        analysed_id = self._analysed_id
        try:
            if result.raw is not None and self._analysed_patient is not None:
                # the stored record says what the patient record said, as `palsy assess` stores it
                from models.pipeline.assess import add_registered_side

                add_registered_side(result.raw, self._registered_side(self._analysed_patient))
            self.gateway.record_results(analysed_id, result.grade, result.measured_grade, result.to_json())
        except PalsyError as exc:
            # not on record: its grade cannot be reviewed or confirmed, so no results page; the
            # photos are kept and a second Analyse tries again
            reason = str(exc)
            self._analysis_ended(f"The results could not be saved: {reason}. Press Analyse to try again.",
                                 lambda who: f"The results of {who} could not be saved: {reason}. Resume the "
                                 "assessment and press Analyse to try again", failed=True)
            return
        if analysed_id != self.assessment_id:  # the user started something else meanwhile
            self.capture.analysis_ended()
            self._say_about_analysed(lambda who: f"The analysis of {who} is done; open it from the patients "
                                     "page's bar of results to confirm, or the patient's history", 30000)
            return
        self.capture.analysis_ended()
        self.result = result
        # show the page in the next event-loop turn: the store write and the page's first
        # paint then run as two short slices instead of one long stall
        QTimer.singleShot(0, self, self._show_new_result)  # dropped if the window is gone

    def _capture_times(self, assessment_id: int | None) -> list[str]:
        """When the assessment's photos were taken (a draft resumed another day mixes days: the
        results page flags it); none when the record cannot be read now."""
        try:
            return list(self.gateway.assessment(assessment_id).captured_at.values()) if assessment_id is not None else []
        except PalsyError:
            return []

    def _show_new_result(self) -> None:
        if self._closed:
            return
        if self.result is None or self._analysed_patient is None:
            return
        if self.stack.currentWidget() is not self.capture:  # the user moved on while it ran
            # the analysed patient, not the one the window shows now (another's history, say)
            self.notify(f"Analysis of {self._analysed_patient} done (grade {self.result.grade}); it awaits review: "
                        "the patients page's bar of results to confirm and that patient's history offer it")
            return
        self.stack.setCurrentWidget(self.results)
        self.show_patient_title(self.patient_id)
        self.results.show_result(self.result, self._patient_label(self.patient_id), "analysed",
                                 clinician=self.settings.clinic.clinician, registered_side=self._registered_side(self.patient_id),
                                 capture_times=self._capture_times(self.assessment_id), assessment_id=self.assessment_id)
        self.show_last_visit(self.patient_id, self.assessment_id)
        self.show_graded_by()  # other weights may be loading (Settings) while it ran: the banner speaks of those
