"""Whether two patient records look like one person: by name and date of birth.

Patient IDs are the store's identity, but one person can be registered under two IDs (a
mistyped MRN, two hospitals' numbering), and two people can be given one ID. An import
adds whole patients by ID and never merges, so it says which case it met
(`import_folder.import_patient`, `palsy records import`): another ID with this person's name and
date of birth (a warning), or this ID held by a different person or by the same one (a refusal).

Names are compared as the patient search compares them (`validate.name_search_terms`'s
whole-name term): case-folded, NFKC, runs of white space as one space, accents dropped.
Nothing here prints or logs a name: callers name patients by ID only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.local_time import local_minute_zoned
from app.records import validate
from models.counted import counted

SAME = "same"
DIFFERENT = "different"
UNKNOWN = "unknown"  # nothing both records hold to compare (a de-identified export, no name or date)


def name_key(name: str | None) -> str:
    """`name` as the patient search stores its whole name: 'alice  Able' and 'Alice Able' alike."""
    return validate.without_accents(" ".join(validate.search_key(name or "").split()))


def compare(local: Mapping[str, Any], other: Mapping[str, Any]) -> str:
    """SAME, DIFFERENT or UNKNOWN: whether `other` (a manifest's patient) is the person of
    `local` (a patient row), by name and date of birth. A field counts only where both records
    hold it (a patient registered by ID alone is not another person); one that differs makes
    them DIFFERENT; UNKNOWN when no field could be compared."""
    compared = differs = False
    for mine, theirs in ((name_key(local.get("name")), name_key(other.get("name"))),
                         (local.get("birth_date") or "", other.get("birth_date") or "")):
        if mine and theirs:
            compared = True
            differs = differs or mine != theirs
    if differs:
        return DIFFERENT
    return SAME if compared else UNKNOWN


def alike(patient_id: str, name: str | None, birth_date: str | None,
          others: Iterable[tuple[str, str | None, str | None]]) -> list[str]:
    """The IDs among `others` ((ID, name, date of birth) each, in their order) of other patients
    with this name (`name_key`) and date of birth; none when either is not recorded (an empty
    name matches nothing). The one rule of the store, the import and the new-patient form."""
    key = name_key(name)
    if not key or not birth_date:
        return []
    own = validate.id_key(patient_id)
    return [pid for pid, other, born in others
            if born == birth_date and name_key(other) == key and validate.id_key(pid) != own]


def others_like(conn: sqlite3.Connection, patient_id: str, name: str | None, birth_date: str | None) -> list[str]:
    """The IDs of the other patients of the store with this name and date of birth (`alike`), by ID."""
    if not birth_date:
        return []
    rows = conn.execute("SELECT patient_id, name, birth_date FROM patients WHERE birth_date = ? ORDER BY id_key",
                        (birth_date,))
    return alike(patient_id, name, birth_date, rows)


def _moment(stamp: str | None) -> Any:
    """A stored time as a comparable moment (an older import kept other offsets than UTC)."""
    try:
        return datetime.fromisoformat(stamp or "")
    except ValueError:
        return stamp


def visits_not_here(conn: sqlite3.Connection, patient_id: str, assessments: Iterable[Mapping[str, Any]]) -> int:
    """How many of a manifest's assessments (discarded ones not counted) the patient
    `patient_id` of this station does not have: an export carries no identity of a visit but its
    start time, kept to the millisecond by export and import, so a visit is here when one of
    the patient's assessments started at the same moment."""
    here = {_moment(row[0]) for row in conn.execute(
        "SELECT a.created_at FROM assessments a JOIN patients p ON p.id = a.patient_ref WHERE p.id_key = ?",
        (validate.id_key(patient_id),))}
    return sum(1 for item in assessments
               if item.get("status") != "discarded" and _moment(item.get("created_at")) not in here)


# what a visit's state is, compared between an export and this station (`visits_changed`)
_STATE = ("status", "model_grade", "measured_grade", "confirmed_grade", "updated_at")


def _state(visit: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(_moment(visit.get(key)) if key == "updated_at" else visit.get(key) for key in _STATE)


def _described(visit: Mapping[str, Any]) -> str:
    """A visit's state in words: 'unfinished', 'confirmed as grade II'."""
    status = visit.get("status")
    if status == "confirmed":
        return f"confirmed as grade {visit.get('confirmed_grade')}"
    return {"draft": "unfinished", "analysed": "analysed, not confirmed"}.get(str(status), str(status))


def visits_changed(conn: sqlite3.Connection, patient_id: str, assessments: Iterable[Mapping[str, Any]]) -> list[str]:
    """The visits of a manifest that the patient `patient_id` of this station has (one started
    at the same moment, `visits_not_here`) but in another state (status, grades or last change):
    typically a draft imported unfinished that its station finished since. One line each, in
    the manifest's order, naming the visit by its start in local time."""
    here: dict[Any, list[dict[str, Any]]] = {}
    for row in conn.execute(
            "SELECT a.created_at, a.status, a.model_grade, a.measured_grade, a.confirmed_grade, a.updated_at"
            " FROM assessments a JOIN patients p ON p.id = a.patient_ref WHERE p.id_key = ?",
            (validate.id_key(patient_id),)):
        here.setdefault(_moment(row[0]), []).append(dict(zip(("created_at", *_STATE), row, strict=True)))
    lines = []
    for item in assessments:
        mine = here.get(_moment(item.get("created_at")))
        if not mine or any(_state(visit) == _state(item) for visit in mine):
            continue
        local, there = _described(mine[0]), _described(item)
        if local == there:
            local = f"{local} as last changed {local_minute_zoned(str(mine[0].get('updated_at') or ''))}"
            there = f"{there} as last changed {local_minute_zoned(str(item.get('updated_at') or ''))}"
        lines.append(f"the visit of {local_minute_zoned(str(item.get('created_at') or ''))} is here {local}; "
                     f"this export holds it {there}")
    return lines


def existing_id_refusal(conn: sqlite3.Connection, pid: str, manifest: Mapping[str, Any]) -> str | None:
    """Why an export (its `manifest`) of patient `pid` cannot be imported here, when this
    station has that ID; None when it has not. It says whether the export is of that same person
    (`compare`), with how many of its visits the station lacks, or of a different one, and
    what a user can do: IDs are not editable and nothing is deleted or merged, so the advice is
    never to rename or remove the local record. No name is in the words."""
    row = conn.execute("SELECT patient_id, name, birth_date FROM patients WHERE id_key = ?",
                       (validate.id_key(pid),)).fetchone()
    if row is None:
        return None
    local = {"name": row[1], "birth_date": row[2]}
    refused = f"patient {pid} already exists on this station; nothing was imported"
    case = compare(local, manifest["patient"])
    if case == DIFFERENT:
        return (
            f"{refused}: a DIFFERENT person (other name or date of birth) has the ID {row[0]} on this station, "
            "and an import never merges records. Compare both records with the hospital record: if a name or "
            "date of birth was typed wrong, correct it in the patient's details on the station where it is "
            "wrong; if one station recorded the visits under a wrong ID, keep them there and record that "
            "patient's new visits under the right ID."
        )
    if case == UNKNOWN:
        return (
            f"{refused}, and an import never merges records. Whether the export is of the same person cannot "
            "be told (it is de-identified, or a name and date of birth are not recorded on both sides): open "
            f"patient {row[0]} in the app to check."
        )
    # A de-identified export's times are shifted: its visits cannot be matched to these.
    shifted, visits = manifest.get("dates_shifted"), manifest.get("assessments") or []
    missing = 0 if shifted else visits_not_here(conn, pid, visits)
    changed = [] if shifted else visits_changed(conn, pid, visits)
    # an import never merges: a visit this station has in another state stays as it is here
    differs = (f"{'; '.join(changed)}. An import never merges records, so this station keeps "
               f"{'that visit' if len(changed) == 1 else 'those visits'} as {'it is' if len(changed) == 1 else 'they are'}"
               " here") if changed else ""
    if missing:
        return (
            f"{refused}: this patient is already on this station, and the export holds {counted(missing, 'visit')} "
            "this station does not have; an import never adds visits to a patient already here. See those "
            "visits and their reports on the station that recorded them (this export folder keeps the reports too)."
            + (f" Also, {differs}." if differs else "")
        )
    if changed:
        return (
            f"{refused}: this patient is already on this station, but {differs}. See "
            f"{'it' if len(changed) == 1 else 'them'} as this export holds {'it' if len(changed) == 1 else 'them'} "
            "on the station that recorded it (this export folder keeps the reports too), or import this export "
            "into another data folder."
        )
    return (
        f"{refused}: this patient is already on this station, with every visit of this export; there is "
        f"nothing to import. Open patient {row[0]} from the search."
    )
