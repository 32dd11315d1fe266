"""Review and report in the main window: confirming (or overriding) the grade, exporting the
PDF of a confirmed assessment on a worker thread, and handing a saved report on (Open report:
the system's viewer, which prints it; Save a copy: where the user chooses)."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from app.export import (
    STAGING_DIR,
    SavedReport,
    changed_since,
    copy_name,
    copy_report,
    copy_target,
    newest_report,
    outdated_report_text,
    saved_report,
    store_report,
    unchanged_report,
    unprinted_text,
)
from app.pages.patient_logic import as_sentence
from app.pages.results_logic import (
    ReviewDecision,
    confirmed_notice,
    export_blocker,
    unkept_review_notice,
)
from app.records.errors import RecordStateError
from app.records.files import atomic_write, fsync_dir
from app.records.paths import FILE_MODE, ensure_private_dir
from app.records_gateway import AssessmentInfo
from app.reopen import export_refusal
from app.widgets.file_dialog_history import without_folder_history
from app.window_history import graded_by, other_model
from app.workers import FunctionWorker
from models.atomic_files import fsync_file
from models.errors import PalsyError

log = logging.getLogger(__name__)

EXPORT_CLOSE_WAIT_MS = 60000  # how long closing waits for a report being written (painted, not frozen)
CHANGED_DURING_EXPORT = ("The assessment (grade, clinician or notes), the patient's record or their other visits changed while the report was written; the "
                         "report was not saved: export again")
REPORT_NOTICE = "report"  # the key prefix of a failed export's lasting notice (MainWindow.set_notice)
# in DATA/tmp: the number of each report being written, from the start of its export until it is
# saved or its failure said; a number left there (a kill, a crash, a power cut, a close that gave
# up waiting) is said at the next start (`MainWindow._say_unsaved_report`)
UNSAVED_REPORT = "unsaved-report.txt"
CONFIRM_FAILURE_MS = 30000  # a refused confirmation's line: to act on, but gone with the results page
UNKEPT_REVIEW_MS = 30000  # "the review typed ... could not be kept in the data folder"
_PATH = re.compile(r"\s*(?<![\w.])(?:[A-Za-z]:)?[\\/][^\s:;,]*")  # a path without spaces


def spoken_without_paths(text: str, folder: Path | str | None = None) -> str:
    """`text` as a screen reader is told it: without the paths (the data folder's, with the
    spaces it may hold, and any other) it would spell out letter by letter."""
    if folder:
        text = re.sub(r"\s*" + re.escape(str(folder)) + r"[^\s:;,]*", "", text)
    return _PATH.sub("", text)


def note_unsaved_report(folder: Path, assessment_id: int) -> None:
    """Note that the report of `assessment_id` is not saved (yet) in the data folder's private
    staging folder (`UNSAVED_REPORT`, owner-only as the folder's files), synced to disk: it must
    outlive a power cut. Never raises (an export goes on without the note; the log has why)."""
    try:
        staging = ensure_private_dir(Path(folder) / STAGING_DIR, inside=Path(folder))
        fd = os.open(staging / UNSAVED_REPORT, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            os.write(fd, f"{assessment_id}\n".encode("ascii"))
            fsync_file(fd)
        finally:
            os.close(fd)
        fsync_dir(staging)  # a note just created is found after a power cut too
    except Exception:  # noqa: BLE001 - the report is written all the same
        log.warning("could not note the report of assessment %s as being written", assessment_id, exc_info=True)


def forget_unsaved_report(folder: Path, assessment_id: int) -> None:
    """The report of `assessment_id` was saved, or its failure said: its number leaves the note
    (removed once none is left). Never raises: a number left there is said at the next start
    only while the visit has no report as it stands (`report_stands`)."""
    marker = Path(folder) / STAGING_DIR / UNSAVED_REPORT
    try:
        words = marker.read_bytes().split()
        kept = [word for word in words if word != str(assessment_id).encode("ascii")]
        if kept == words:
            return
        if kept:
            atomic_write(marker, b"".join(word + b"\n" for word in kept), verify=False)
        else:
            marker.unlink()
            fsync_dir(marker.parent)
    except FileNotFoundError:  # said at a start since (a second window on the folder), or never noted
        return
    except Exception:  # noqa: BLE001 - the export's outcome is said all the same
        log.warning("could not take the report of assessment %s off the note of reports being written", assessment_id,
                    exc_info=True)


def report_stands(gateway: Any, info: AssessmentInfo) -> bool:
    """The visit has a saved report that prints its records as they stand (`changed_since`): a
    report noted as being written that is found so was saved after all (the note outlived it)."""
    try:
        return newest_report(gateway, info) is not None and not changed_since(gateway, info)
    except Exception:  # noqa: BLE001 - not known to be saved: said, to be exported again
        log.warning("the saved reports of assessment %s could not be read", info.assessment_id, exc_info=True)
        return False


def report_notice_key(assessment_id: int | None) -> str:
    """The lasting notice of one assessment's failed report: it stands until that report is
    saved (another patient's report saved meanwhile does not mean this one was)."""
    return f"{REPORT_NOTICE}:{assessment_id}"


def without_overlays(result: Any) -> Any:
    """`result` with no recomputed overlays (masks and attention maps): the report shows the
    stored photos only."""
    expressions = {name: replace(e, attention={}) for name, e in result.expressions.items()}
    return replace(result, expressions=expressions)


class WindowReportMixin:
    """`confirm_review` and `export_pdf` (one report at a time; `last_report` is its path).

    Mixed into `MainWindow`, which owns the gateway, the results page and `_run`.
    """

    def confirm_review(self, decision: ReviewDecision) -> None:
        """Store the confirmed (or overridden) grade; the store writes the audit entry."""
        if self.assessment_id is None:
            return
        if self._export_id == self.assessment_id:  # the page is locked; a shortcut must not slip through
            self.notify("The report is being written; confirm again once it is saved")
            return
        try:
            self.gateway.confirm(self.assessment_id, decision.grade, decision.clinician, decision.notes)
        except PalsyError as exc:  # said where the user looks too, and spoken once, by the bar
            self.results.show_confirm_failure(str(exc))
            text = f"The grade was not confirmed: {exc}"
            self.notify(text, CONFIRM_FAILURE_MS, spoken=spoken_without_paths(text, getattr(self.gateway, "folder", None)))
            self._confirm_failure = text  # goes with the results page (`end_confirm_failure`)
            return
        self.results.mark_confirmed(decision.grade, decision.clinician, decision.notes)
        self.offer_report_actions()  # a report saved before shows the grade as it was
        text, log_text = confirmed_notice(decision)
        self.notify(text, log_text=log_text)

    def end_confirm_failure(self, _index: int = 0) -> None:
        """The results page left: its refused confirmation's line goes from the status bar (it
        does not say whose grade it was)."""
        text = getattr(self, "_confirm_failure", None)
        if text is None or self.stack.currentWidget() is self.results:
            return
        self._confirm_failure = None
        if self.statusBar().currentMessage() == text:
            self.statusBar().clearMessage()

    def say_review_unkept(self, unkept: dict[int, str]) -> None:
        """The review typed for these assessments could not be written to the data folder: it is
        lost if Palsy Grader closes (said once per visit until its copy is written again), and why
        (assessment -> reason, `KeptReviews.flush`: a full disk, a folder read-only or gone...).
        The bar names the patient as every page does (`_patient_label`, with the date of birth),
        the log the number."""
        for assessment_id, reason in unkept.items():
            try:
                info = self.gateway.assessment(assessment_id)
                name = str(self._patient_label(info.patient_id))
            except (PalsyError, OSError, sqlite3.Error):  # the store itself failing: no name to give
                name = f"assessment {assessment_id}"
            self.notify_naming(partial(unkept_review_notice, reason=reason), name, f"assessment {assessment_id}",
                               UNKEPT_REVIEW_MS)

    def export_pdf(self) -> None:
        """Render the PDF of the confirmed assessment on a worker; the store keeps it."""
        if self.assessment_id is None or self.result is None or self.services.render_report is None:
            return
        info = self.gateway.assessment(self.assessment_id)
        why = export_blocker(info.status, self.results.review_edited(), self.results.overlays_pending,
                             export_refusal(self.result))
        if why:  # the Ctrl+E shortcut is refused for the same reasons as the button
            self.notify(why)
            return
        if self._export_id is not None:  # one report at a time: say whose is being written
            who = getattr(self, "_export_label", None) or "another assessment"
            self.notify(f"A report for {who} is still being written; export again when it is saved",
                        log_text="Another report is still being written")  # logs carry no names
            return
        self.set_notice(report_notice_key(info.assessment_id), "")  # its last failure: this export says its own outcome
        render, result, settings = self.services.render_report, self.result, self.settings
        made = getattr(self, "_overlay_model", None)  # (assessment, sha of the weights that recomputed its overlays)
        left_out = (result.raw is None and made is not None and made[0] == info.assessment_id
                    and other_model(made[1], graded_by(info)))
        if left_out:  # the report names the grading model: overlays of another one are not its own
            result = without_overlays(result)
        # the grade history needs every visit's grade and result, not its photos (read on the GUI thread)
        patient, history = self.gateway.get_patient(info.patient_id), self.gateway.history(info.patient_id, photos=False)
        label = str(self._patient_label(info.patient_id))  # name, ID and date of birth, as every page names them
        # rendered in the data folder's private staging folder, never in the system's temp folder
        folder = getattr(self.gateway, "folder", None)

        def write(_progress: Any) -> tuple[bytes, str]:
            # noted first, on this thread (it syncs to disk): a kill, a crash or a power cut while
            # it is written is said at the next start; taken off once its outcome is said
            if folder is not None:
                note_unsaved_report(Path(folder), info.assessment_id)
            # with what the PDF could not print ("Report saved" says it: a name printed as "?" is
            # otherwise found only on paper), asked there too: it loads ReportLab, which froze the
            # window at the first export when asked here
            return (render(info, patient, result, settings, history, folder),
                    unprinted_text(info, patient, settings, history))

        worker = FunctionWorker(write)
        worker.returned.connect(self._report_answered)
        worker.errored.connect(self._report_failed)
        thread = self._run(worker)  # the state below only once a thread runs: nothing stays locked
        self._export_id, self._export_thread = info.assessment_id, thread
        self._export_snapshot = info  # the record the PDF shows: saved only while it still holds
        self._export_patient = patient  # and the patient it names (a name corrected meanwhile)
        self._export_history = history  # and the visits of its grade history (one withdrawn meanwhile)
        self._export_label = label
        self.results.set_exporting(True)  # no re-confirming while the report of this decision is written
        self.notify("Writing the report (without the overlays: the current model made them, not the grading one)\u2026"
                    if left_out else "Writing the report\u2026")

    def finish_export(self, timeout_ms: int | None = None) -> bool:
        """At close: let a report being written finish and keep it (it was dropped, unsaved).
        Waits with the window painted and a notice saying why; its queued answer reaches
        `_report_rendered` meanwhile. False when it was still being written after `timeout_ms`:
        the report is lost, which the log and the next start say (`remember_unsaved_report`)."""
        thread = getattr(self, "_export_thread", None)
        if self._export_id is None or thread is None or not shiboken6.isValid(thread):
            return True
        timeout_ms = EXPORT_CLOSE_WAIT_MS if timeout_ms is None else timeout_ms
        who = getattr(self, "_export_label", None) or "the assessment"
        text = f"Saving the report for {who} before closing (up to {timeout_ms // 1000} s)\u2026"
        self.notify(text, 0, log_text="Saving the report before closing")
        if self.wait_painted(lambda: self._export_id is None, timeout_ms, text):
            return True
        log.warning("the report of assessment %d was still being written at close and was not saved; "
                    "export it again", self._export_id)
        self.remember_unsaved_report(self._export_id)
        return False

    def _export_done(self) -> Any:
        """End the export in progress: the page's review unlocks; the record it was rendered from."""
        self._export_id = None
        snapshot, self._export_snapshot = getattr(self, "_export_snapshot", None), None
        self.results.set_exporting(False)
        return snapshot

    def _report_answered(self, answer: tuple[bytes, str]) -> None:
        """The worker's (PDF, what it could not print)."""
        self._report_rendered(*answer)

    def _report_rendered(self, pdf: bytes, unprinted: str = "") -> None:
        if self._closed:  # not saved: its note stays, and the next start says so
            return
        assessment_id = self._export_id
        try:
            self._keep_report(pdf, unprinted)
        finally:  # saved, or its failure said
            self._forget_unsaved_report(assessment_id)

    def _forget_unsaved_report(self, assessment_id: int | None) -> None:
        """The report of `assessment_id` is no longer being written: off the note (`note_unsaved_report`)."""
        folder = getattr(self.gateway, "folder", None)
        if folder is not None and assessment_id is not None:
            forget_unsaved_report(Path(folder), assessment_id)

    def _keep_report(self, pdf: bytes, unprinted: str) -> None:
        """Store the report rendered, or say why it was not kept."""
        assessment_id, who = self._export_id, getattr(self, "_export_label", None)
        snapshot, patient = self._export_done(), getattr(self, "_export_patient", None)
        history = getattr(self, "_export_history", None)
        self._export_patient = self._export_history = None
        try:
            # the same report as the one saved (printed again): that one stands, no second copy
            kept = unchanged_report(self.gateway, snapshot, pdf) if snapshot is not None else None
            # else kept only while the record still holds the decision the PDF shows (the store
            # checks it in the transaction that keeps the file)
            path = kept or store_report(self.gateway, assessment_id, pdf, expect=snapshot, patient=patient,
                                        history=history)
        except RecordStateError:
            log.warning("report of assessment %s dropped: the record changed while it was written", assessment_id)
            text = CHANGED_DURING_EXPORT.replace("The assessment", f"The assessment of {who}") if who else CHANGED_DURING_EXPORT
            self.notify(text, 30000, log_text=CHANGED_DURING_EXPORT)
            return
        except PalsyError as exc:  # to act on: the notice stays until the next export
            self._report_problem(assessment_id,
                                 f"Report for {who} could not be saved: {exc}" if who else f"Report could not be saved: {exc}",
                                 f"Report could not be saved: {exc}")
            return
        self.last_report = path
        self.set_notice(report_notice_key(assessment_id), "")  # this report's earlier failure no longer stands
        self._report_saved_again(assessment_id)
        # the page on screen may be another patient's by now: the message says whose report it is
        saved = "saved already, unchanged" if kept else "saved"  # the same report: no second copy kept
        # short in the bar (a path elided in its middle squeezed the data folder and source to
        # stubs); the path in its tooltip, Recent messages and Copy message; the buttons open it
        if kept:
            text = f"Report for {who} {saved}" if who else f"Report {saved}"
        else:
            text = f"Report saved for {who}" if who else "Report saved"
        details = f"{text}: {path}"
        log_text = f"Report of assessment {assessment_id} {saved}: {path}"
        spoken = text  # not its 110-character path, spelt out
        if unprinted:  # the records keep every letter; only the PDF lacks the fonts
            text, details, log_text, spoken = (f"{line}. {as_sentence(unprinted)}; the records keep the text as typed"
                                               for line in (text, details, log_text, spoken))
        self.notify(text, 30000 if unprinted else 8000, log_text=log_text, spoken=spoken, details=details)
        if snapshot is not None and patient is not None:  # for this report, whichever visit is on screen now
            self._offer_in_status_bar(SavedReport(assessment_id, path, copy_name(snapshot, patient)))
        self.offer_report_actions()

    def _offer_in_status_bar(self, report: SavedReport) -> None:
        """Open report and Save a copy beside "Report saved", for as long as it shows."""
        self.statusBar().offer([("Open report", lambda: self.open_report_file(report.path)),
                                ("Save a copy\u2026", lambda: self.save_copy_of(report))])

    def shown_report(self) -> SavedReport | None:
        """The saved report of the visit on the results page as it stands; None on another page,
        before its export, or once what it prints changed (`app.export.changed_since`: the
        visit confirmed again, the patient's details corrected, an earlier visit withdrawn)."""
        info = self._shown_visit()
        if info is None:
            return None
        try:
            return saved_report(self.gateway, info, self.gateway.get_patient(info.patient_id))
        except PalsyError:  # a record gone or damaged: nothing to open
            log.warning("the saved report of assessment %s could not be looked up", self.assessment_id, exc_info=True)
            return None

    def _shown_visit(self) -> AssessmentInfo | None:
        """The AssessmentInfo of the visit on the results page; None on another page or when unreadable."""
        if self.stack.currentWidget() is not self.results or self.assessment_id is None:
            return None
        try:
            return self.gateway.assessment(self.assessment_id)
        except PalsyError:
            log.warning("assessment %s could not be read", self.assessment_id, exc_info=True)
            return None

    def offer_report_actions(self) -> None:
        """File > Open report and Save a copy: enabled while the visit on screen has its report saved."""
        found = self.shown_report() is not None
        self.open_report_action.setEnabled(found)
        self.copy_report_action.setEnabled(found)

    def open_report(self) -> None:
        """File > Open report: the report of the visit on screen."""
        report = self._shown_report_or_say()
        if report is not None:
            self.open_report_file(report.path)

    def save_report_copy(self) -> None:
        """File > Save a copy of the report: the report of the visit on screen."""
        report = self._shown_report_or_say()
        if report is not None:
            self.save_copy_of(report)

    def _shown_report_or_say(self) -> SavedReport | None:
        report = self.shown_report()
        if report is None:
            self.notify(self._outdated_report_text()
                        or "This visit has no saved report of its grade as it stands: export it (Ctrl+E) first")
        return report

    def _outdated_report_text(self) -> str:
        """Why the visit on screen's saved report is not offered; "" when it has none."""
        info = self._shown_visit()
        try:
            return "" if info is None else outdated_report_text(self.gateway, info)
        except PalsyError:
            return ""

    def open_report_file(self, path: Path) -> None:
        """The report in the system's PDF viewer, which prints it and sends it on."""
        if not path.is_file():
            self.notify(f"The saved report is missing: {path}; export it again (palsy records check looks at the rest)", 30000)
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.notify(f"No program opened the report {path}; Save a copy\u2026 puts it where another one can", 30000)

    def save_copy_of(self, report: SavedReport) -> None:
        """A copy of the report where the user chooses, offered under the patient's ID and name and
        the visit's local date and time (`copy_name`: the stored file is named by number; two
        visits of one day differ); never over the stored original."""
        start = str(Path(self._copy_folder()) / report.copy_name)
        chosen, _ = without_folder_history(
            lambda: QFileDialog.getSaveFileName(self, "Save a copy of the report", start, "PDF files (*.pdf)"))
        if not chosen:
            return
        ref = f"the report of assessment {report.assessment_id}"  # logs carry no names: the file's does
        target = copy_target(Path(chosen))
        if target != Path(chosen) and target.exists():  # the dialog asked about the name as typed only
            self.notify(f"The copy was not saved: {target} exists; choose another name, or type it with .pdf to "
                        "replace it", 30000, log_text=f"A copy of {ref} was not saved: the file exists")
            return
        try:
            copy_report(report.path, target, Path(self.gateway.folder))
        except PalsyError as exc:
            self.notify(f"The copy was not saved: {exc}", 30000, log_text=f"A copy of {ref} was not saved")
            return
        self._last_copy_folder = str(target.parent)
        self.notify(f"Copy of the report saved: {target}", log_text=f"A copy of {ref} was saved")

    def _copy_folder(self) -> str:
        """Where Save a copy starts: the folder of the last copy, else the user's documents."""
        last = getattr(self, "_last_copy_folder", None)
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return last or (documents if documents and Path(documents).is_dir() else str(Path.home()))

    def _report_saved_again(self, assessment_id: int) -> None:
        """A report lost at the last close was exported again: the notice no longer names it."""
        if self._unsaved_reports.pop(assessment_id, None) is not None:
            self.show_unsaved_reports()

    def drop_report_notices(self, assessment_id: int) -> None:
        """A visit marked entered in error: the notices asking for its report (a failed export's,
        a report lost at the last close) go. It has left the history, so "export it again"
        could not be done, and they stood for the whole session."""
        self.set_notice(report_notice_key(assessment_id), "")
        if self._unsaved_reports.pop(assessment_id, None) is not None:
            self.show_unsaved_reports()

    def _report_failed(self, message: str) -> None:
        who, assessment_id = getattr(self, "_export_label", None), self._export_id
        self._export_done()
        self._report_problem(assessment_id, f"Report for {who} failed: {message}" if who else f"Report failed: {message}",
                             f"Report failed: {message}")
        if not self._closed:  # said: not again at the next start
            self._forget_unsaved_report(assessment_id)

    def _report_problem(self, assessment_id: int | None, text: str, log_text: str) -> None:
        """A report that was not saved (a full disk, a read-only folder): a lasting notice above the
        pages, readable whole until that assessment's report is exported again, as well as the
        status bar (30 s, elided); `log_text` is the same without the patient's name (logs carry
        no names)."""
        self.set_notice(report_notice_key(assessment_id), text)
        self.notify(text, 30000, log_text=log_text)
