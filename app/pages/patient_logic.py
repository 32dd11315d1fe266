"""Headless logic of the patient page: validate the patient form, format list rows."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, tzinfo

from app.local_time import local_minute
from app.records import validate
from app.records_gateway import PatientInfo
from models.errors import InputError

SEXES: tuple[str, ...] = ("", "female", "male", "other")
SIDES: tuple[str, ...] = ("unknown", "left", "right", "none")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
LIST_LIMIT = 50  # rows the patients list shows; the page asks the store for one more to know there are more


class PatientFormError(InputError):
    """A patient form field is invalid; `field` names it so the dialog can focus it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit written 0-9: a date typed in Arabic-Indic or Persian
    digits ("١٩٨٠-٠٣-١٥") is a real date, which `date.fromisoformat` reads only in 0-9."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def typed_birth_date(text: str) -> str:
    """A typed date of birth as the form validates it: digits in 0-9 (`ascii_digits`), every
    hyphen and dash as '-' (`validate.fold_dashes`: an input method types "１９７０－０４－０３" with
    a full-width hyphen, a pasted date may hold a non-breaking one), 8 digits become YYYY-MM-DD,
    anything else is passed on stripped (blank = unknown; validate_patient refuses what is not
    a date)."""
    text = validate.fold_dashes(ascii_digits(text.strip()))
    if _eight_digits(text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def _eight_digits(text: str) -> bool:
    """True when `text` (digits in 0-9) is 8 digits, which the form reads as YYYYMMDD."""
    return len(text) == 8 and text.isascii() and text.isdigit()


def _checked_birth_date(typed: str) -> str:
    """The date of birth typed in the form as YYYY-MM-DD ("" when blank), or PatientFormError.

    Messages quote the text as typed: "03041970" (day first) was quoted back as "0304-19-70".
    The range is the store's rule (`validate.birth_date`, up to today anywhere on Earth): the
    form's own narrower rule refused the Edit of an imported patient over the date it showed."""
    typed = typed.strip()
    text = typed_birth_date(typed)
    if not text:
        return ""
    if not _DATE.match(text):
        raise PatientFormError("birth_date", "Date of birth must be YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError:  # the right shape, but no such day (1975-13-40, 2023-02-30, day-first 03041970)
        hint = (" (8 digits are read year first, YYYYMMDD: type 1970-04-03 or 19700403)"
                if _eight_digits(ascii_digits(typed)) else " (YYYY-MM-DD)")
        raise PatientFormError("birth_date", f"Date of birth {typed} is not a valid date{hint}") from None
    try:
        return validate.birth_date(text) or ""
    except InputError as exc:
        raise PatientFormError("birth_date", as_sentence(str(exc))) from None


def _after_today(birth_date: str, shown: str) -> str:
    """`birth_date`, or PatientFormError when it was typed or changed (not `shown`) and lies after
    the local today. The store's rule (up to today anywhere on Earth, for an imported newborn)
    saved a typo one or two days into the future unasked west of UTC+14; a date shown unchanged
    keeps the store's rule, or the Edit of such an imported patient was refused."""
    today = date.today()
    if birth_date and birth_date != shown and date.fromisoformat(birth_date) > today:
        raise PatientFormError("birth_date", f"Date of birth {birth_date} lies after today ({today.isoformat()}) "
                                             "on this computer: check the day")
    return birth_date


def birth_date_doubt(birth_date: str, shown: str) -> str | None:
    """What the form asks before it saves a date of birth before 1900 (a mistyped year: 1097 for
    1970), or None. The store accepts such a date (an import of a record that held it), so the
    form asks rather than refuses, and not about the date it shows unchanged (`shown`): an Edit
    of a patient imported with one must save the name corrected unasked."""
    if not birth_date or birth_date == shown or int(birth_date[:4]) >= 1900:
        return None
    return f"\u26a0 Date of birth {birth_date} lies before 1900: check the year. If it is right, press {SAVE_ANYWAY}."


def validate_patient(patient_id: str, name: str, birth_date: str, sex: str, affected_side: str, notes: str,
                     *, new: bool = False, shown_birth_date: str = "") -> PatientInfo:
    """A PatientInfo from raw form values (`birth_date` as typed), or PatientFormError saying
    what to fix.

    The ID follows the store's rule (`validate.patient_id`), the one an import follows: a
    narrower form rule refused the Edit of an imported patient ("MÜ-ß-01") over its ID,
    which that dialog shows read-only. A `new` patient's ID must not look like another ID
    either (`validate.new_patient_id`: mixed alphabets, a combining mark, a superscript digit).
    The date of birth follows the store's rule too (`_checked_birth_date`), and one typed or
    changed (not `shown_birth_date`, the one the form showed) must not lie after the local today
    (`_after_today`)."""
    try:
        patient_id = (validate.new_patient_id if new else validate.patient_id)(patient_id)
    except InputError as exc:
        raise PatientFormError("patient_id", as_sentence(str(exc))) from None
    name = " ".join(name.split())
    if not name:
        raise PatientFormError("name", "Name is required")
    birth_date = _after_today(_checked_birth_date(birth_date), shown_birth_date)
    if sex not in SEXES:
        raise PatientFormError("sex", f"Sex must be one of {', '.join(s or 'blank' for s in SEXES)}")
    if affected_side not in SIDES:
        raise PatientFormError("affected_side", f"Affected side must be one of {', '.join(SIDES)}")
    return PatientInfo(patient_id, name, birth_date, sex, affected_side, notes.strip())


def _listed(ids: list[str], last: str) -> str:
    """`ids` written as a list: "X-1", "X-1 and X-2", "X-1, X-2 and X-3" (`last` "or": ... or X-3)."""
    return ", ".join(ids[:-1]) + f" {last} {ids[-1]}" if len(ids) > 1 else ids[0]


def same_person_warning(ids: list[str]) -> str:
    """What the new-patient form says before saving a patient with the name and date of birth of
    the patients `ids` (a second Save saves it). The form's Open button opens the first of them,
    as it opens a registered ID: the warning said to press Cancel and find them in the search."""
    are = "are" if len(ids) > 1 else "is"
    first, rest = ids[0], ids[1:]
    whom = first if rest else "them"  # "them" would not say which of several
    others = f", or search there for {_listed(rest, 'or')}" if rest else ""
    # a question, not an error (usability review 2026-12-06: red and worded as a refusal, it read
    # as if a different person could not be saved)
    return (f"\u26a0 Check first: {_listed(ids, 'and')} {are} already registered with this name and date of birth. "
            f"If this is the same person, press Open {first} to select {whom} on the patients page{others}. If it is a "
            f"different person, press {SAVE_ANYWAY}.")


SAVE_ANYWAY = "Save anyway"  # the new-patient form's Save while it asks about the same person


def list_keys_hint(selected: str | None, rows: int) -> str:
    """What the patients page says under its list once the keyboard moved there from the search
    (Return in the search field): whom Return starts (`selected`: "Name (ID)"), or how to choose
    among the `rows` matches. The first Return seemed to do nothing, and a second one then
    started an assessment unannounced (usability review 2026-12-06)."""
    if selected:
        return f"Press Return to start an assessment of {selected}, or Ctrl+F to search again."
    if rows > 1:
        return f"{rows} patients match: choose one with \u2191/\u2193, then press Return."
    return ""


def patient_row(info: PatientInfo) -> tuple[str, str, str, str]:
    """Columns of the patient list: ID, name, date of birth, affected side."""
    return (info.patient_id, info.name, info.birth_date or "\u2013", info.affected_side)


def empty_list_hint(rows: int, searching: bool) -> str:
    """What the patients page says under an empty list: how to add the first patient on a
    first start, or that the search found nobody; "" when the list has rows."""
    if rows:
        return ""
    if searching:
        return "No patient matches: search by the start of the patient ID or of a name, or by 3 or more digits of the ID."
    return "No patients yet: press New patient\u2026 (Ctrl+N) to add the first one."


def list_hint(rows: int, searching: bool, more: bool) -> str:
    """What the patients page says under its list: `empty_list_hint` when it is empty, and when
    the store held more patients than the LIST_LIMIT shown (`more`), that the list is cut and
    how to find the rest; "" when the list shows every match."""
    if not rows:
        return empty_list_hint(rows, searching)
    if not more:
        return ""
    if searching:
        return f"First {rows} shown; type more of the name or ID to narrow the search."
    return f"The {rows} most recently updated patients; search to find others."


def as_sentence(message: str) -> str:
    """`message` with a capital first letter, for a dialog (one-line errors start lower case)."""
    return message[:1].upper() + message[1:]


def search_selection(typed: str, ids: list[str], keep: str | None) -> int | None:
    """Which row of a patients list (`ids`, in order) to select after a search for `typed`.

    With a search typed: the patient whose ID is the text (the store's comparison,
    `validate.id_key`), else the only match; never a patient selected before whose ID merely
    starts with the text (typed "MRN-10" with MRN-10 and MRN-100 listed, the list kept
    MRN-100 selected, and Return started MRN-100's assessment). With none typed: `keep`
    where it is listed. None: select nothing. Return in the search field only moves to the
    list (`PatientPage.eventFilter`), so a selected only match is started by a second Return
    there, with its row highlighted."""
    text = typed.strip()
    if not text:
        return ids.index(keep) if keep in ids else None
    key = validate.id_key(text)
    keys = [validate.id_key(i) for i in ids]
    if key in keys:
        return keys.index(key)
    if len(ids) == 1:
        return 0
    return None


def time_today(stamp: str, tz: tzinfo | None = None) -> str | None:
    """"10:02" when the stored time `stamp` falls on today's local date (`tz` for tests), else None."""
    minute = local_minute(stamp, tz)
    return minute[11:] if minute[:10] == datetime.now(tz).strftime("%Y-%m-%d") else None


def awaiting_line(who: str, analysed: str, others: int, tz: tzinfo | None = None) -> str:
    """What the patients page's bar says of the results awaiting confirmation: the newest (`who`,
    analysed at the stored time `analysed`: its time alone today, else its date too) and how many
    `others` wait (each is offered in turn once the newest is confirmed)."""
    when = time_today(analysed, tz) or local_minute(analysed, tz)
    if not others:
        return f"A result awaits confirmation: {who}, analysed {when}."
    return f"{others + 1} results await confirmation: {who}, analysed {when}, and {others} more."


def assessed_today_question(who: str, name: str, at: str, status: str, grade: str | None) -> str:
    """The question before another assessment of a patient assessed today (`who`: "Bo Carlsson
    (MRN-1002)", at the local time `at`, the visit's `status` and confirmed `grade`): Return on a
    patients list that still selected the patient just finished started them again unasked."""
    done = f"grade {grade} confirmed" if status == "confirmed" and grade else "its grade awaits confirmation"
    return (f"{who} was assessed at {at} today ({done}). Start another assessment of {name}?\n\n"
            "Yes: start a new assessment with new photos.\n"
            "No: keep the list; choose the next patient.")
