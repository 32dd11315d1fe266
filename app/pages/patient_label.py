"""How a page names its patient: the name, then what identifies the record (the ID, a visit's
date). Pages shorten only the name when the line is too long, so the ID stays readable (a long
name pushed the ID off the page title)."""

from __future__ import annotations

from typing import NamedTuple


class PatientLabel(NamedTuple):
    name: str
    detail: str  # " (MRN-1)", " (MRN-1), visit of 2026-12-06"

    def __str__(self) -> str:
        return self.name + self.detail

    def with_detail(self, more: str) -> PatientLabel:
        """The same label with `more` after its detail."""
        return self._replace(detail=self.detail + more)


def label_parts(head: str, label: str | PatientLabel, tail: str = "") -> tuple[str, str, str]:
    """(text before the name, the name, text after it) for a line `head + label + tail`; a
    plain string label is all name."""
    if isinstance(label, PatientLabel):
        return head, label.name, label.detail + tail
    return head, label, tail


def born(birth_date: str) -> str:
    """", born 1970-01-31" after an ID in a patient's label, or "" when the date is unknown."""
    return f", born {birth_date}" if birth_date else ""
