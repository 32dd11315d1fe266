"""Opening the capture wizard: a new draft assessment, or one resumed after a crash;
discarding a draft."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from app.camera.factory import make_source
from app.camera.source import FrameSource
from app.local_time import local_minute, local_minute_zoned, parse_stamp
from app.pages.capture_logic import (
    CapturedPhoto,
    CaptureSession,
    Settled,
    capture_line,
    stale_draft_age,
    stale_draft_warning,
)
from app.pages.instructions import TITLES
from app.pages.patient_logic import assessed_today_question, time_today
from app.records.validate import CLOCK_STEP
from app.records_gateway import EMPTY_DRAFT_REASON, offer_order
from models.errors import PalsyError

log = logging.getLogger(__name__)

RESUME, START_NEW = "Resume", "Start new"  # the answers to "Resume the unfinished assessment?"
# Shown until the next message: the therapist must check the clock, not just read it.
_STICKY = 0
CLOCK_NOTICE = "clock"  # its line in the notice above the pages


def clock_went_back(newest: str | None, now: datetime | None = None) -> str | None:
    """What to tell the therapist when this computer's clock (`now`) reads more than CLOCK_STEP
    earlier than the newest stored time, else None. Visits sort by their stamps (imported ones
    carry another station's), so a visit stamped by a clock stepped back sorts before the
    visits made earlier and the patient's trend reads reversed: said where it happens."""
    latest = parse_stamp(newest) if newest else None
    if latest is None or latest - (now or datetime.now(timezone.utc)) <= CLOCK_STEP:
        return None
    return (f"This computer's clock reads earlier than the last record ({local_minute_zoned(newest)}): check the "
            "date and time. Visits recorded now sort before visits made earlier.")


def draft_ref(assessment_id: int) -> str:
    """A draft by its number only: what the log says (logs carry no names, DESIGN §9), and the
    status bar when its record cannot be read."""
    return f"unfinished assessment {assessment_id}"


class WindowAssessmentMixin:
    """Sets the window's current `patient_id`, `assessment_id` and capture `session`.

    Mixed into `MainWindow`, which owns the gateway, the settings and the capture page.
    """

    def _source_factory(self) -> FrameSource:
        if self.services.source_factory is not None:
            return self.services.source_factory()
        return make_source(self.settings.camera)

    def start_assessment(self, patient_id: str) -> None:
        """Create a draft assessment and open the capture wizard; when the patient has an
        unfinished one, ask first whether to resume it (the default) or start a new one (a
        second draft silently hid the first)."""
        draft = self._unfinished_of(patient_id)
        if draft is not None:
            taken = len(draft.captures)
            age = stale_draft_age(draft.created)
            # an old draft's rest photo must not be the baseline of today's expressions: Start new first
            warning = f"{stale_draft_warning(age)}\n\n" if age else ""
            resume = ("Resume: its six photos are taken; review them, retake any, and analyse." if taken >= 6
                      else "Resume: take the missing photos.")
            answer = self.services.choose(
                self,
                "Resume the unfinished assessment?",
                # names the patient: a question of a date alone did not say whose photos they were
                f"{self._patient_label(patient_id)} has an unfinished assessment started {local_minute(draft.created)} "
                f"({taken} of 6 photos taken). Resume it, or start a new one?\n\n{warning}"
                f"{resume}\n"
                "Start new: a new assessment; the unfinished one stays offered on the patients page.",
                (START_NEW, RESUME) if age else (RESUME, START_NEW),
            )
            if answer == RESUME:
                self.resume_assessment(draft.assessment_id, asked=True)
                return
            if answer != START_NEW:  # Cancel or Esc: nothing happens
                return
        self._start_new(patient_id)

    def _start_new(self, patient_id: str) -> None:
        if not self._may_assess_again(patient_id):
            return
        newest = self._newest_visit_time()  # before the new draft's own stamp joins them
        try:
            assessment_id = self.gateway.start_assessment(patient_id)
        except PalsyError as exc:
            self.notify(str(exc))
            return
        self._open_capture(patient_id, assessment_id, {})
        self._say_if_clock_went_back(newest)  # after the capture page opened, which clears older news

    def _newest_visit_time(self) -> str | None:
        """The newest time stored for any visit, or None when it cannot be read."""
        try:
            return self.gateway.newest_visit_time()
        except PalsyError as exc:
            log.warning("newest visit time not read: %s", exc)
            return None

    def _say_if_clock_went_back(self, newest: str | None) -> None:
        """In the notice above the pages too, where the next status message does not replace it;
        taken down at the next start that finds the clock right."""
        notice = clock_went_back(newest)
        self.set_notice(CLOCK_NOTICE, notice or "")
        if notice:
            log.warning("clock behind the newest record (%s)", newest)
            self.notify(notice, _STICKY)

    def _may_assess_again(self, patient_id: str) -> bool:
        """True unless the patient has a visit analysed or confirmed today and the user, asked
        (No the default), said not to start another: a Return by habit on the list that still
        selected the patient just finished started them again, and the next patient's photos
        went into their record."""
        try:
            visit = self.gateway.last_visit(patient_id)
            info = self.gateway.get_patient(patient_id)
        except PalsyError as exc:  # not read: the store's own refusal follows, if any
            log.warning("last visit not read: %s", exc)
            return True
        at = time_today(visit.created) if visit is not None else None
        if at is None:
            return True
        return self.services.ask(
            self, "Assess again today?",
            assessed_today_question(f"{info.name} ({info.patient_id})", info.name, at, visit.status, visit.confirmed_grade),
        )

    def _unfinished_of(self, patient_id: str) -> Any:
        """The patient's unfinished assessment to offer (the newest with photos), or None. Not
        the one being analysed: it is a draft until its results are recorded, and resuming it
        meanwhile would retake photos the analysis is running on."""
        try:
            drafts = self.offered_drafts(patient_id)
        except PalsyError as exc:
            log.warning("unfinished assessments not read: %s", exc)
            return None
        return max(drafts, key=offer_order) if drafts else None

    def offered_drafts(self, patient_id: str) -> list[Any]:
        """`patient_id`'s unfinished assessments to offer for resumption (theirs alone: reading
        every draft of the clinic to find one took 1 s at 1,000 drafts), all but the one being
        analysed (`_analysed_draft`)."""
        analysed = self._analysed_draft()
        return [d for d in self.gateway.unfinished(patient_id) if d.assessment_id != analysed]

    def show_offered_draft(self) -> None:
        """Fill the patients page's bars: the draft it offers and the number of others, the one
        being analysed left out (`_analysed_draft`); and the newest result awaiting confirmation
        with the number of others, the one on the results page left out (an analysis that ended
        while the user was elsewhere, a review left unconfirmed: offered nowhere else)."""
        self.patients.show_unfinished(*self.gateway.offered_draft(self._analysed_draft()))
        on_screen = self.assessment_id if self.stack.currentWidget() is self.results else None
        self.patients.show_awaiting(*self.gateway.offered_review(on_screen))

    def _analysed_draft(self) -> int | None:
        """The assessment being analysed, not offered for resumption: a draft until its results
        are recorded, and resuming it would retake its photos while the analysis runs on them."""
        return self._analysed_id if self.analysing else None

    def _open_capture(self, patient_id: str, assessment_id: int, photos: dict[str, CapturedPhoto],
                      standing: dict[str, tuple[BaseException, bool]] | None = None) -> None:
        """Show the capture page on the assessment (`photos`: a resumed draft's; `standing`: its
        photos that did not reach the record, said until each is taken again and saved)."""
        self.patient_id, self.assessment_id, self.result = patient_id, assessment_id, None
        # the last patient's news ("Overlays recomputed...") is not this one's; a message to act
        # on (crash recovery, settings not saved) stays its time
        self.clear_stale_message(keep_fresh=False)
        self.session = CaptureSession(assessment_id, self.gateway)
        if photos:
            self.session.restore(photos)
        self.session.standing_failures.update(standing or {})  # said by `begin`
        self.capture.preview.mirror = self.settings.camera.preview_mirrored
        self.capture.auto_box.setChecked(self.settings.camera.auto_capture)
        self.stack.setCurrentWidget(self.capture)
        self._page_changed(self.stack.currentIndex())
        self.capture.begin(self.session, self._source_factory, who=capture_line(self._patient_label(patient_id), self.settings.camera))
        self.show_patient_title(patient_id)

    def resume_assessment(self, assessment_id: int, asked: bool = False) -> None:
        """Reopen a draft left by a crash, with the photos it already has. A draft begun on an
        earlier day is resumed only when the user says so (`asked`: already asked by Start):
        the patients page's Resume asks, with Start new the default."""
        if self.session is None:
            self._reopen(assessment_id, asked, Settled("", {}))
            return
        # its photos just taken are on record before they are read back (the window paints on,
        # saying whose photo it waits for: logged by number, DESIGN §9); those that did not reach
        # it stand in the resumed session until taken again and saved, else are said at once
        ref = f"assessment {assessment_id}"
        settled = self.capture.settle_saves(assessment_id, lambda whose: self.notify_naming(
            lambda who: f"Saving the last photo of {who}\u2026", whose or ref, ref))
        resumed = False
        try:
            resumed = self._reopen(assessment_id, asked, settled)
        finally:
            if not resumed:
                self.capture.say_not_resumed(assessment_id, settled)

    def _reopen(self, assessment_id: int, asked: bool, settled: Settled) -> bool:
        """`resume_assessment` once its saves settled: True when the capture page shows it."""
        info = self.gateway.assessment(assessment_id)
        if not self._still_a_draft(assessment_id, info.status):
            return False
        age = None if asked else stale_draft_age(info.created)
        if age is not None:
            answer = self.services.choose(
                self,
                "Resume an assessment of another day?",
                f"The unfinished assessment of {self._patient_label(info.patient_id)} from {local_minute(info.created)} "
                f"({len(info.captures)} of 6 photos). {stale_draft_warning(age)}\n\n"
                "Start new: a new assessment; the unfinished one stays offered.\n"
                "Resume: go on with its photos.",
                (START_NEW, RESUME),
            )
            if answer == START_NEW:
                self._start_new(info.patient_id)
            if answer != RESUME:
                return False
        try:  # the face check of each photo at capture: a photo without a face says so again
            qualities = self.gateway.capture_qualities(assessment_id)
        except PalsyError as exc:
            log.warning("quality records of assessment %d not read: %s", assessment_id, exc)
            qualities = {}
        photos, unreadable = {}, []
        for expression in info.captures:
            try:
                rgb = self.gateway.load_photo(assessment_id, expression)
            except PalsyError as exc:
                # the message is a sentence ending in a full stop: none inside the brackets
                reason = str(exc).rstrip(".")
                unreadable.append(f"The {TITLES.get(expression, expression)} photo could not be read ({reason}); retake it")
                continue
            photos[expression] = CapturedPhoto(expression, rgb, qualities.get(expression, {}))
        self._open_capture(info.patient_id, assessment_id, photos, settled.standing)
        if unreadable:  # after the capture page opened, which clears the last patient's news
            self.notify("; ".join(unreadable))
        return True

    def drop_empty_draft(self) -> None:
        """Discard the assessment being captured when it has no photo yet: one left that way
        holds nothing to resume, and it was offered at the next start as "0 of 6 photos",
        in place of a real unfinished one. Kept only when it is the one being analysed (another
        patient's analysis running meanwhile does not keep it)."""
        session = self.session
        if session is None or session.photos or (self.analysing and session.assessment_id == self._analysed_id):
            return
        self.session = None
        try:
            self.gateway.discard(session.assessment_id, EMPTY_DRAFT_REASON)
        except PalsyError as exc:  # it stays a draft, offered at the next start
            log.warning("empty assessment %d not discarded: %s", session.assessment_id, exc)

    def discard_assessment(self, assessment_id: int) -> None:
        """Discard an unfinished assessment (the Discard of the patients page's bar) once the
        user has said Yes: one click must not drop a draft (No keeps it, still offered)."""
        visit, ref = self._draft_words(assessment_id), draft_ref(assessment_id)
        try:
            status = self.gateway.assessment(assessment_id).status
        except PalsyError:
            status = "draft"  # unreadable now: the store's refusal below says why
        if not self._still_a_draft(assessment_id, status):
            return
        if not self._confirm_discard(assessment_id, visit):
            self.notify_naming(lambda v: f"The {v} kept: Resume reopens it", visit, ref)
            return
        try:
            self.gateway.discard(assessment_id)
        except PalsyError as exc:
            reason = str(exc)
            self.notify_naming(lambda v: f"Could not discard the {v}: {reason}", visit, ref)
            return
        self.show_offered_draft()
        self.notify_naming(lambda v: f"The {v} discarded (no longer offered; its photos stay in the data folder)",
                           visit, ref)

    def _still_a_draft(self, assessment_id: int, status: str) -> bool:
        """True for a draft. Otherwise the patients page's bar offered one that is a draft no
        more (discarded by a page change or another window, analysed meanwhile): say so, and
        offer what is unfinished now; its Resume had refused every photo, its Discard had
        blamed a confirmation."""
        if status == "draft":
            return True
        hint = "Start assessment takes new photos" if status == "discarded" else "open it from the patient's history"
        self.notify_naming(lambda v: f"The {v} is already {status}: it is no longer offered ({hint})",
                           self._draft_words(assessment_id), draft_ref(assessment_id))
        self.show_offered_draft()
        return False

    def _draft_words(self, assessment_id: int) -> str:
        """A draft as the therapist knows it: "unfinished assessment of Bob Jones (MRN-200) from
        2026-12-05 14:02" (its number only when the record cannot be read)."""
        try:
            info = self.gateway.assessment(assessment_id)
        except PalsyError:
            return draft_ref(assessment_id)
        try:
            who = str(self._patient_label(info.patient_id))
        except PalsyError:
            who = info.patient_id
        return f"unfinished assessment of {who} from {local_minute(info.created)}"

    def _confirm_discard(self, assessment_id: int, visit: str) -> bool:
        try:
            taken = f" ({len(self.gateway.assessment(assessment_id).captures)} of 6 photos)"
        except PalsyError:
            taken = ""
        what = f"The {visit}{taken}"
        return self.services.ask(
            self,
            "Discard the unfinished assessment?",
            f"{what} will no longer be offered for resumption. Its photos stay in the data folder, and the "
            "audit trail records the discard.\n\n"
            "Yes: discard it.\n"
            "No: keep it; Resume reopens it with its photos.",
        )
