"""Assessments in the store: start, record results, confirm, discard, withdraw, history, drafts."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from app.records import validate
from app.records.audit_agreement import ENTERED_IN_ERROR, entered_in_error
from app.records.errors import RecordStateError
from app.records.export_format import IMPORTED_MARK
from app.records.result_shape import result_problem
from app.records.rows import Assessment, Capture, Draft
from app.records.store_base import _ASSESSMENT_SELECT, _EXPRESSION_ORDER, StoreBase, _audit
from models.errors import InputError

# The entry that began a visit (`assessments a`), its reason compared with IMPORTED_MARK: an
# import marks the entry that began each visit it copies.
_BEGUN = ("EXISTS (SELECT 1 FROM audit u WHERE u.entity = 'assessment' AND u.entity_id = CAST(a.id AS TEXT)"
          " AND u.field = 'status' AND u.new_value = 'draft' AND substr(coalesce(u.reason, ''), 1, ?) ")
# A visit begun on this station: its audit trail's first entry is not an import's.
LOCAL_VISIT = _BEGUN + "!= ?)"
LOCAL_VISIT_ARGS = (len(IMPORTED_MARK), IMPORTED_MARK)
# A visit begun at another station: its first entry is an import's copy. Not merely "not
# LOCAL_VISIT": a draft whose trail lacks that entry (a database filled by hand or by an early
# release) is not taken for another station's.
IMPORTED_VISIT = _BEGUN + "= ?)"
IMPORTED_VISIT_ARGS = LOCAL_VISIT_ARGS
# Why an imported draft takes no photo and no analysis here: the station that began it can still
# finish it, and an import never merges, so two records of one visit would stay apart for good.
BEGUN_ELSEWHERE = ("this unfinished assessment was begun at another station (imported); finish it there, "
                   "or start a new assessment.")
# How many of the newest visits, by number, the clock question looks at.
_RECENT_VISITS = 50

log = logging.getLogger("palsy.records")


class AssessmentsMixin(StoreBase):
    """`Store` methods that move an assessment through draft, analysed, confirmed, discarded."""

    def start_assessment(self, patient_id: str, *, actor: str = "", created_at: str | None = None) -> Assessment:
        """A new draft assessment for the patient."""
        stamp = created_at or validate.now_iso()
        with self.db.write() as conn:
            row = self._patient_row(conn, patient_id)
            cur = conn.execute(
                "INSERT INTO assessments(patient_ref, status, created_at, updated_at) VALUES (?, 'draft', ?, ?)",
                (row["id"], stamp, stamp),
            )
            aid = int(cur.lastrowid)
            _audit(conn, actor, "assessment", aid, "status", None, "draft", f"patient {row['patient_id']}", at=stamp)
        log.info("assessment %d started for patient %s", aid, row["patient_id"])
        return self.get_assessment(aid)

    def get_assessment(self, assessment_id: int) -> Assessment:
        """The assessment with this number; RecordNotFoundError if none."""
        return Assessment.from_row(self._assessment_row(self.db.connection(), assessment_id))

    def record_results(
        self,
        assessment_id: int,
        result: Mapping[str, Any],
        *,
        model_grade: str | None,
        measured_grade: str | None = None,
        actor: str = "model",
    ) -> Assessment:
        """Store the analysis (assessment.json) and grades; the assessment becomes 'analysed'.

        The result must have the shape the app reads back (`result_shape`, the rule import,
        reopening and `records check` apply): one it would later call damaged is refused
        (InputError naming the field), nothing stored."""
        model = validate.optional_grade(model_grade, "model grade")
        measured = validate.optional_grade(measured_grade, "measured grade")
        payload = validate.json_text(result, "analysis result")
        # judged as stored (tuples become lists, numpy numbers plain ones), as the readers see it
        problem = result_problem(json.loads(payload))
        if problem:
            raise InputError(
                f"the analysis result for assessment {assessment_id} was not stored: {problem}, as the app "
                "reads it back (app/records/result_shape.py). The program that made it wrote a field of "
                "another type; nothing was changed."
            )
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(
                row, ("draft", "analysed"), "store results for",
                "start a new assessment to analyse again after confirmation.",
            )
            refuse_begun_elsewhere(conn, row, "store results for")
            stamp = validate.now_iso()
            conn.execute(
                "UPDATE assessments SET status = 'analysed', model_grade = ?, measured_grade = ?,"
                " result_json = ?, updated_at = ? WHERE id = ?",
                (model, measured, payload, stamp, row["id"]),
            )
            for field, new in (("status", "analysed"), ("model_grade", model), ("measured_grade", measured)):
                if row[field] != new:
                    _audit(conn, actor, "assessment", row["id"], field, row[field], new, at=stamp)
        log.info("assessment %d analysed (patient %s)", row["id"], row["patient_id"])
        return self.get_assessment(row["id"])

    def confirm_grade(
        self, assessment_id: int, grade: str, clinician: str, notes: str | None = None
    ) -> Assessment:
        """The clinician confirms or overrides the grade under their name; every change is audited.

        Allowed on analysed assessments and again on confirmed ones (a later change is
        audited the same way). The audit reason says whether it overrides the model's grade.
        """
        confirmed = validate.grade(grade, "confirmed grade")
        signer = validate.text(clinician, "clinician name", max_len=200)
        if not signer:
            raise InputError("the clinician's name is required to confirm a grade; type your name.")
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            self._require_status(
                row, ("analysed", "confirmed"), "confirm a grade for", "analyse it first."
            )
            new_notes = row["notes"] if notes is None else validate.text(notes, "notes", multiline=True)
            stamp = validate.now_iso()
            model = row["model_grade"]
            if model and confirmed != model:
                reason = f"override of model grade {model}"
            elif model:
                reason = f"agrees with model grade {model}"
            else:
                reason = "no model grade"
            changes = {
                "confirmed_grade": confirmed,
                "clinician": signer,
                "notes": new_notes,
                "status": "confirmed",
            }
            for field, new in changes.items():
                if row[field] != new:
                    _audit(conn, signer, "assessment", row["id"], field, row[field], new,
                           reason if field == "confirmed_grade" else "", at=stamp)
            # only the fields that change are written: a cell whose bytes do not decode reads with
            # U+FFFD (`db.decoded_text`), and writing it back unchanged would replace them unaudited
            written = {field: new for field, new in changes.items() if row[field] != new}
            conn.execute(
                "UPDATE assessments SET " + "".join(f"{field} = ?, " for field in written) + "updated_at = ? WHERE id = ?",
                (*written.values(), stamp, row["id"]),
            )
        log.info("assessment %d confirmed as %s (%s)", row["id"], confirmed, reason)
        return self.get_assessment(row["id"])

    def discard_assessment(self, assessment_id: int, *, actor: str, reason: str = "") -> Assessment:
        """Mark an unconfirmed assessment discarded (not offered for resumption); files are kept."""
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            kept = "it was discarded before." if row["status"] == "discarded" else "confirmed assessments are kept."
            self._require_status(row, ("draft", "analysed"), "discard", kept)
            stamp = validate.now_iso()
            conn.execute(
                "UPDATE assessments SET status = 'discarded', updated_at = ? WHERE id = ?", (stamp, row["id"])
            )
            _audit(conn, actor, "assessment", row["id"], "status", row["status"], "discarded",
                   validate.text(reason, "reason", max_len=500), at=stamp)
        log.info("assessment %d discarded", row["id"])
        return self.get_assessment(row["id"])

    def entered_in_error_at(self, assessment_id: int) -> str | None:
        """When the assessment was marked entered in error (`withdraw_assessment`: discarded, the
        last change of its status a withdrawal's, copies by an import included), or None. Not a
        draft discarded from the patients page."""
        rows = self.db.query(
            "SELECT new_value, reason, at FROM audit WHERE entity = 'assessment' AND entity_id = ? AND field = 'status'"
            " ORDER BY id DESC LIMIT 1", (str(int(assessment_id)),))
        last = rows[0] if rows else None
        return last["at"] if last is not None and last["new_value"] == "discarded" and entered_in_error(last["reason"]) else None

    def withdrawn_count(self, patient_id: str) -> int:
        """How many of the patient's visits were marked entered in error (`entered_in_error_at`),
        in one query: the history page asks it each time it shows (one query per visit and every
        result's JSON read took 38 ms for 300 visits)."""
        with self.db.read() as conn:
            ref = self._patient_row(conn, patient_id)["id"]
            rows = conn.execute(
                "SELECT (SELECT reason FROM audit WHERE entity = 'assessment' AND entity_id = CAST(a.id AS TEXT)"
                " AND field = 'status' ORDER BY id DESC LIMIT 1) AS reason FROM assessments a"
                " WHERE a.patient_ref = ? AND a.status = 'discarded'", (ref,)).fetchall()
        return sum(entered_in_error(row["reason"]) for row in rows)

    def withdraw_assessment(self, assessment_id: int, *, actor: str, reason: str) -> Assessment:
        """Mark a past visit (analysed or confirmed) entered in error, e.g. recorded under the
        wrong patient: it becomes 'discarded', so it leaves the patient's history and the grade
        history of their later reports. Nothing is deleted: its photos, results and stored
        reports are kept, and the audit entry (status old -> discarded) keeps `reason` after
        ENTERED_IN_ERROR. A reason is required (at most 500 characters); a draft is discarded
        with `discard_assessment` instead."""
        why = validate.text(reason, "reason", max_len=500)
        if not why:
            raise InputError(
                f"assessment {assessment_id} was not marked entered in error: a reason is required; "
                "say why (for example, recorded under the wrong patient)."
            )
        with self.db.write() as conn:
            row = self._assessment_row(conn, assessment_id)
            hints = {
                "draft": "an unfinished assessment is discarded from the patients page (Discard).",
                "discarded": "it was discarded or marked entered in error before.",
            }
            self._require_status(row, ("analysed", "confirmed"), "mark entered in error",
                                 hints.get(row["status"], "only analysed or confirmed visits are."))
            stamp = validate.now_iso()
            conn.execute(
                "UPDATE assessments SET status = 'discarded', updated_at = ? WHERE id = ?", (stamp, row["id"])
            )
            _audit(conn, actor, "assessment", row["id"], "status", row["status"], "discarded",
                   ENTERED_IN_ERROR + why, at=stamp)
        log.info("assessment %d (%s) marked entered in error", row["id"], row["status"])
        return self.get_assessment(row["id"])

    def history(self, patient_id: str, *, include_discarded: bool = False) -> list[Assessment]:
        """Every assessment of the patient, oldest first (for the history view and plot)."""
        with self.db.read() as conn:
            ref = self._patient_row(conn, patient_id)["id"]
            rows = self._history_rows(conn, ref, include_discarded)
        return [Assessment.from_row(r) for r in rows]

    def history_with_captures(self, patient_id: str) -> list[tuple[Assessment, tuple[Capture, ...]]]:
        """`history` (discarded visits left out), each visit with its photos in wizard order: three
        queries whatever the number of visits (one query per visit made 510 for 500 visits)."""
        with self.db.read() as conn:
            ref = self._patient_row(conn, patient_id)["id"]
            rows = self._history_rows(conn, ref, include_discarded=False)
            photos = _captures_where(conn, "a.patient_ref = ? AND a.status != 'discarded'", (ref,))
        return [(Assessment.from_row(r), photos.get(r["id"], ())) for r in rows]

    @staticmethod
    def _history_rows(conn: sqlite3.Connection, ref: int, include_discarded: bool) -> list[sqlite3.Row]:
        sql = _ASSESSMENT_SELECT + " WHERE a.patient_ref = ?"
        if not include_discarded:
            sql += " AND a.status != 'discarded'"
        # By the moment, not the text: an older release's import kept times with another
        # offset than UTC ('10:00+05:00' is 05:00 UTC), whose text sorts out of time order.
        return conn.execute(sql + " ORDER BY julianday(a.created_at), a.created_at, a.id", (ref,)).fetchall()

    def unfinished_assessments(self, patient_id: str | None = None) -> list[Draft]:
        """Drafts (capture not finished or not analysed) to offer for resumption, newest first,
        with their photos; only `patient_id`'s when given (the Resume question read every draft
        of the clinic to find one). Not those begun at another station (`imported_drafts`).
        Two or three queries whatever the number of drafts."""
        return self._drafts("NOT " + IMPORTED_VISIT, IMPORTED_VISIT_ARGS, patient_id)

    def imported_drafts(self, patient_id: str | None = None) -> list[Draft]:
        """Drafts an import brought (a patient exported while a visit was unfinished at the
        station that recorded it), newest first, with their photos: kept, but not offered for
        resumption, and they take no photo and no analysis here (`BEGUN_ELSEWHERE`)."""
        return self._drafts(IMPORTED_VISIT, IMPORTED_VISIT_ARGS, patient_id)

    def begun_elsewhere(self, assessment_id: int) -> bool:
        """Whether the assessment was begun at another station (an import copied it)."""
        return bool(self.db.query(
            "SELECT 1 FROM assessments a WHERE a.id = ? AND " + IMPORTED_VISIT, (int(assessment_id), *IMPORTED_VISIT_ARGS)))

    def _drafts(self, which: str, which_args: tuple[Any, ...], patient_id: str | None) -> list[Draft]:
        """The drafts `which` (a condition on `a`, with `which_args`) selects, newest first."""
        where, params = f"a.status = 'draft' AND {which}", which_args
        with self.db.read() as conn:
            if patient_id is not None:
                where, params = where + " AND a.patient_ref = ?", (*params, self._patient_row(conn, patient_id)["id"])
            rows = conn.execute(
                _ASSESSMENT_SELECT + " WHERE " + where
                + " ORDER BY julianday(a.updated_at) DESC, a.updated_at DESC, a.id DESC",  # by the moment (`history`)
                params,
            ).fetchall()
            photos = _captures_where(conn, where, params) if rows else {}
        return [Draft(Assessment.from_row(r), photos.get(r["id"], ())) for r in rows]

    def offered_draft(self, exclude: int | None = None) -> tuple[Draft | None, int]:
        """The draft the patients page offers for resumption, with its photos, and how many other
        drafts there are; `exclude` (the one being analysed) is in neither. The offered one is the
        newest with photos: one left before its first photo hid a real one (by `created_at` as
        stored, as the Resume question picks among a patient's drafts; a tie goes to the lower
        number). Three queries whatever the number of drafts: the bar read every draft of the
        clinic with its photos to show one (0.43 s of frozen window at 1,000 drafts). Drafts
        begun at another station are in neither (`imported_drafts`)."""
        # with no `exclude`, `IS NOT NULL`: none left out
        where = "a.status = 'draft' AND a.id IS NOT ? AND NOT " + IMPORTED_VISIT
        params = (exclude, *IMPORTED_VISIT_ARGS)
        with self.db.read() as conn:
            count = conn.execute("SELECT COUNT(*) FROM assessments a WHERE " + where, params).fetchone()[0]
            row = conn.execute(
                _ASSESSMENT_SELECT + " WHERE " + where
                + " ORDER BY EXISTS (SELECT 1 FROM captures c WHERE c.assessment_id = a.id) DESC,"
                " a.created_at DESC, a.id LIMIT 1",
                params,
            ).fetchone()
            if row is None:
                return None, 0
            offered = Draft(Assessment.from_row(row), tuple(self._captures(conn, row["id"])))
        return offered, count - 1

    def offered_review(self, exclude: int | None = None) -> tuple[Assessment | None, int]:
        """The analysed assessment whose grade awaits confirmation that the patients page offers
        (the newest analysed) and how many others await one; `exclude` (the visit on screen) is
        in neither. Withdrawn visits are discarded, so they are not offered. The page asks it
        each time it shows: one query joining and sorting every analysed visit took 45 ms at
        20,000, so the count reads the status index alone and the newest is found among the
        assessments alone, the patient joined for that one row. Newest by the moment, as `history`
        sorts (julianday costs 1-2 ms more than the text at 20,000): an older release's import kept
        times with another offset than UTC ('10:00+05:00' is 05:00 UTC), whose text sorts out of
        time order."""
        where = "status = 'analysed' AND id IS NOT ?"  # with no `exclude`, `IS NOT NULL`: none left out
        with self.db.read() as conn:
            count = conn.execute("SELECT COUNT(*) FROM assessments WHERE " + where, (exclude,)).fetchone()[0]
            newest = conn.execute(
                "SELECT id FROM assessments WHERE " + where
                + " ORDER BY julianday(updated_at) DESC, updated_at DESC, id DESC LIMIT 1", (exclude,)
            ).fetchone()
            if newest is None:
                return None, 0
            row = conn.execute(_ASSESSMENT_SELECT + " WHERE a.id = ?", (newest[0],)).fetchone()
        return Assessment.from_row(row), count - 1

    def newest_visit_time(self) -> str | None:
        """The latest time a visit begun on this station was started or changed, as stored (None
        without any): a start stamped before it means this computer's clock went back, and the
        new visit will sort before visits made earlier (the window says so). Imported visits keep
        their station's times (a clock ahead there is no fault here) and are left out, as
        `records check` leaves them out (`LOCAL_VISIT`); so is what lies before this station's
        newest `_RECENT_VISITS` visits by number (an import of many visits does not push them
        out), to keep the question one of a few rows."""
        rows = self.db.query(
            "WITH local AS (SELECT a.created_at, a.updated_at FROM assessments a WHERE " + LOCAL_VISIT
            + " ORDER BY a.id DESC LIMIT ?)"
            " SELECT t FROM (SELECT created_at AS t FROM local UNION ALL SELECT updated_at FROM local)"
            " WHERE julianday(t) IS NOT NULL ORDER BY julianday(t) DESC LIMIT 1",
            (*LOCAL_VISIT_ARGS, _RECENT_VISITS))
        return rows[0][0] if rows else None

    def last_visit(self, patient_id: str) -> Assessment | None:
        """The patient's newest analysed or confirmed visit (by when it began), or None: one row,
        not their whole history (Start assessment asks whether they were assessed today)."""
        with self.db.read() as conn:
            ref = self._patient_row(conn, patient_id)["id"]
            row = conn.execute(
                _ASSESSMENT_SELECT + " WHERE a.patient_ref = ? AND a.status IN ('analysed', 'confirmed')"
                " ORDER BY julianday(a.created_at) DESC, a.created_at DESC, a.id DESC LIMIT 1",
                (ref,),
            ).fetchone()
        return None if row is None else Assessment.from_row(row)


def refuse_begun_elsewhere(conn: sqlite3.Connection, row: sqlite3.Row, action: str) -> None:
    """RecordStateError (`BEGUN_ELSEWHERE`) when `row`, an assessment, is a draft an import
    brought: it takes no photo, loses none and is not analysed here."""
    if row["status"] == "draft" and conn.execute(
            "SELECT 1 FROM assessments a WHERE a.id = ? AND " + IMPORTED_VISIT, (row["id"], *IMPORTED_VISIT_ARGS)).fetchone():
        raise RecordStateError(f"cannot {action} assessment {row['id']}: {BEGUN_ELSEWHERE}")


def _captures_where(conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> dict[int, tuple[Capture, ...]]:
    """The photos of the assessments `where` (a condition on `a`, the assessments) selects, by
    assessment number, each assessment's in wizard order: one query for all of them."""
    rows = conn.execute(
        "SELECT c.* FROM captures c JOIN assessments a ON a.id = c.assessment_id WHERE " + where, params
    ).fetchall()
    photos: dict[int, list[Capture]] = {}
    for row in rows:
        photos.setdefault(row["assessment_id"], []).append(Capture.from_row(row))
    return {aid: tuple(sorted(taken, key=lambda c: _EXPRESSION_ORDER.get(c.expression, 99))) for aid, taken in photos.items()}
