"""Invisible formatting characters (Unicode Cf) are refused in names, clinician names and
reasons, as control characters are; the joiners some scripts need are kept."""

from __future__ import annotations

import re

import pytest

from app.records import Store
from models.errors import InputError
from tests.records.records_helpers import tiny_png


@pytest.mark.parametrize(("text", "shown"), [
    ("evil\u202ecod.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\ufeffAda", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("Ada\u00adLovelace", "U+00AD SOFT HYPHEN"),
    ("Ada\u2066Lovelace", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("Ada\u200bLovelace", "U+200B ZERO WIDTH SPACE"),
])
def test_names_clinicians_and_reasons_refuse_formatting_characters(store: Store, text: str, shown: str) -> None:
    message = "the {what} contains an invisible formatting character " + re.escape(f"({shown}); remove it.")
    with pytest.raises(InputError, match=message.format(what="name")):
        store.create_patient("CF-1", name=text)
    store.create_patient("CF-2", name="Ada")
    with pytest.raises(InputError, match=message.format(what="name")):
        store.update_patient("CF-2", actor="nurse", name=text)
    aid = store.start_assessment("CF-2").id
    store.save_capture(aid, "rest", tiny_png(1))
    store.record_results(aid, {}, model_grade="II")
    with pytest.raises(InputError, match=message.format(what="clinician name")):
        store.confirm_grade(aid, "II", text)
    with pytest.raises(InputError, match=message.format(what="reason")):
        store.discard_assessment(aid, actor="nurse", reason=text)
    assert store.count_patients() == 1 and store.get_patient("CF-2").name == "Ada"


def test_joiners_in_names_and_formatting_characters_in_notes_are_kept(store: Store) -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a Persian word
    malayalam = "\u0d28\u0d4d\u200d\u0d31"  # ZWJ in a Malayalam conjunct
    notes = "see the pre\u00adoperative letter\n\u202bعربي\u202c"  # pasted prose keeps its marks
    patient = store.create_patient("CF-3", name=f"{persian} {malayalam}", notes=notes)
    assert patient.name == f"{persian} {malayalam}" and patient.notes == notes
