"""Whether an assessment's row says what its own audit trail says.

Every change of an assessment's status, grades or clinician, and every stored report, is
written to the audit trail in the same transaction as the row (`store_assessments`,
`store_files`). A row whose values are not the last values its trail recorded, or a report
whose sha256 the trail never recorded, was therefore not written by the store: the database
was edited, or the record came from an altered export (whose patient.json can be edited
with its checksums). Import refuses such an assessment and `palsy records check` reports one.

Only a confirmed assessment takes reports, and keeps them when it is later marked entered in
error (`Store.withdraw_assessment`: status confirmed -> discarded, the reason starting with
ENTERED_IN_ERROR): `reports_allowed` says which assessments may hold reports, by their trail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.records.export_format import IMPORTED_MARK

# The assessment fields whose every change the store audits.
AUDITED_FIELDS = ("status", "model_grade", "measured_grade", "confirmed_grade", "clinician")

# Starts the reason of the audit entry that withdraws a past visit entered in error (recorded
# under the wrong patient...): `Store.withdraw_assessment`.
ENTERED_IN_ERROR = "entered in error: "
# What an import puts before each copied reason, once per import of an imported record.
_IMPORTED_MARKS = re.compile(rf"^(?:{re.escape(IMPORTED_MARK)} ?)+")


def entered_in_error(reason: str | None) -> bool:
    """Whether an audit reason is a withdrawal's (ENTERED_IN_ERROR), on this station or copied
    by imports."""
    return _IMPORTED_MARKS.sub("", reason or "").startswith(ENTERED_IN_ERROR)


class TrailValues:
    """The last values an assessment's audit trail recorded, fed its entries oldest first."""

    def __init__(self) -> None:
        self.fields: dict[str, str | None] = {}  # only the fields the trail recorded
        self.reports: set[str] = set()
        # the last status change took a confirmed visit to discarded as entered in error
        self.withdrawn_confirmed = False

    def add(self, entity: str, field: str, new_value: str | None, old_value: str | None = None,
            reason: str | None = None) -> None:
        """Take one audit entry into account (later entries override earlier ones). `old_value`
        and `reason` matter only to a status change (`withdrawn_confirmed`)."""
        if entity == "assessment" and field == "status":
            before = old_value if old_value is not None else self.fields.get("status")
            self.withdrawn_confirmed = (new_value == "discarded" and before == "confirmed"
                                        and entered_in_error(reason))
        if entity == "assessment" and field in AUDITED_FIELDS:
            self.fields[field] = new_value
        elif entity == "report" and field == "report" and new_value:
            self.reports.add(new_value.lower())

    def differences(self, row: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
        """(field, the row's value, the trail's last value) of each audited field of `row` that
        differs from the trail. Empty text and no value count as the same. A field the trail
        never recorded is not judged (a database from before the trail, or edited by hand in
        tests of old versions)."""
        return [
            (field, row.get(field), self.fields[field])
            for field in AUDITED_FIELDS
            if field in self.fields and (row.get(field) or None) != (self.fields[field] or None)
        ]

    def disagreements(self, row: Mapping[str, Any], report_sha256s: Iterable[str]) -> list[str]:
        """How `row` (the assessment's values) and its reports differ from the trail; empty
        when they agree (`differences`); a report is always judged (reports and their entries
        came together)."""
        found = [_disagreement(*difference) for difference in self.differences(row)]
        found += [
            f"its report (sha256 {sha[:16]}...) is not the one its audit trail recorded"
            for sha in report_sha256s
            if sha.lower() not in self.reports
        ]
        return found


def trail_values(entries: Iterable[Mapping[str, Any]]) -> TrailValues:
    """The `TrailValues` of audit entries given as mappings, taken in the order given."""
    values = TrailValues()
    for entry in entries:
        values.add(entry.get("entity") or "", entry.get("field") or "", entry.get("new_value"),
                   entry.get("old_value"), entry.get("reason"))
    return values


def reports_allowed(status: str | None, entries: Iterable[Mapping[str, Any]]) -> bool:
    """Whether an assessment of `status` may hold stored reports: a confirmed one, and one its
    audit trail `entries` (in the order they were written, with their old values and reasons)
    shows withdrawn as entered in error once it was confirmed; its reports are kept, as printed.
    Any other assessment with a report was not written by the store (import refuses it,
    `records check` reports it)."""
    if status == "confirmed":
        return True
    return status == "discarded" and trail_values(entries).withdrawn_confirmed


def trail_disagreements(entries: Iterable[Mapping[str, Any]], row: Mapping[str, Any],
                        report_sha256s: Iterable[str]) -> list[str]:
    """How `row` and its reports differ from the last values of their audit trail, `entries`
    in the order they were written (the audit table's ids; an export lists them so). A row
    that agrees with the trail read in the order of its times is accepted too: exports made
    before they kept the write order listed the entries by time, and the two orders differ
    only where clocks did (a station whose clock was stepped back, two stations' clocks apart
    in one patient's record), which is no sign of an edit."""
    entries, reports = list(entries), list(report_sha256s)
    found = trail_values(entries).disagreements(row, reports)
    if found and not trail_values(sorted(entries, key=lambda e: e.get("at") or "")).disagreements(row, reports):
        return []
    return found


def field_differences(entries: Iterable[Mapping[str, Any]], row: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, the row's value, the trail's last value) of each audited field where `row`
    differs from its audit trail `entries`, by `trail_disagreements`' rule (in the order
    written, else in the order of their times); empty when they agree. For the window,
    which words them itself (`plain_difference`)."""
    entries = list(entries)
    found = trail_values(entries).differences(row)
    if found and not trail_values(sorted(entries, key=lambda e: e.get("at") or "")).differences(row):
        return []
    return found


def plain_difference(field: str, value: Any, trail_value: Any) -> str:
    """One `field_differences` item in the window's words ("its confirmed grade is II but its
    audit trail says IV"). A clinician is not named: the line may reach palsy.log."""
    return _worded(field, value, trail_value, "recorded", "says", _plain)


def _plain(value: Any) -> str:
    return "none" if value in (None, "") else str(value)


def _disagreement(field: str, value: Any, trail_value: Any) -> str:
    """How one field differs from its trail, in `records check`'s words. A clinician is named
    by the field only: the line reaches palsy.log, which holds no names (docs/bundle.md);
    statuses and grades are codes."""
    return _worded(field, value, trail_value, "ends at", "ends at", _shown)


def _worded(field: str, value: Any, trail_value: Any, clinician_verb: str, verb: str,
            shown: Callable[[Any], str]) -> str:
    what = field.replace("_", " ")
    if field == "clinician":
        return f"its {what} is not the one its audit trail {clinician_verb}"
    return f"its {what} is {shown(value)} but its audit trail {verb} {shown(trail_value)}"


def _shown(value: Any) -> str:
    return "empty" if value in (None, "") else repr(value)
