"""Whether an export's patient says what its own audit trail says.

Every correction of a patient's name, date of birth, sex or affected side is written to the
patient's audit trail in the same transaction as the row (`store_patients.update_patient`),
and every assessment starts with an entry naming its patient ("patient MRN-5", the draft's
reason, `store_assessments.start_assessment`). An export whose patient.json gives other values
than the last ones its trail recorded, or whose visits' trails name another patient ID, was
altered (patient.json can be edited with its checksums): import refuses it, as it refuses an
assessment that contradicts its own trail (`audit_agreement`).

A field the trail never changed is not judged: the creation entry ("record created") carries
no values, so the first values of a never-corrected patient are in the row alone. De-identified
exports drop the patient's trail and every reason, so only what is left is judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.records.export_format import IMPORTED_MARK

# The patient fields whose every change the store audits and that say who the patient is.
AUDITED_FIELDS = ("name", "birth_date", "sex", "affected_side")
_SHOWN = {"name": "name", "birth_date": "date of birth", "sex": "sex", "affected_side": "affected side"}
# The reason of an assessment's first entry (the draft), after any "[imported] " marks
# (IMPORTED_MARK) that copies added.
_DRAFT_REASON = re.compile(rf"(?:{re.escape(IMPORTED_MARK)}\s*)*patient (.+)")


def _last_values(entries: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for entry in entries:
        if entry.get("entity") == "patient" and entry.get("field") in AUDITED_FIELDS:
            values[entry["field"]] = entry.get("new_value")
    return values


def _field_disagreements(patient: Mapping[str, Any], entries: list[Mapping[str, Any]]) -> list[str]:
    last = _last_values(entries)
    return [
        # No values in the words: a name or date of birth must not reach the terminal or a log.
        f"its {_SHOWN[field]} is not the last one its audit trail recorded"
        for field in AUDITED_FIELDS
        if field in last and (patient.get(field) or None) != (last[field] or None)
    ]


def patient_disagreements(patient: Mapping[str, Any], assessments: Iterable[Mapping[str, Any]],
                          id_key: Any = str.casefold) -> list[str]:
    """How a manifest's `patient` (with its `audit` entries, in the order they were written)
    and the trails of its `assessments` disagree; empty when they agree.

    The trail is accepted in the order of its times too, as `audit_agreement` accepts it: two
    stations' clocks apart reorder a record's entries, which is no sign of an edit. `id_key`
    folds a patient ID as the store compares them (`validate.id_key`)."""
    entries = list(patient.get("audit") or [])
    found = _field_disagreements(patient, entries)
    if found and not _field_disagreements(patient, sorted(entries, key=lambda e: e.get("at") or "")):
        found = []
    own = id_key(str(patient.get("patient_id") or ""))
    for i, item in enumerate(assessments):
        named = _patient_named(item.get("audit") or [])
        if named is not None and id_key(named) != own:
            found.append(f"assessment {item.get('number', i + 1)}'s audit trail names patient {named}, "
                         f"not {patient.get('patient_id')}")
    return found


def _patient_named(entries: Iterable[Mapping[str, Any]]) -> str | None:
    """The patient ID the draft entry of an assessment's trail names, or None (a de-identified
    export's reasons are empty; a visit recorded before the entries named their patient)."""
    for entry in entries:
        if entry.get("entity") == "assessment" and entry.get("field") == "status" and entry.get("new_value") == "draft":
            match = _DRAFT_REASON.fullmatch((entry.get("reason") or "").strip())
            if match:
                return match.group(1).strip()
    return None
