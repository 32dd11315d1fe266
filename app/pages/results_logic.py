"""Headless logic of the results and review page (no Qt): lookup tables, labels, review rules."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.local_time import local_date
from app.report.hb_table import HB_TABLE
from app.review_drafts import TOO_LONG, VISIT_NOT_FOUND, ReviewDrafts, ReviewForm
from models.errors import InputError
from models.labels import CLASS_COLOURS, CLASSES, GRADES
from models.pipeline.flag_wording import side_disagreement, spaced_percent, top_probability_text
from models.pipeline.measures import (
    REGION_BY_NAME,
    MeasuredFunction,
    RegionResult,
    method_in_current_words,
    method_text,
    movement_figure,
    part_not_found,
)
from models.pipeline.overlays import REPORT_ATTENTION, heat_alpha, heat_blend, heat_colours
from models.resources import records_only_unvalidated

SEGMENTATION_ALPHA = 150


def segmentation_lut(enabled: set[int] | None = None, alpha: int = SEGMENTATION_ALPHA) -> np.ndarray:
    """256 x 4 RGBA lookup table for a class-index mask: class colours, transparent background,
    classes outside `enabled` (default: all but background) transparent too."""
    if enabled is None:
        enabled = set(range(1, len(CLASSES)))
    lut = np.zeros((256, 4), np.uint8)
    for index, colour in enumerate(CLASS_COLOURS):
        lut[index, :3] = colour
        lut[index, 3] = alpha if index in enabled and index != 0 else 0
    return lut


def heat_lut(opacity: float) -> np.ndarray:
    """256 x 4 RGBA 'hot' colormap whose alpha rises with the heat, scaled by `opacity` (0..1):
    cold areas stay see-through so the face remains visible. The report's attention images are
    laid over by the same colours and cover (`models.pipeline.overlays.heat_blend`)."""
    t = np.linspace(0.0, 1.0, 256)
    alpha = heat_alpha(t, float(np.clip(opacity, 0.0, 1.0)))
    return np.concatenate([heat_colours(t), (alpha * 255).round().astype(np.uint8)[:, None]], axis=1)


HEAT_KEY_BACKGROUND = (128, 128, 128)  # mid grey, as a face under the heat: its white, hottest end shows


def heat_key_colours(background: tuple[int, int, int] = HEAT_KEY_BACKGROUND) -> np.ndarray:
    """256 x 3 RGB, little to much attention: the heat at full opacity over `background`, for
    the colour key under the photo. Its cold end is see-through on the photo, so the key shows
    it as what lies beneath, not as the table's black."""
    under = np.full((1, 256, 3), background, np.uint8)
    return heat_blend(under, np.linspace(0.0, 1.0, 256)[None, :], opacity=1.0)[0]


def attention_label(name: str) -> str:
    """'spatial_5' -> 'Spatial 5\u00d75', 'channel' -> 'Channel'."""
    if name.startswith("spatial_"):
        k = name.split("_", 1)[1]
        return f"Spatial {k}\u00d7{k}"
    return name.replace("_", " ").capitalize()


def printed_attention(names: Sequence[str]) -> str | None:
    """Which of a result's attention maps (`names`) the report prints, as `report_images` picks
    it: REPORT_ATTENTION, else the first there is; None without any."""
    if not names:
        return None
    return REPORT_ATTENTION if REPORT_ATTENTION in names else names[0]


def attention_tip(note: str, printed: str | None) -> str:
    """The attention choice's tooltip: what the maps show (`note`) and which one the report
    prints (none named when there is no map to print)."""
    return f"{note} The PDF report prints {attention_label(printed)}, the map this page opens on." if printed else note


def class_label(index: int) -> str:
    return CLASSES[index].replace("_", " ")


# the report's Table 1 words (Wang et al. 2019): the page had its own ("III \u2013 moderate"
# on screen, "Moderate dysfunction" on paper)
HB_DESCRIPTIONS = {grade: description for grade, description, *_ in HB_TABLE}


def grade_label(grade: str) -> str:
    """'III' -> 'III \u2013 moderate dysfunction', in the words of the report's HB table."""
    description = HB_DESCRIPTIONS.get(grade)
    return f"{grade} \u2013 {description[:1].lower()}{description[1:]}" if description else grade


def movement_text(value: float | None, unit: str = "", region: str | None = None) -> str:
    """A measured movement with its unit (a dash when not measured); below the `region`'s
    smallest judged movement with the digits that show it (`movement_figure`)."""
    if value is None:
        return "\u2013"
    return f"{movement_figure(value, region)} {unit}".strip()


REGION_UNITS = ("Movements are in D, the distance between the eye centres at rest; eye closure is the closed "
                "share of the rest eye opening. Function is the weaker side's movement as a percentage of the "
                "stronger side's.")


def side_text(measured: str | None, registered: str) -> str:
    """The results page's side line: the registered side first, then the measured one (None:
    not measured), in the report's order ("left (registered), left (measured)": the screen gave
    them the other way round beside the printout), and a warning when they are opposite (a
    mirrored photo, a mix-up, or a recovery worth a look)."""
    sides = [f"{registered} (registered)"] if registered in ("left", "right", "none") else []
    sides.append("not measured" if measured is None else f"{measured} (measured)")
    text = "Affected side (patient's): " + ", ".join(sides)
    if side_disagreement(registered, measured):  # the report's rule
        text += " \u2013 they differ: check the photos and the patient's record"
    return text


def percent_text(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.0f} %"


NOT_FOUND = "not found"  # a region's Function cell when a side's part was missing from a mask
TOO_SMALL = "too small"  # ... when the stronger side moved less than the region needs


def function_cell(percent: float | None, judged: bool, left: float | None, right: float | None) -> str:
    """The regions table's Function cell: the percent of a judged region, else why not, as the
    report's row says it: a part the face parser lost is "not found" (a photo to retake), only a
    movement below the region's minimum is "too small" (a lost brow read "too small", a clinical
    finding, beside the report's "part not found in the mask")."""
    if judged:
        return percent_text(percent)
    return NOT_FOUND if part_not_found(left, right) else TOO_SMALL


# the grade line's measured grade when none was measured, on screen and in the report's grade box
NO_MEASURED_GRADE = "not available (see the flags)"


def wider_than_rest(region: str, left: float | None, right: float | None) -> str:
    """Why an eye's closure is negative: the eye opened wider than at rest ("" otherwise); a
    negative "closed share" read as a sign error. `region`: the eye's name or label; the report's
    row note and the results page's row tooltip."""
    if region not in ("eye", REGION_BY_NAME["eye"].label):
        return ""
    sides = [side for side, value in (("left", left), ("right", right))
             if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value) < 0]
    if not sides:
        return ""
    which = " and ".join(sides) + (" eyes" if len(sides) == 2 else " eye")
    return f"negative: the {which} opened wider than at rest"


def probabilities_text(probabilities: dict[str, float], network_grade: str) -> str:
    """The six grade probabilities in words, the network's grade marked ("I 3 %, II 12 % (network's
    grade), ..."): the chart's bars had no text alternative. Rounded as the grade line and the
    low-confidence flag round (`top_probability_text`): 0.4996 is "49.96 %", never "50 %"."""
    return ", ".join(
        f"{g} {spaced_percent(top_probability_text(float(probabilities.get(g, 0.0))))}"
        + (" (network's grade)" if g == network_grade else "")
        for g in GRADES
    )


FUNCTION_MEANS = "Function: the weaker side's movement as a percentage of the stronger side's."


def stored_method(result: Any) -> str | None:
    """The method text stored with a reopened visit (`AnalysisResult.stored_method`, which
    `app.reopen.result_from_record` fills), else None (a live result, or a visit stored without it)."""
    method = getattr(result, "stored_method", None)
    return method if isinstance(method, str) and method.strip() else None


def method_line(rows: Sequence[Any], grade: str | None, function_percent: float | None, raw: Any = None,
                stored: str | None = None) -> str:
    """How the measured percent is made, as the report prints it under its table: the regions'
    Function and House's measure (`measures.method_text`), which the screen never said (its
    "29 % function" was none of the table's percents, nor their mean). From the pipeline's own
    measurement when the result holds it (`raw.measured`), else the method text stored with a
    reopened visit (`stored`, the one its report prints: rebuilt from the stored 4-decimal
    movements, its sums differed in the third decimal), else rebuilt from the table's rows by the
    same rule. "" when no region was measured: the report prints no method under "Not available"."""
    measured = getattr(raw, "measured", None)
    if not (measured.regions if isinstance(measured, MeasuredFunction) else rows):
        return ""
    if not isinstance(measured, MeasuredFunction) and stored:
        return f"{FUNCTION_MEANS} {method_in_current_words(stored).strip().rstrip('.')}."
    if not isinstance(measured, MeasuredFunction):
        regions = {}
        for row in rows:
            spec = REGION_BY_NAME.get(row.region) or next(
                (r for r in REGION_BY_NAME.values() if r.label == row.region), None)
            if spec is not None:
                regions[spec.name] = RegionResult(spec.name, spec.label, spec.expression, spec.unit, row.left, row.right,
                                                  None, row.percent, None, bool(row.judged), row.note)
        measured = MeasuredFunction(grade, function_percent, "none", None, regions)
    return f"{FUNCTION_MEANS} {method_text(measured)}."


NO_FLAGS = "No flags: results are consistent."
REVIEW_FLAGS = "Review flags"  # the flags' heading, as the report's section names them


def measured_notes(result: Any) -> list[str]:
    """Why regions were not measured, as the report reads them (its `measured.notes`): the
    pipeline's own measurement of a live result, else the notes stored with a reopened visit
    (`AnalysisResult.stored_notes`, which `app.reopen.result_from_record` fills)."""
    measured = getattr(getattr(result, "raw", None), "measured", None)
    notes = measured.notes if isinstance(measured, MeasuredFunction) else getattr(result, "stored_notes", None)
    return [str(note) for note in notes or [] if str(note).strip()]


def measured_unavailable_text(notes: Sequence[str]) -> str:
    """What stands in for the regional table when nothing was measured, the report's sentence
    under its "Measured regional function" heading: "Not available: <why>" ("Not available."
    when no reason was recorded)."""
    return "Not available: " + "; ".join(notes) if notes else "Not available."


def flags_summary(titles: Sequence[str]) -> str:
    """The flags for review by title, in one sentence ("2 flags for review: A; B.")."""
    if not titles:
        return NO_FLAGS
    count = f"{len(titles)} flag{'' if len(titles) == 1 else 's'} for review"
    return f"{count}: {'; '.join(titles)}."


def result_summary(patient: str, network: str, probability: str, measured: str | None, function: str,
                   side: str, flag_titles: Sequence[str], confirmed: str | None = None, clinician: str = "") -> str:
    """What a screen reader is told when a result is shown, from the strings the page shows:
    the grade line (`network`, `measured`: `grade_label`s, `measured` None when not measured),
    the side line and the flags by title; a confirmed visit's grade on record first (`confirmed`,
    a `grade_label`, by `clinician`: a reopened visit confirmed as V over the network's II was
    said to be "grade II"). A sighted user sees them appear; a reader spoke only the focused
    grade button ("I, radio button, not checked")."""
    parts = [f"Results for {patient}."]
    if confirmed:
        parts.append(f"Confirmed grade {confirmed}" + (f" by {clinician}." if clinician else "."))
    parts.append(f"Network grade {network}, probability {probability}.")
    if measured:
        parts.append(f"Measured grade {measured}, {function} function.")
    parts += [f"{side}.", flags_summary(flag_titles)]
    return " ".join(parts)


# an override's reason must say something: " . " or "ok" was accepted and signed as the
# reason the clinician disagreed with the network
OVERRIDE_REASON_MIN_CHARS = 8


# Scripts whose one character is a syllable or a word: "眼睑闭合不全" (incomplete eyelid closure)
# is six characters, a full reason.
_DENSE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "YI ")
_DENSE_WEIGHT = 3


def reason_length(notes: str) -> int:
    """How many letters and digits the notes hold, spaces and punctuation aside: a vowel sign
    (Devanagari's "मुँह", Thai) counts as a letter, and a Chinese, Japanese or Korean character
    as three (it says what a short word says)."""
    total = 0
    for ch in notes:
        kind = unicodedata.category(ch)
        if kind[0] not in "LNM":
            continue
        total += _DENSE_WEIGHT if unicodedata.name(ch, "").startswith(_DENSE_SCRIPTS) else 1
    return total


@dataclass
class ReviewDecision:
    """What the clinician confirms under their name: the confirmed grade, whether it overrides
    the network's grade, notes. The GUI says "network grade", as the report and the command line
    do: the measured grade comes from the model too, so "model grade" did not say which."""

    grade: str
    clinician: str
    notes: str
    model_grade: str

    @property
    def is_override(self) -> bool:
        return self.grade != self.model_grade


CHOOSE_GRADE = "Choose the confirmed House-Brackmann grade (I-VI) before confirming"


def review_decision(grade: str, clinician: str, notes: str, model_grade: str) -> ReviewDecision:
    """Validate the review form: a grade and the clinician's name are required, and an
    override of the network's grade needs its reason in the notes (the report and the audit
    trail then say why the clinician disagreed): at least OVERRIDE_REASON_MIN_CHARS letters or
    digits, so a dot or "ok" is not taken for a reason."""
    if grade not in GRADES:
        raise InputError(CHOOSE_GRADE)
    clinician = " ".join(clinician.split())
    if not clinician:
        raise InputError("Enter the clinician's name to confirm the grade under it")
    decision = ReviewDecision(grade, clinician, notes.strip(), model_grade)
    if decision.is_override and reason_length(decision.notes) < OVERRIDE_REASON_MIN_CHARS:
        raise InputError(f"Grade {grade} overrides the network's grade {model_grade}: write the reason in Notes "
                         f"(at least {OVERRIDE_REASON_MIN_CHARS} letters or digits)")
    return decision


def grade_row_label(confirmed: bool) -> str:
    """The review form's label for the grade buttons: before anything is confirmed the network's
    grade is only preselected, and "Confirmed grade" beside it read as if it were confirmed."""
    return "Confirmed grade" if confirmed else "Grade to confirm"


def initial_grade(network_grade: str, flagged: bool, confirmed: str | None, read_only: bool) -> str | None:
    """The grade ticked when the review form opens: the one on record once confirmed; none on a
    read-only visit nobody confirmed; none either when the result is flagged for review, so the
    clinician chooses it (the network's grade, ticked, was confirmed with one click under the
    station's default clinician); else the network's grade."""
    if confirmed:
        return confirmed
    if read_only or flagged:
        return None
    return network_grade


FLAGGED_NOTE = ("Flagged for review: no grade is ticked for you; choose the grade yourself (click it, or Space). "
                "A grade other than the network's needs its reason in Notes.")


def decision_text(grade: str, clinician: str, model_grade: str | None, edited: bool = False) -> str:
    """The decision on record, in one line for the review box. `edited`: the record disagrees
    with its audit trail (`app.reopen` RECORD_EDITED): what the record says, not a decision
    shown as the clinician's (a grade changed by hand read "✓ Confirmed … by" them)."""
    how = f", overriding the network's grade {model_grade}" if model_grade and grade != model_grade else ""
    if edited:
        return (f"The record says grade {grade} (House-Brackmann), confirmed by {clinician}{how}; but the record "
                "was changed outside Palsy Grader: see Review flags")
    return f"\u2713 Confirmed: grade {grade} (House-Brackmann), confirmed by {clinician}{how}"


def confirmed_notice(decision: ReviewDecision) -> tuple[str, str]:
    """The status bar's line after Confirm, and the log's (without the name). The grade named
    is the one on record: "Grade IV overridden by ..." read as if IV had been overruled."""
    how = f" (overriding the network's grade {decision.model_grade})" if decision.is_override else ""
    return (f"Grade {decision.grade} confirmed by {decision.clinician}{how}",
            f"Grade {decision.grade} confirmed{how} (clinician's name not logged)")


def can_export(status: str) -> bool:
    """A report needs a confirmed grade."""
    return status == "confirmed"


def export_blocker(status: str, review_edited: bool, overlays_pending: bool, refused: str = "") -> str:
    """Why Export is off, in words, or "" when a report may be made: it needs a confirmed
    grade, a record it may print (`refused`: `app.reopen.export_refusal`, a reopened visit
    whose record disagrees with its audit trail or whose stored photos are missing or
    damaged), the review form as it was confirmed (a report shows the stored decision), and
    the overlays on screen (a reopened assessment recomputes them)."""
    if not can_export(status):
        return "Confirm the grade first: a report needs a confirmed grade"
    if refused:
        return refused
    if review_edited:
        return "The review was changed after it was confirmed: press Confirm grade again to save it"
    if overlays_pending:
        return "Wait for the overlays to be recomputed from the stored photos"
    return ""


class KeptReviews:
    """Reviews typed but not confirmed, by assessment: leaving the results page (to compare with
    the last visit in the history, say) threw away the grade, clinician and notes typed, and
    reopening the visit showed an empty form. With `drafts` (the data folder's
    `app.review_drafts.ReviewDrafts`) they outlive the process too: a crash, a power cut or a
    session end lost them without a word. `keep` and `drop` change the memory at once; `flush`
    brings the data folder up to date (the page calls it shortly after the typing stops, and at
    once when the review is confirmed or the page is left). A form is read from the data folder
    once per assessment and process, the first time it is asked for; after that the memory,
    where a form dropped since is gone, decides."""

    def __init__(self, drafts: ReviewDrafts | None = None) -> None:
        self._forms: dict[int, ReviewForm] = {}
        self.drafts = drafts
        self._seen: set[int] = set()  # the data folder was read for these, or the memory has the last word
        self._unwritten: set[int] = set()  # changed in memory since the last flush
        self._from_before: set[int] = set()  # brought back from a file an earlier run wrote
        self._failing: set[int] = set()  # their forms could not be written to the data folder (said once)

    def keep(self, assessment_id: int, form: ReviewForm) -> None:
        self._forms[assessment_id] = form
        self._from_before.discard(assessment_id)  # typed (over) in this session now
        self._seen.add(assessment_id)
        self._unwritten.add(assessment_id)

    def drop(self, assessment_id: int) -> None:
        self._forms.pop(assessment_id, None)
        self._from_before.discard(assessment_id)
        self._seen.add(assessment_id)
        self._unwritten.add(assessment_id)

    def get(self, assessment_id: int | None) -> ReviewForm | None:
        if assessment_id is None:
            return None
        if assessment_id not in self._seen:
            self._seen.add(assessment_id)
            kept = self.drafts.load(assessment_id) if self.drafts is not None else None
            if kept is not None:
                self._forms[assessment_id] = kept
                self._from_before.add(assessment_id)
        return self._forms.get(assessment_id)

    def from_before(self, assessment_id: int | None) -> bool:
        """The form kept for the assessment was typed before Palsy Grader last closed (read back
        from the data folder), not earlier in this session."""
        return assessment_id in self._from_before and assessment_id in self._forms

    @property
    def unwritten(self) -> bool:
        return bool(self._unwritten)

    def survives_close(self, assessment_id: int | None) -> bool:
        """The form kept for the assessment (if any) is in the data folder as it is now: it
        comes back even if Palsy Grader closes. False with no data folder, or while its copy is
        not written (not yet, or it could not be)."""
        return self.drafts is not None and assessment_id not in self._unwritten

    def flush(self) -> dict[int, str]:
        """Write each form changed since the last flush to the data folder, or remove it there
        when it was dropped. One that cannot be written is tried again at the next flush. The
        assessments whose form could not be written, newly (each said once until its copy is
        written again: the form is lost if Palsy Grader closes), with why, in plain words."""
        if self.drafts is None:
            self._unwritten.clear()
            return {}
        failed: dict[int, str] = {}
        for assessment_id in sorted(self._unwritten):
            form = self._forms.get(assessment_id)
            done = self.drafts.save(assessment_id, form) if form is not None else self.drafts.remove(assessment_id)
            if done:
                self._unwritten.discard(assessment_id)
                self._failing.discard(assessment_id)
            elif form is not None and assessment_id not in self._failing:
                self._failing.add(assessment_id)
                failed[assessment_id] = getattr(done, "reason", "")
        return failed


RECENT_CLINICIANS = 8  # names the Clinician field offers


def recent_names(names: Sequence[str], name: str, limit: int = RECENT_CLINICIANS) -> list[str]:
    """`names` with `name` first (once, whatever its case or spacing), at most `limit`: the
    clinicians who confirmed in this session, the latest first."""
    name = " ".join(name.split())
    others = [n for n in names if n.casefold() != name.casefold()]
    return ([name] + others if name else others)[:limit]


def offered_spelling(name: str, offered: Sequence[str]) -> str:
    """The offered name that `name` typed all in lower case is, whatever its spacing, else
    `name` as typed: inline completion keeps the letters typed ("dr. t" completes to
    "dr. therapist"), and the same clinician was stored under two spellings. A capital letter
    was typed on purpose: replacing it locked in the session's first, perhaps hasty, spelling."""
    if name != name.lower():
        return name
    key = " ".join(name.split()).casefold()
    return next((n for n in offered if n.casefold() == key), name)


KEPT_REVIEW_NOTE = ("Not confirmed yet: the grade, clinician and notes typed earlier in this session are back. "
                    "Press Confirm grade to store them.")
# ... and one kept in the data folder, typed before Palsy Grader closed (a crash, a power cut, a logout)
KEPT_FROM_BEFORE_NOTE = ("Not confirmed yet: the grade, clinician and notes typed before Palsy Grader closed are back. "
                         "Check them and press Confirm grade to store them.")


def unkept_review_notice(who: str, reason: str = "") -> str:
    """The status bar's line when the review typed for `who` (a patient, or "assessment N" for
    the log) could not be written to the data folder (`reason`, when known). "Confirm it now"
    only where Confirm can take it: notes too long are refused by Confirm too, and a visit not in
    the database has nothing to confirm (the reason says what to do then)."""
    why = f" ({reason})" if reason else ""
    advice = "" if reason in (TOO_LONG, VISIT_NOT_FOUND) else " \u2014 confirm it now"
    return f"The review typed for {who} could not be kept in the data folder{why}: it is lost if Palsy Grader closes{advice}"


def leave_unconfirmed_text(survives_close: bool) -> str:
    """The "Leave without confirming the grade?" question: the review typed is kept even if Palsy
    Grader closes only while its copy in the data folder is written (`KeptReviews.survives_close`)."""
    kept = ("kept, even if Palsy Grader closes, until the grade is confirmed" if survives_close
            else "kept until Palsy Grader closes (not in the data folder): confirm the grade before then")
    return (f"The grade is not confirmed yet. Leave anyway? The assessment stays in the patient's history as "
            f"'analysed'; the grade, clinician and notes you typed are {kept}.\n\n"
            "Yes: leave; confirm the grade later from the patient's history (or the patients page's bar "
            "of results while it is the newest awaiting confirmation).\n"
            "No: stay, and press Confirm grade.")


def kept_review_note(from_before: bool) -> str:
    """What the note above a review brought back says: typed in this session, or before Palsy
    Grader closed (`KeptReviews.from_before`)."""
    return KEPT_FROM_BEFORE_NOTE if from_before else KEPT_REVIEW_NOTE


def last_visit_text(visits: Sequence[Any], shown_id: int | None) -> str:
    """One line naming the patient's last confirmed visit before the one shown ("Last confirmed
    visit 2026-08-15: grade IV (Dr Kim), measured function 41 %"), or "" when there is none:
    a returning patient was compared only by leaving the review for the history. `visits` are
    the patient's, oldest first (`gateway.history`)."""
    ids = [v.assessment_id for v in visits]
    earlier = visits[:ids.index(shown_id)] if shown_id in ids else visits
    confirmed = [v for v in earlier if v.status == "confirmed" and v.confirmed_grade]
    if not confirmed:
        return ""
    last = confirmed[-1]
    by = f" ({last.clinician})" if last.clinician else ""
    function = ((last.result or {}).get("measured") or {}).get("function_percent")
    measured = f", measured function {percent_text(function)}" if isinstance(function, (int, float)) else ""
    return f"Last confirmed visit {local_date(last.created)}: grade {last.confirmed_grade}{by}{measured}"


GRADED_BY_DEMO = "demo"  # the weights that graded the result are the demonstration weights (red)
GRADED_BY_CAUTION = "caution"  # ... weights with cautions: not validated (amber)


def _record_sha(model: Mapping | None) -> str | None:
    """The sha256 a model record names, lower-cased (an imported record may spell it in capitals)."""
    sha = model.get("sha256") if isinstance(model, Mapping) else None
    return sha.lower() if isinstance(sha, str) and sha else None


def same_weights(model: Mapping | None, loaded_sha: str | None) -> bool:
    """The record `model` names the weights loaded now (`loaded_sha`; None while none is loaded)."""
    sha = _record_sha(model)
    return bool(sha and loaded_sha and sha == loaded_sha.lower())


def graded_by_shown(model: Mapping | None, loaded_sha: str | None, reopened: bool) -> bool:
    """Whether the results page shows the "Graded by" line: always for a reopened visit; for a
    live result only when other weights (or none) are loaded now, since the banner speaks of the
    loaded weights only (Settings may swap them while the result is on screen). A live result
    with no model record has nothing to name."""
    if reopened:
        return True
    return bool(model) and not same_weights(model, loaded_sha)


def graded_by_text(model: Mapping | None, loaded_sha: str | None, demo: bool,
                   cautions: Sequence[str]) -> tuple[str, str]:
    """The line naming the weights that graded the result shown (its model record `model`)
    and, when they are not the weights loaded now (`loaded_sha`; None while none is loaded),
    their own caution state as its report prints it (`demo`: the red box; `cautions`:
    `app.report.model_cautions.record_cautions`, the amber box): the banner speaks only of the
    loaded weights. A record without a checksum may or may not be the loaded weights: the line
    says so. With the kind of warning ("" none, GRADED_BY_DEMO, GRADED_BY_CAUTION)."""
    model = model if isinstance(model, Mapping) else {}
    name = str(model.get("name") or "weights not named")
    sha = model.get("sha256") if isinstance(model.get("sha256"), str) and model.get("sha256") else None
    named = f"{name} (sha256 {sha[:8]}\u2026)" if sha else f"{name} (no checksum recorded)"
    if same_weights(model, loaded_sha):
        return f"Graded by {named}, the weights loaded now.", ""
    if demo:
        state, kind = "the demonstration weights, not for diagnosis", GRADED_BY_DEMO
    elif cautions:
        state = "not validated" if records_only_unvalidated(list(cautions)) else "clinic-trained, not validated"
        kind = GRADED_BY_CAUTION
    else:
        state, kind = "", ""
    if not loaded_sha:
        other = ""  # none loaded (or loading): nothing to compare with
    elif sha:
        other = " \u2014 not the weights loaded now"
    else:
        other = " \u2014 the loaded weights may differ"
    return f"Graded by {named}" + (f": {state}" if state else "") + other + ".", kind
