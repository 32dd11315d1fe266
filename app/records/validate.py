"""Checks and normalisation of what users type: IDs, names, dates, grades, expressions."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from models.errors import InputError
from models.labels import EXPRESSIONS, GRADES, SIDES

SEXES: tuple[str, ...] = ("female", "male", "other")
MAX_ID_LEN = 64
MAX_TEXT_LEN = 10_000
_WORD_SPLIT = re.compile(r"[\s\-,.'’]+")
# Lower-case letters with no Unicode decomposition, spelt as a search without accents would
# type them (after casefold: 'ß' is already 'ss').
_PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
# Times up to this far ahead of this computer's clock are accepted from elsewhere (an import):
# another station's clock may be off, or a naive time written in a zone east of UTC.
CLOCK_SKEW = timedelta(days=1)
# A time this far or less before one stamped earlier on this station is no step of its clock:
# two stations a few seconds apart on one shared folder, NTP's small corrections.
CLOCK_STEP = timedelta(minutes=5)
# No record of this app predates this: an earlier time is a station clock reset to its epoch,
# or an altered file (and times near year 1 overflow when shown in a zone behind UTC).
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
# The date is first "today" at UTC+14 (Kiribati): a date up to then is today somewhere on Earth.
_EARLIEST_ZONE = timezone(timedelta(hours=14))
# Invisible formatting characters (Unicode category Cf) refused in one-line text: a
# RIGHT-TO-LEFT OVERRIDE (U+202E) makes a name display other than it is stored, a BOM
# (U+FEFF) or soft hyphen makes two equal-looking names differ. ZERO WIDTH NON-JOINER (U+200C)
# and ZERO WIDTH JOINER (U+200D) stay allowed: Persian, Indic scripts and emoji need them.
_JOINERS = frozenset("\u200c\u200d")
# Dashes, hyphens and minus signs that look like '-' (a word processor's en dash, a pasted
# non-breaking hyphen): one '-' in an ID key and a search, so that 'MRN–7' is 'MRN-7'. A soft
# hyphen (invisible) is dropped; new IDs and names refuse it (`patient_id`, `text`).
# Every dash punctuation character (Unicode category Pd: the en dash, the Armenian hyphen, the
# Hebrew maqaf, the wave dash ...) and the minus-like symbols drawn as a dash (minus sign, heavy
# minus, box-drawing and horizontal-line extensions, modifier minus, hyphen bullet) read as '-':
# a hand-picked list let a pasted Armenian hyphen or maqaf make a second "MRN-7".
# Written out (Unicode 14's Pd, '-' aside), not computed from this Python's tables: the keys are
# stored, and must not change with the Unicode version of the Python that reads them.
# Those drawn as two strokes or as a wave are left out (U+1400, U+2E17, U+2E40, U+30A0 look like
# '='; U+301C and U+3030 like '~', and read as '~' with the full-width tilde: a macOS and a
# Windows input method type one key as U+301C and U+FF5E).
_DASHES = ("\u058a\u05be\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e1a\u2e3a\u2e3b\u2e5d"
           "\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
           "\u2043\u2212\u2796\u2500\u2501\u23af\u02d7")
_FOLD_DASHES = str.maketrans({**dict.fromkeys(_DASHES, "-"), "\u301c": "~", "\u3030": "~", "\u00ad": None})
# Characters drawn as nothing or as blank space that are not white space, refused in a new ID:
# variation selectors, fillers, invisible vowels and the combining grapheme joiner (Unicode's
# default-ignorable code points that are not format characters, which `patient_id` refuses
# already), and the braille blank ('AB\u28001' looks like 'AB 1').
_INVISIBLE = frozenset(map(chr, [
    0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), 0x2800, 0x3164, *range(0xFE00, 0xFE10), 0xFFA0,
    *range(0xE0100, 0xE01F0),
]))
_SPACES = re.compile(r"\s+")
# Compatibility forms refused in a new ID: NFKC reads them as plain letters and digits ('AB¹12'
# is 'AB112'), so the ID would be found and kept unique as one it does not look like.
_LOOKALIKE_FORMS = frozenset(("<super>", "<sub>", "<fraction>", "<circle>", "<font>", "<square>"))
# Combining marks that decorate any character (U+0300-U+036F and the extended blocks): one on
# a digit or a letter ('AB12' + U+0301) is hard to see, and the ID differs from the one without.
_GENERIC_MARKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
# Scripts with letters drawn like Latin ones (Cyrillic А, Greek Α, Armenian օ, Cherokee Ꭺ): an ID
# mixing two of them can look like another ID. (Latin beside kanji or Devanagari cannot.)
_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")
# Cyrillic and Greek letters (case-folded, as in `id_key`) drawn like a Latin one: 'АВ12' in
# Cyrillic and 'ΑΒ12' in Greek are both 'ab12' to the eye (`id_skeleton`).
_LATIN_SHAPES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "ү": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "ӏ": "i",  # the palochka: its capital Ӏ is drawn as a Latin I
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ϲ": "c", "ϳ": "j",
})
# The exact shapes accepted, checked before `fromisoformat`: Python 3.11+ also reads
# '19700315', '1970W111' or '2024-W18-3T09:30', which 3.10 (supported) refuses, so without
# this an import could pass on one station and fail on another. A time is what the app has
# written (`now_iso`, `isoformat` with seconds) or a person would: date, 'T' or space, HH:MM,
# optional seconds and fraction, optional 'Z' or ±HH:MM.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})?", re.ASCII)


class FutureTimeError(InputError):
    """A time more than CLOCK_SKEW ahead of this computer's clock (`timestamp`)."""


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds (sortable as text)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


def patient_id(value: Any) -> str:
    """A patient ID/MRN: 1-64 printable characters, surrounding spaces removed."""
    text = str(value or "").strip()
    if not text:
        raise InputError("the patient ID (MRN) is empty; type the ID from the hospital record.")
    if len(text) > MAX_ID_LEN or _has_control(text):
        raise InputError(
            f"the patient ID must be 1-{MAX_ID_LEN} printable characters; check what was typed."
        )
    return text


def new_patient_id(value: Any) -> str:
    """A patient ID for a new patient: `patient_id`, and not one that looks like another ID.

    Refused, each with what to type instead: letters of two alphabets drawn alike (Latin,
    Cyrillic, Greek, Armenian, Cherokee, Coptic: 'АB12' with a Cyrillic А looks like 'AB12'), digits of two number systems, a combining mark that decorates any
    character ('AB12' + U+0301), and superscript, subscript, circled or styled forms ('AB¹12',
    which is 'AB112' to the search and to uniqueness). An ID wholly in one script ('АБ-12',
    '١٢٣', 'ΑΒ12') is accepted, and so is Latin beside a script of other shapes ('東京-A1').
    Patients already stored keep their IDs: finding and editing one checks `patient_id` alone.
    (An import creates its patient through `Store.create_patient`, so it is refused there.)"""
    text = patient_id(value)
    problem = lookalike_problem(text)
    if problem:
        raise InputError(f"the patient ID {text} {problem}")
    return text


def _lookalike_script(char: str) -> str | None:
    """Which of `_LOOKALIKE_SCRIPTS` the letter `char` belongs to (by its Unicode name), or None."""
    if not unicodedata.category(char).startswith("L"):
        return None
    word = unicodedata.name(char, "").split(" ", 1)[0]
    return word if word in _LOOKALIKE_SCRIPTS else None


def lookalike_problem(text: str) -> str | None:
    """Why the ID `text` could be taken for another ID (the end of a sentence that starts with
    the ID), or None (see `new_patient_id`)."""
    for char in text:
        if char in _INVISIBLE:
            return (f"contains an invisible character (U+{ord(char):04X} {unicodedata.name(char, '').lower()}), so it "
                    "looks like an ID without it: type the ID again with plain letters and digits.")
        if unicodedata.decomposition(char).split(" ", 1)[0] in _LOOKALIKE_FORMS:
            return (f"contains {char} ({unicodedata.name(char, f'U+{ord(char):04X}').lower()}), which is read as "
                    f"{unicodedata.normalize('NFKC', char)}: type the ID with plain letters and digits.")
    folded = unicodedata.normalize("NFKC", text)
    for char in folded:
        if unicodedata.category(char).startswith("M") and any(lo <= ord(char) <= hi for lo, hi in _GENERIC_MARKS):
            return (f"contains a combining mark (U+{ord(char):04X} {unicodedata.name(char, '').lower()}) that changes "
                    "how the character before it looks: type the ID again without it.")
    scripts = sorted({s for s in map(_lookalike_script, folded) if s}, key=_LOOKALIKE_SCRIPTS.index)
    if len(scripts) > 1:
        # the odd one out: the first letter of the script with the fewest letters (the ID looks
        # right on screen, so the message says which character is not what it seems)
        counts = {s: sum(_lookalike_script(c) == s for c in folded) for s in scripts}
        odd = min(scripts, key=lambda s: (counts[s], s == "LATIN", _LOOKALIKE_SCRIPTS.index(s)))
        other = next(s for s in scripts if s != odd)
        # counted in the ID as typed ('ﬁ' is one character there, two once normalised)
        at = next(i for i, c in enumerate(text)
                  if any(_lookalike_script(n) == odd for n in unicodedata.normalize("NFKC", c)))
        return (f"mixes {scripts[0].title()} and {scripts[1].title()} letters, which look alike: its "
                f"{_ordinal(at + 1)} character, '{text[at]}', is a {odd.title()} letter that looks like a "
                f"{other.title()} one. Type the ID again in {other.title()} letters only (check the keyboard layout).")
    systems = list(dict.fromkeys(ord(c) - unicodedata.decimal(c) for c in folded if unicodedata.category(c) == "Nd"))
    if len(systems) > 1:
        return "mixes digits of two number systems: type its digits again in one of them."
    return None


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fold_dashes(text: str) -> str:
    """`text` with every dash, hyphen and minus sign drawn like '-' written '-' (`_DASHES`): an
    input method's full-width hyphen or a pasted non-breaking hyphen is the '-' it looks like."""
    return text.translate(_FOLD_DASHES)


def _folded(text: str) -> str:
    """NFKC, case-folded, every dash-like character as '-' and each run of white space as one
    space: how IDs are compared and searched."""
    folded = fold_dashes(unicodedata.normalize("NFKC", text).casefold())
    return _SPACES.sub(" ", folded)


def id_key(value: str) -> str:
    """The form used for patient-ID search and uniqueness: case-folded, NFKC, dashes and minus
    signs as '-', runs of white space as one space ('ab1' == 'AB1', 'MRN–7' == 'MRN-7',
    'MRN  7' == 'MRN 7'). Stored in `patients.id_key`: a change is a schema step (step 5)."""
    return _folded(value)


def id_skeleton(value: str) -> str:
    """`id_key` with Cyrillic and Greek letters that are drawn like Latin ones as those Latin
    letters: two IDs with one skeleton look the same on screen ('AB12', Cyrillic 'АВ12' and Greek
    'ΑΒ12' are all 'ab12'), though they are different IDs. The Turkish dotted capital İ is 'i'
    here: `casefold` keeps its dot (U+0307) in the key, so 'izm-0042' typed on a Turkish keyboard
    registered a second patient beside 'İZM-0042' (the stored key keeps the dot: see `id_key`)."""
    return id_key(value).replace("i\u0307", "i").translate(_LATIN_SHAPES)


def search_key(prefix: str) -> str:
    """Normalise a search prefix the way IDs and name terms are stored (`id_key`'s folding:
    'anna  maria' finds 'Anna Maria', 'mrn–7' finds 'MRN-7')."""
    return _folded(prefix.strip())


def name_terms(name: str, *, dashes_folded: bool = True) -> set[str]:
    """Search terms of a name: the whole name and each of its words, case-folded. Without
    `dashes_folded`, as releases before schema step 5 stored them (an en dash kept, not a word
    break): how `stale_search_terms` judges a database not yet upgraded."""
    folded = search_key(name) if dashes_folded else unicodedata.normalize("NFKC", name.strip()).casefold()
    if not folded:
        return set()
    terms = {" ".join(folded.split())}
    terms.update(word for word in _WORD_SPLIT.split(folded) if word)
    return terms


def without_accents(folded: str) -> str:
    """`folded` (a `search_key`) with Latin, Greek and Cyrillic accents dropped and the
    letters that have no decomposition spelt plainly: 'élodie' -> 'elodie', 'łukasz' ->
    'lukasz', 'søren' -> 'soren'. Only the combining marks of U+0300-U+036F go, so scripts
    whose marks carry meaning (kana voicing, Indic vowel signs, Hebrew points) keep them."""
    decomposed = unicodedata.normalize("NFKD", folded)
    kept = "".join(ch for ch in decomposed if not "\u0300" <= ch <= "\u036f")
    return unicodedata.normalize("NFC", kept).translate(_PLAIN_LETTERS)


# German umlauts as written without them: 'Müller' is often typed 'Mueller' (and the reverse).
_UMLAUT_SPELT = {"ä": "ae", "ö": "oe", "ü": "ue"}


def umlaut_spellings(folded: str) -> list[str]:
    """The other spellings of a search key (`search_key`) that a German name has, without
    accents as terms are stored: 'müller' -> ['mueller'] (a patient stored as Mueller), and
    'mueller' -> ['muller'] (one stored as Müller, whose term is 'muller'; an 'ue' still being
    typed at the end is left: 'mue' would list every 'Mu...'). Empty when it holds neither. The search looks for these too; the stored terms stay as they are."""
    spelt = _umlauts_spelt(folded)
    variants = [spelt] if spelt != without_accents(folded) else []
    plain = re.sub("([aou])e(?=.)", r"\1", without_accents(folded))  # not at the end: 'mue' is on its way to Mu...
    if plain != without_accents(folded):
        variants.append(plain)
    return variants


def umlaut_match(name: str, folded: str) -> bool:
    """Whether a word of `name` begins with `folded` once umlauts are spelt out on both sides:
    what a patient found by an `umlaut_spellings` term must hold ('mueller' and Müller, not
    'joel' and Jolanda, which the shortened 'jol' also finds)."""
    typed = _umlauts_spelt(folded)
    return any(_umlauts_spelt(term).startswith(typed) for term in name_terms(name or ""))


def _umlauts_spelt(folded: str) -> str:
    """`folded` without accents, its umlauts spelt out: 'müller' -> 'mueller'."""
    return without_accents("".join(_UMLAUT_SPELT.get(ch, ch) for ch in unicodedata.normalize("NFC", folded)))


def name_search_terms(name: str, *, dashes_folded: bool = True) -> set[str]:
    """The terms the patient search index stores for a name: `name_terms` without accents,
    so that 'elodie', 'Elo' and 'élodie' all find 'Élodie Müller' (the search drops the
    accents of what is typed the same way, `search_patients`)."""
    return {without_accents(term) for term in name_terms(name, dashes_folded=dashes_folded)}


def text(value: Any, what: str, *, max_len: int = MAX_TEXT_LEN, multiline: bool = False) -> str:
    """Free text (names, notes): stripped, bounded length, no control characters (NUL, ESC,
    a pasted tab in a name...); `multiline` text (notes) keeps its line breaks and tabs.

    One-line text (names, clinician, reasons) also refuses invisible formatting characters
    (`_JOINERS` excepted); notes keep them, being prose pasted from other documents (soft
    hyphens, direction marks in mixed-script text) that never names or finds a record.
    """
    result = str(value or "").strip()
    if len(result) > max_len:
        verb = "are" if what == "notes" else "is"  # the one plural of the names given here
        raise InputError(f"the {what} {verb} longer than {max_len} characters; shorten {'them' if verb == 'are' else 'it'}.")
    allowed = "\n\r\t" if multiline else ""
    bad = next((c for c in result if unicodedata.category(c) == "Cc" and c not in allowed), None)
    if bad is not None:
        raise InputError(f"the {what} contains a control character (U+{ord(bad):04X}); remove it.")
    if not multiline:
        hidden = next((c for c in result if unicodedata.category(c) == "Cf" and c not in _JOINERS), None)
        if hidden is not None:
            label = " ".join(filter(None, (f"U+{ord(hidden):04X}", unicodedata.name(hidden, ""))))
            raise InputError(f"the {what} contains an invisible formatting character ({label}); remove it.")
    return result


def birth_date(value: Any) -> str | None:
    """A date of birth as 'YYYY-MM-DD' (None when unknown); refuses dates in the future.

    A date that is already today somewhere on Earth (up to UTC+14) is not in the future: a
    newborn registered in Auckland is exported and imported in New York the same day, when
    New York's date is still the day before. The patient form applies this rule to a date it
    shows unchanged (`validate_patient`: its narrower one, 1900 to the local today, refused
    every Edit of such an imported patient over the date it showed); a date typed or changed
    there must not lie after the local today.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
        except ValueError:  # the right shape but no such day (2023-02-30)
            parsed = None
        if parsed is None:
            # the value is not repeated: an import's refusal is logged, and the log holds no birth dates
            raise InputError("the date of birth is not a date; write it as YYYY-MM-DD with the digits 0-9.")
    if parsed > datetime.now(_EARLIEST_ZONE).date():
        ahead = (parsed - date.today()).days
        hint = "check the year" if ahead > 31 else "check the day and month"
        raise InputError(f"the date of birth is in the future; {hint}.")
    return parsed.isoformat()


def _parse_iso_time(raw: str) -> datetime | None:
    """`raw` as a datetime when it has one of the shapes of _ISO_TIME and is a real moment.

    The fraction is padded to microseconds and 'Z' spelt +00:00, as 3.10's `fromisoformat`
    reads neither a 'Z' nor a fraction of other than 3 or 6 digits."""
    shape = _ISO_TIME.fullmatch(raw)
    if shape is None:
        return None
    moment, fraction, zone = shape.groups()
    text = moment + (f".{fraction:0<6}" if fraction else "") + ("+00:00" if zone == "Z" else zone or "")
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # the right shape but no such moment (month 13, 25:00)
        return None


def timestamp(value: Any, what: str, *, now: datetime | None = None) -> str:
    """A date and time in the form the store writes (`now_iso`: UTC, milliseconds), so that
    stored times sort as text in time order whatever zone or precision they were written in.

    Refuses text that is not an ISO date and time (a date alone included), times before
    EARLIEST and (FutureTimeError) times more than CLOCK_SKEW ahead of `now` (default: this
    computer's clock); a time without a zone counts as UTC, as the store writes UTC.
    """
    raw = value.strip() if isinstance(value, str) else ""
    parsed = _parse_iso_time(raw)
    if parsed is None:
        raise InputError(
            f"the {what} ({value!r}) is not an ISO 8601 date and time in the form 2024-05-01T09:30:00+00:00 "
            "(seconds, fraction and zone optional; 'Z' for UTC)."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        parsed = parsed.astimezone(timezone.utc)
    except OverflowError:  # within a day of year 1 or 9999 with an offset
        parsed = EARLIEST - timedelta(days=1) if parsed.year < 2000 else datetime.max.replace(tzinfo=timezone.utc)
    if parsed < EARLIEST:
        raise InputError(
            f"the {what} ({raw}) lies before {EARLIEST.year}, before any record of this app: the clock of "
            "the station that wrote it was wrong (reset), or the file was altered."
        )
    if parsed > (now or datetime.now(timezone.utc)) + CLOCK_SKEW:
        raise FutureTimeError(
            f"the {what} ({raw}) lies in the future; check the clock of the computer that wrote it."
        )
    return parsed.isoformat(timespec="milliseconds")


def choice(value: Any, allowed: tuple[str, ...], what: str) -> str | None:
    """One of `allowed` (case-insensitive) or None when empty."""
    if value is None or value == "":
        return None
    folded = str(value).strip().lower()
    if folded not in allowed:
        raise InputError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}.")
    return folded


def sex(value: Any) -> str | None:
    """'female', 'male', 'other' or None."""
    return choice(value, SEXES, "sex")


def side(value: Any) -> str | None:
    """Affected side 'left', 'right', 'none' (subject's anatomical side) or None when unknown."""
    return choice(value, SIDES, "affected side")


def grade(value: Any, what: str = "grade") -> str:
    """A House-Brackmann grade name 'I'..'VI' (case-insensitive input)."""
    folded = str(value or "").strip().upper()
    if folded not in GRADES:
        raise InputError(f"unknown {what} {value!r}; expected one of {', '.join(GRADES)}.")
    return folded


def optional_grade(value: Any, what: str) -> str | None:
    """A grade name or None."""
    return None if value is None or value == "" else grade(value, what)


def expression(value: Any) -> str:
    """One of the six expression names."""
    name = str(value or "").strip().lower()
    if name not in EXPRESSIONS:
        raise InputError(f"unknown expression {value!r}; expected one of {', '.join(EXPRESSIONS)}.")
    return name


def json_text(value: Mapping[str, Any] | None, what: str) -> str:
    """Compact JSON of a mapping; NaN/inf and non-JSON values are refused."""
    if value is None:
        return "{}"
    if not isinstance(value, Mapping):
        raise InputError(f"the {what} must be a mapping (dict), not {type(value).__name__}.")
    try:
        return json.dumps(_plain(value), allow_nan=False, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        raise InputError(f"the {what} cannot be stored as JSON ({exc}).") from None


def _plain(value: Any) -> Any:
    """numpy scalars/arrays and tuples to plain JSON types (non-finite floats then fail in dumps)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):
        return _plain(value.tolist())
    return value
