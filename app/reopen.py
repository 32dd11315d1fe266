"""Rebuild an AnalysisResult from a stored assessment (for read-only reopening; no Qt).

The store keeps the results as JSON and the photos as files; masks and attention maps
are not stored, so a reopened assessment shows the photos with the stored numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from app.analysis import AnalysisResult, ExpressionResult, Flag, RegionRow, centre_crop
from app.records.audit_agreement import (
    AUDITED_FIELDS,
    field_differences,
    plain_difference,
)
from app.records.errors import StorageError
from app.records.result_shape import result_problem
from app.records.store_checks import analysis_disagreements
from app.records_gateway import AssessmentInfo, RecordsGateway
from models.errors import PalsyError
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.measures import REGIONS, restated_flags

DISPLAY_SIZE = 256

# The review flags of a reopened visit that refuse its export (`export_refusal`): its record
# disagrees with its own audit trail (edited outside Palsy Grader), or photos it was graded on
# are missing or damaged (a report made then silently lacked them and dropped the flag).
RECORD_EDITED = "record_disagrees_with_its_audit_trail"
PHOTOS_UNREADABLE = "photos_unreadable"
_PHOTOS_UNREADABLE_TEXT = "Stored photos missing or damaged: "


def result_from_record(info: AssessmentInfo, gateway: RecordsGateway,
                       trail: Sequence[Any] | None = None) -> AnalysisResult | None:
    """The stored result with the stored photos, or None when it was never analysed.

    StorageError when the stored result does not have the shape the app writes (an import
    refuses one, so only a database edited by hand holds it): a message, not a traceback.

    The record is compared, once, with its own audit trail and its stored analysis
    (`record_disagreements`); a disagreement is a review flag (RECORD_EDITED) that refuses
    the export. `trail`: the visit's audit entries (`RecordsGateway.audit`); None reads them
    from `gateway` when it is a records gateway."""
    problem = result_problem(info.result)
    if problem:
        raise StorageError(
            f"assessment {info.assessment_id} cannot be opened: its stored analysis result is damaged "
            f"({problem}). Run palsy records check, and restore palsy.db from a backup if it was altered."
        )
    data = info.result or {}
    if not data.get("grade"):
        return None
    expressions = {}
    unreadable = []
    stored = data.get("expressions", {})
    for name in EXPRESSIONS:
        if name not in info.captures:
            continue
        try:
            photo = centre_crop(gateway.load_photo(info.assessment_id, name), DISPLAY_SIZE)
        except PalsyError:
            unreadable.append(name.replace("_", " "))
            continue
        probs = stored.get(name, {}).get("probabilities", {})
        expressions[name] = ExpressionResult(
            name, photo, np.zeros(photo.shape[:2], np.uint8), {}, np.array([float(probs.get(g, 0.0)) for g in GRADES])
        )
    measured = in_live_order(data).get("measured") or {}
    stored_regions = (measured.get("regions") or {}).items()
    regions = [
        RegionRow(values.get("label") or name, values.get("left"), values.get("right"), values.get("percent"),
                  values.get("note", ""), values.get("unit", ""), bool(values.get("judged", True)),
                  values.get("expression", ""))
        for name, values in stored_regions
    ]
    return AnalysisResult(
        grade=data["grade"],
        probabilities={g: float(data.get("probabilities", {}).get(g, 0.0)) for g in GRADES},
        affected_side=data.get("affected_side", "unknown"),
        measured_grade=measured.get("grade"),
        function_percent=measured.get("function_percent"),
        regions=regions,
        # the partial-measure flag worded from the stored regions, as the table reads them
        flags=[Flag(f.get("code", ""), f.get("message") or f.get("text", ""), f.get("expression"))
               for f in restated_flags(data.get("flags", []), measured)]
        + ([Flag("photos_unreadable", f"{_PHOTOS_UNREADABLE_TEXT}{', '.join(unreadable)}; "
                 "the grade and measures shown are the stored ones")] if unreadable else [])
        + _record_flags(info, gateway, trail),
        expressions=expressions,
        model=data.get("model", {}),
        timing_ms=data.get("timing_ms", {}),
        reopened=True,
        # the method line as stored, the report's: rebuilt from the 4-decimal stored movements
        # its arithmetic differed from the report's in the third decimal
        stored_method=method if isinstance(method := measured.get("method"), str) else None,
        # why nothing was measured, as its report says it under the regional function heading
        stored_notes=stored_notes(data),
    )


def record_disagreements(info: AssessmentInfo, trail: Iterable[Any]) -> list[str]:
    """How the visit's record (its row) disagrees with its own audit trail (`trail`: the
    gateway's `AuditEntry`s of the visit, oldest first) and with its stored analysis (its
    network and measured grades), in plain words; empty when they agree. The store writes
    each with the others, so a disagreement is an edit outside Palsy Grader (one UPDATE of
    the confirmed grade showed as confirmed and was exported under the clinician's name)."""
    row = {field: getattr(info, field, None) for field in AUDITED_FIELDS}
    entries = [{"entity": "assessment", "field": e.field, "new_value": e.new, "old_value": e.old, "at": e.when}
               for e in trail]
    # the stored analysis judged by `records check`'s own rule (its grade, the grade its
    # probabilities put highest, its measured grade): screen and check never disagree
    analysis = analysis_disagreements(info.result, row) if isinstance(info.result, dict) else []
    return [plain_difference(*d) for d in field_differences(entries, row)] + analysis


def export_refusal(result: AnalysisResult | None) -> str:
    """Why no report may be made of the result on screen, from its review flags; "" when one
    may. `app.pages.results_logic.export_blocker` takes it, for the Export button and Ctrl+E."""
    flags = list(getattr(result, "flags", None) or [])
    edited = next((f for f in flags if f.code == RECORD_EDITED), None)
    if edited is not None:
        return f"{edited.text}. No report is made of it"
    photos = next((f for f in flags if f.code == PHOTOS_UNREADABLE), None)
    if photos is not None:
        names = photos.text.removeprefix(_PHOTOS_UNREADABLE_TEXT).split(";")[0]
        return (f"Stored photos of this visit are missing or damaged ({names}): restore them from a backup first "
                "(palsy records check lists them); a report made now would lack them")
    return ""


def _record_flags(info: AssessmentInfo, gateway: Any, trail: Sequence[Any] | None) -> list[Flag]:
    """The RECORD_EDITED flag of a record that disagrees with its trail or its analysis."""
    if trail is None:
        trail = gateway.audit(info.assessment_id) if hasattr(gateway, "audit") else []
    found = record_disagreements(info, trail)
    if not found:
        return []
    return [Flag("record_disagrees_with_its_audit_trail", f"This visit's record was changed outside Palsy Grader: {'; '.join(found)}; "
                                "run palsy records check")]


def stored_notes(stored: Any) -> list[str]:
    """The notes stored with a visit's measured function (why regions were not measured)."""
    measured = (stored or {}).get("measured") if isinstance(stored, dict) else None
    notes = measured.get("notes") if isinstance(measured, dict) else None
    return [str(note) for note in notes] if isinstance(notes, list) else []


def in_live_order(stored: dict) -> dict:
    """The stored result with its measured regions in the live report's order (the store
    keeps JSON with sorted keys: Ala, Brow, Cheek... instead of Brow, Eye, Commissure...)."""
    measured = stored.get("measured") or {}
    regions = measured.get("regions")
    if not isinstance(regions, dict):
        return stored
    order = {spec.name: i for i, spec in enumerate(REGIONS)}
    ordered = dict(sorted(regions.items(), key=lambda item: order.get(item[0], len(order))))
    return {**stored, "measured": {**measured, "regions": ordered}}
