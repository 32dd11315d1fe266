"""A patient's history in the main window, reopening a past assessment (read-only once
confirmed, for review while it awaits one; its overlays recomputed from the stored photos on
a worker thread), and marking one entered in error (recorded under the wrong patient)."""

from __future__ import annotations

from typing import Any

from app.local_time import local_minute
from app.pages.history_logic import (
    ENTERED_IN_ERROR_TITLE,
    entered_in_error_question,
    visit_words,
    withdrawable,
    withdrawn_message,
)
from app.pages.results_logic import graded_by_shown, last_visit_text
from app.records.errors import RecordNotFoundError
from app.review_drafts import ReviewDrafts, visit_key
from app.widgets.busy_cursor import busy_cursor
from app.workers import FunctionWorker
from models.errors import PalsyError

# Open on a draft in the history: what it lacks and where it is taken up (as `drafts_hint` says)
UNFINISHED = "This assessment is unfinished: no grade yet. Resume or discard it on the patients page."
# an unfinished visit an import brought: not resumed here (`Store.begun_elsewhere`), in the store's words
UNFINISHED_ELSEWHERE = ("This assessment was begun at another station (imported) and is unfinished: finish it "
                        "there, or start a new assessment here.")


def graded_by(info: Any) -> str | None:
    """The sha256 of the weights that graded the stored assessment `info` (None if not recorded)."""
    model = (info.result or {}).get("model") or {}
    return model.get("sha256") or None


def other_model(overlays_sha: str | None, graded_sha: str | None) -> bool:
    """The overlays were recomputed with other weights than those that graded the visit: a
    report naming the grading model must not show them as its own."""
    return bool(overlays_sha and graded_sha and overlays_sha != graded_sha)


class DecodedPhotos:
    """The gateway's `load_photo` for one visit, each photo read and decoded once: the reopened
    result and its overlays' worker used to decode each one on the GUI thread twice (0.75-1.16 s
    at 1920x1080). An unreadable photo raises its error again."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self.read: dict[tuple[int, str], Any] = {}  # the photo, or the PalsyError it raised

    def load_photo(self, assessment_id: int, expression: str) -> Any:
        key = (assessment_id, expression)
        if key not in self.read:
            try:
                self.read[key] = self.gateway.load_photo(assessment_id, expression)
            except PalsyError as exc:
                self.read[key] = exc
        if isinstance(self.read[key], PalsyError):
            raise self.read[key]
        return self.read[key]


class WindowHistoryMixin:
    """`show_history`, `review_offered`, `open_read_only` and `withdraw_visit`.

    Mixed into `MainWindow`, which owns the gateway, the history and results pages, the model
    handle and `_run`.
    """

    def keep_reviews_in_data_folder(self) -> None:
        """The results page keeps a review typed but not confirmed in this data folder as well
        (`app.review_drafts`): after a crash, a power cut or a session end, reopening the
        analysed visit (the patients page's bar, its history) brings it back."""
        folder = getattr(self.gateway, "folder", None)
        if folder is None:
            return

        def visit_of(assessment_id: int) -> str:
            info = self.gateway.assessment(assessment_id)
            return visit_key(info.patient_id, info.created)

        def awaits_review(number: int) -> bool:
            """The visit of that number awaits review, and it is the one the form was typed for."""
            try:
                info = self.gateway.assessment(number)
            except RecordNotFoundError:  # not in this database (an older one restored): never shown again
                return False
            return info.status == "analysed" and drafts.kept_for(number, visit_key(info.patient_id, info.created))

        drafts = ReviewDrafts(folder, visit_of)
        drafts.remove_leftovers()
        drafts.remove_settled(awaits_review)
        self.results.use_review_drafts(drafts)

    def show_history(self, patient_id: str) -> None:
        if not self.may_leave_results():
            return
        self.patient_id = patient_id
        self._fill_history(patient_id)
        self.stack.setCurrentWidget(self.history)
        self.show_patient_title(patient_id)

    def _fill_history(self, patient_id: str) -> None:
        """The history page's visits of `patient_id` (their photos unread: the page lists none),
        and how many were marked entered in error."""
        visits = self.gateway.history(patient_id, photos=False)
        self.history.show_history(self._patient_label(patient_id), visits, self.gateway.withdrawn_count(patient_id))

    def withdraw_visit(self, assessment_id: int) -> None:
        """Mark a past visit (analysed or confirmed) entered in error once the user has named a
        reason: it leaves the history, its plot and later reports; nothing is deleted and the
        audit trail keeps the reason. The question names the patient and the visit's date and
        grade; the log names only the assessment's number (logs carry no names, DESIGN §9)."""
        ref = f"assessment {assessment_id}"
        try:
            info = self.gateway.assessment(assessment_id)
            label = self._patient_label(info.patient_id)
            who = str(label)
        except PalsyError as exc:
            problem = str(exc)
            self.notify(f"The visit could not be read: {problem}")
            return
        visit = visit_words(info)
        if not withdrawable(info):
            hint = ("discard it from the patients page" if info.status == "draft"
                    else "it is no longer in the history")
            self.notify_naming(lambda w: f"The {visit} of {w} is {info.status}: {hint}", who, ref)
            return
        reason = self.services.ask_reason(self, ENTERED_IN_ERROR_TITLE, entered_in_error_question(who, info))
        if not reason:
            self.notify_naming(lambda w: f"The {visit} of {w} was kept", who, ref)
            return
        try:
            self.gateway.withdraw(assessment_id, reason)
        except PalsyError as exc:
            problem = str(exc)
            self.notify_naming(lambda w: f"The {visit} of {w} was not marked entered in error: {problem}", who, ref)
            return
        self.drop_report_notices(assessment_id)  # no report of it is wanted now
        self.results.forget_review(assessment_id)  # nor its review, typed but not confirmed
        if self.stack.currentWidget() is self.history and self.patient_id == info.patient_id:
            self._fill_history(info.patient_id)  # the line under the visits says one more is not shown
            self.history.table.setFocus()
        # short enough to be read whole beside the data folder (230 characters were cut in the middle)
        short = ", ".join(part for part in (label.name, info.patient_id) if part)
        self.notify_naming(lambda w: withdrawn_message(info, w), short, ref, 30000)

    def review_offered(self, assessment_id: int) -> None:
        """Open the result the patients page's bar offers, if it still awaits confirmation: the
        bar was filled when the page showed, and another station may have confirmed the visit or
        marked it entered in error since (Open then showed a withdrawn visit as a plain result).
        Otherwise say so and offer what awaits now, as the resume bar does (`_still_a_draft`)."""
        try:
            info = self.gateway.assessment(assessment_id)
        except PalsyError as exc:
            self.notify(str(exc))
            return
        if info.status == "analysed":
            self.open_read_only(assessment_id)
            return
        self.results.forget_review(assessment_id)  # nothing to confirm there now
        done = {"confirmed": "was confirmed", "discarded": "was marked entered in error"}.get(info.status, f"is {info.status}")
        self.notify_naming(lambda w: f"The result of {w} {done} meanwhile: it is no longer offered",
                           str(self._patient_label(info.patient_id)), f"assessment {assessment_id}")
        self.show_offered_draft()

    def open_read_only(self, assessment_id: int) -> None:
        """Show a past assessment as it was stored. A confirmed one is read-only; one that was
        analysed but never confirmed opens for review (confirm, then export), since nothing
        else leads back to it."""
        from app.reopen import result_from_record

        try:
            info = self.gateway.assessment(assessment_id)
            photos = DecodedPhotos(self.gateway)
            with busy_cursor():  # the stored photos are decoded here (about 0.4 s at 1920x1080)
                result = result_from_record(info, photos, trail=self.gateway.audit(assessment_id))
        except PalsyError as exc:  # a stored result damaged by hand, an unreadable database
            self.notify(str(exc))
            return
        if result is None:
            if info.status == "draft":
                self.notify(UNFINISHED_ELSEWHERE if self.gateway.begun_elsewhere(assessment_id) else UNFINISHED)
            else:
                self.notify("This assessment has no results yet (it was never analysed)")
            return
        if info.status == "discarded":  # the history lists none: shown, it read as a valid result
            self.results.forget_review(assessment_id)  # a review kept for it has nothing to confirm
            self.notify("This visit was marked entered in error: it is no longer shown")
            return
        self.patient_id, self.assessment_id, self.result = info.patient_id, assessment_id, result
        self.stack.setCurrentWidget(self.results)
        self.show_patient_title(info.patient_id)
        review = info.status == "analysed"
        # the visit's date and time in the title: with several visits (two of them on one day), which one is open
        label = self._patient_label(info.patient_id).with_detail(f", visit of {local_minute(info.created)}")
        self.results.show_result(result, label, info.status, info.confirmed_grade,
                                 info.clinician or (self.settings.clinic.clinician if review else ""), info.notes,
                                 read_only=not review, registered_side=self._registered_side(info.patient_id),
                                 capture_times=info.captured_at.values(), assessment_id=assessment_id)
        self.show_last_visit(info.patient_id, assessment_id)
        self.show_graded_by()
        if review:
            self.notify("This assessment awaits review: confirm or override the grade")
        self._recompute_overlays(info, photos)

    def show_graded_by(self) -> None:
        """The result on screen names the weights that graded it, with its own record's warning
        when they are not the loaded ones (`graded_by_text`): a reopened visit always, a live
        result only once other weights (or none) are loaded, as Settings may swap them while it
        is shown (`graded_by_shown`). Again once a load starts and once it answers."""
        if self.result is None or self.results.result is not self.result:
            return
        model = self.result.model if isinstance(self.result.model, dict) else {}
        handle = self.model_handle
        loaded = getattr(handle, "sha256", None) if handle is not None else None
        if not graded_by_shown(model, loaded, self.result.reopened):
            self.results.show_graded_by(None)
            return
        # imported only now: it loads ReportLab (0.6-1.3 s), which froze every start on the GUI
        # thread when imported before the checks (the start's load has no result to name)
        from app.report.model_cautions import is_demo_record, record_cautions

        self.results.show_graded_by(model, loaded, is_demo_record(model), record_cautions(model))

    def show_last_visit(self, patient_id: str | None, assessment_id: int | None) -> None:
        """The results page names the patient's last confirmed visit before this one (grades and
        results only: no photo is read)."""
        try:
            visits = self.gateway.history(patient_id, photos=False) if patient_id else []
        except PalsyError:
            visits = []  # the line is a help, not the record: it is left out
        self.results.show_last_visit(last_visit_text(visits, assessment_id))

    def overlays_after_load(self) -> None:
        """The model load answered: the overlays of a visit reopened meanwhile, if it is still on
        screen (none when the load failed: the banner says why, and Export is free again)."""
        self.show_graded_by()  # the result shown, live or reopened: the loaded weights are known now
        waiting, self._overlays_waiting = getattr(self, "_overlays_waiting", None), None
        if waiting is None:
            return
        if self.model_handle is None or waiting != self.assessment_id or self.stack.currentWidget() is not self.results:
            self.results.set_overlays_pending(False)
            if self.model_handle is None and waiting == self.assessment_id and self.stack.currentWidget() is self.results:
                self.notify("No overlays: the model did not load (the banner says why)")
            return
        try:
            info = self.gateway.assessment(waiting)
        except PalsyError as exc:
            self.results.set_overlays_pending(False)
            self.notify(f"The overlays could not be made: {exc}")
            return
        self._recompute_overlays(info)

    def _recompute_overlays(self, info: Any, decoded: DecodedPhotos | None = None) -> None:
        """Masks and attention maps are not stored: recompute them from the stored photos on a
        worker (the stored grades and measurements are what is shown); `decoded`: the photos
        read already for the result on screen. While the model is still loading they wait for
        it (`overlays_after_load`)."""
        if not info.captures:
            return
        if self.model_handle is None:
            if not self.model_error:  # loading: they come when it has loaded
                self._overlays_waiting = info.assessment_id
                self.results.set_overlays_pending(True)  # a report made now would lack them
                self.notify("The overlays appear once the model has loaded")
            return
        decoded = decoded or DecodedPhotos(self.gateway)
        try:
            photos = {name: decoded.load_photo(info.assessment_id, name) for name in info.captures}
        except PalsyError as exc:
            self.notify(f"Stored photos could not be read: {exc}")
            return
        handle, analyse = self.model_handle, self.services.analyse
        self._reopen_id = info.assessment_id
        reopened = info.assessment_id  # a later reopen makes this worker's answer stale
        worker = FunctionWorker(lambda progress: (reopened, analyse(photos, handle, progress)))
        worker.model_sha = handle.sha256  # the weights that make these overlays
        worker.graded_sha = graded_by(info)
        worker.reopen_id = reopened
        # Bound methods of the window, not lambdas: PySide6 runs a lambda slot in the thread
        # that emits (the worker's), while a window method is queued to the GUI thread.
        worker.returned.connect(self._overlays_returned)
        worker.errored.connect(self._overlays_errored)
        worker.cancelled.connect(self._overlays_cancelled)
        self.results.set_overlays_pending(True)  # a report made now would lack them
        self._run(worker)

    def _overlays_returned(self, answer: tuple[int, Any]) -> None:
        reopened, fresh = answer
        sender = self.sender()
        self._overlays_recomputed(fresh, reopened, getattr(sender, "model_sha", None), getattr(sender, "graded_sha", None))

    def _overlays_errored(self, message: str) -> None:
        self._overlays_failed(message, getattr(self.sender(), "reopen_id", None))

    def _overlays_cancelled(self) -> None:
        self._overlays_failed("cancelled", getattr(self.sender(), "reopen_id", None))

    def _overlays_failed(self, message: str, reopened: int | None) -> None:
        if self._closed or reopened != self._reopen_id:
            return
        self.results.set_overlays_pending(False)
        self.notify(f"Overlays could not be recomputed: {message}")

    def _overlays_recomputed(self, fresh: Any, reopened: int, model_sha: str | None = None,
                             graded_sha: str | None = None) -> None:
        if self._closed or reopened != self._reopen_id:
            return  # another assessment was opened since; its own worker will answer
        self.results.set_overlays_pending(False)
        if self.result is None or self.assessment_id != reopened or self.results.result is not self.result:
            return
        for name, expression in fresh.expressions.items():
            stored = self.result.expressions.get(name)
            if stored is not None:
                stored.photo, stored.mask, stored.attention = expression.photo, expression.mask, expression.attention
        self.results.show_images(self.result)  # the review form keeps what the clinician typed
        self._overlay_model = (reopened, model_sha)
        if other_model(model_sha, graded_sha):
            self.notify("Overlays recomputed with the current model, not the weights that graded this visit: "
                        "they are shown here only; its report leaves them out", 30000)
        else:
            self.notify("Overlays recomputed from the stored photos with the current model")
