"""Fonts of the PDF report and the cleaning of user text before it is drawn.

ReportLab's standard Helvetica covers Latin-1 only: a Polish, Turkish, Cyrillic, Greek,
Arabic or Chinese name printed as black boxes. The report therefore draws all text in the
bundled DejaVu Sans (resources/fonts, Bitstream Vera licence), and runs of CJK characters,
which DejaVu lacks, in ReportLab's built-in CID fonts (not embedded: PDF readers supply
them, and one without Asian fonts leaves them blank; `reader_font_chars` says which).
Control and format characters are removed and characters no font covers (Indic scripts,
Thai, Khmer, Burmese, Ethiopic, most emoji) become "?", so nothing is drawn as a box;
`unprintable` and `script_names` say which, so that the user is told (`pdf.unprinted_warning`).

ReportLab neither shapes nor reorders right-to-left scripts, so a line holding Arabic or
Hebrew is put into display order here (`visual_order`): Arabic letters are replaced by their
joined presentation forms (arabic_reshaper, only the ligatures DejaVu has) and the line is
reordered by the Unicode bidi algorithm (python-bidi). Text without such letters is untouched.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from arabic_reshaper.letters import LETTERS_ARABIC
from arabic_reshaper.ligatures import LIGATURES
from bidi.algorithm import get_display  # the Python one mirrors brackets; bidi.get_display does not
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

from models.errors import InputError
from models.resources import resources_dir

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
CJK_FONT = "STSong-Light"  # Adobe-GB1: Han ideographs, kana, CJK punctuation, full-width forms
HANGUL_FONT = "HYSMyeongJo-Medium"  # Adobe-Korea1
PLACEHOLDER = "?"
ELLIPSIS = "\u2026"

# (first, last) code points drawn with a CID font when DejaVu lacks them.
_CID_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x1100, 0x11FF, HANGUL_FONT),  # Hangul Jamo
    (0x3000, 0x30FF, CJK_FONT),  # CJK symbols and punctuation, Hiragana, Katakana
    (0x3100, 0x312F, CJK_FONT),  # Bopomofo
    (0x3130, 0x318F, HANGUL_FONT),  # Hangul compatibility Jamo
    (0x3400, 0x4DBF, CJK_FONT),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF, CJK_FONT),  # CJK Unified Ideographs
    (0xAC00, 0xD7AF, HANGUL_FONT),  # Hangul syllables
    (0xF900, 0xFAFF, CJK_FONT),  # CJK Compatibility Ideographs
    (0xFF00, 0xFFEF, CJK_FONT),  # Half-width and full-width forms
)
# Hebrew, Arabic, Arabic Supplement, Arabic Extended-A, Arabic presentation forms A and B.
_RTL_RANGES: tuple[tuple[int, int], ...] = (
    (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF),
)
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n", "\x0b": "\n", "\x0c": "\n"}


def fonts_dir() -> Path:
    """Folder of the bundled report fonts (under sys._MEIPASS when frozen)."""
    return resources_dir() / "fonts"


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) and the CID fonts with ReportLab, once."""
    for name, file in FONT_FILES.items():
        path = fonts_dir() / file
        if not path.is_file():
            raise InputError(f"the report font {path} is missing; reinstall Palsy Grader.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    # <b> in Paragraph markup needs the family; there is no italic face, so it stays upright.
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    for name in (CJK_FONT, HANGUL_FONT):
        pdfmetrics.registerFont(UnicodeCIDFont(name))


@functools.cache
def _dejavu_coverage() -> frozenset[int]:
    """Code points both DejaVu faces have a glyph for, in the Basic Multilingual Plane:
    ReportLab writes a wrong ToUnicode entry for characters beyond it (DejaVu's few emoji
    would extract from the PDF as other letters)."""
    register_fonts()
    regular, bold = (pdfmetrics.getFont(name).face.charToGlyph for name in (FONT, FONT_BOLD))
    return frozenset(code for code in regular.keys() & bold.keys() if code <= 0xFFFF)


def _cid_font(char: str) -> str | None:
    code = ord(char)
    for first, last, name in _CID_RANGES:
        if first <= code <= last:
            return name
    return None


# Format characters that shaping and ordering read: the zero-width non-joiner and joiner
# (Persian "محمدی‌نژاد" is two words for the shaper) and the left-to-right and right-to-left
# marks (one keeps a date's digits in order after an Arabic name). `visual_order` reads them,
# then removes them; `clean_text` keeps them only when asked.
SHAPING_MARKS = frozenset("\u200c\u200d\u200e\u200f")


def plain_text(text: object, multiline: bool = False, keep_marks: bool = False) -> str:
    """User text without what no reader shows: NFC-composed; tab -> space; line breaks kept
    when `multiline`, else spaces; other control and format characters (NUL, ESC, zero-width
    space, bidi overrides) removed, except `SHAPING_MARKS` when `keep_marks`. Every letter is
    kept: the PDF's properties (title, author) need no font, so a name stays whole there."""
    text = unicodedata.normalize("NFC", "" if text is None else str(text))
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    out = []
    for char in text:
        if char == "\n":
            out.append("\n" if multiline else " ")
        elif char == "\t":
            out.append(" ")
        elif (keep_marks and char in SHAPING_MARKS) or unicodedata.category(char) not in ("Cc", "Cf"):
            out.append(char)
    return "".join(out)


def _printable(char: str) -> bool:
    """Whether a character of `plain_text` can be drawn with the report's fonts."""
    return char == "\n" or char in SHAPING_MARKS or ord(char) in _dejavu_coverage() or _cid_font(char) is not None


def clean_text(text: object, multiline: bool = False, keep_marks: bool = False) -> str:
    """User text as the report can draw it: `plain_text`, with the characters no report font
    covers (Devanagari, Thai, most emoji) replaced by "?" (`unprintable` says which)."""
    return "".join(char if _printable(char) else PLACEHOLDER for char in plain_text(text, multiline, keep_marks))


def unprintable(text: object) -> str:
    """The characters of `text` that the report prints as "?": a name it cannot print
    must be said to the user, not only shown as question marks on paper."""
    return "".join(char for char in plain_text(text) if not _printable(char))


def reader_font_chars(text: object) -> str:
    """The characters of `text` drawn in a CID font (Chinese, Japanese, Korean). The PDF does
    not embed those fonts, so a reader without Asian fonts draws nothing there, not even a
    box: the user is told, as for `unprintable`."""
    covered = _dejavu_coverage()
    return "".join(char for char in plain_text(text) if ord(char) not in covered and _cid_font(char) is not None)


# Words that end a script's name in a character's Unicode name ("DEVANAGARI VOWEL SIGN AA",
# "THAI CHARACTER SO SO", "OL CHIKI LETTER LA", "CJK UNIFIED IDEOGRAPH-20BB7").
_NAME_ENDS = frozenset({"LETTER", "SIGN", "VOWEL", "SYLLABLE", "SYLLABICS", "CHARACTER", "CONSONANT",
                        "LIGATURE", "DIGIT", "UNIFIED", "COMPATIBILITY", "IDEOGRAPH", "MARK"})
_SCRIPT_NAMES = {"Myanmar": "Burmese", "Cjk": "Chinese", "Oriya": "Odia"}


def script_names(chars: str) -> list[str]:
    """The scripts of `chars` in the order met ("Devanagari", "Thai"), from their Unicode
    names; characters that are not letters (emoji, symbols) are "symbols"."""
    names: list[str] = []
    for char in chars:
        words = unicodedata.name(char, "").split()
        if not words or unicodedata.category(char)[0] not in "LM":
            name = "symbols"
        else:
            cut = next((i for i, word in enumerate(words[:4]) if word in _NAME_ENDS), 1) or 1
            name = " ".join(words[:cut]).title()
            name = _SCRIPT_NAMES.get(name, name)
        if name not in names:
            names.append(name)
    return names


def has_rtl(text: str) -> bool:
    """Whether `text` holds a Hebrew or Arabic character (and so needs `visual_order`)."""
    return any(first <= ord(char) <= last for char in text for first, last in _RTL_RANGES)


@functools.cache
def _reshaper() -> tuple[arabic_reshaper.ArabicReshaper, dict[str, str]]:
    """Arabic reshaper using only the ligatures DejaVu has glyphs for (lam-alef; not e.g. the
    Allah ligature U+FDF2), keeping vowel marks (a name's letters are never dropped); and the
    map from each presentation form back to its letter, for forms DejaVu lacks."""
    covered = _dejavu_coverage()
    config = {"delete_harakat": False, "support_ligatures": True}
    for name, (_match, forms) in LIGATURES:
        config[name] = all(ord(form) in covered for form in forms if form)
    base_of = {form: letter for letter, forms in LETTERS_ARABIC.items() for form in forms if form}
    return arabic_reshaper.ArabicReshaper(configuration=config), base_of


def visual_order(line: str, base_dir: str | None = None) -> str:
    """One cleaned line of logical-order text in display order, left to right.

    Unchanged when it holds no Hebrew or Arabic letter; otherwise Arabic letters are joined
    (presentation forms; a form DejaVu lacks falls back to its unjoined letter) and the line
    is reordered by the Unicode bidi algorithm in direction `base_dir` ("R" or "L"), by
    default its first strong letter's. A line wrapped out of a longer one must be given its
    paragraph's direction: the algorithm sets it once per paragraph, not per printed line.
    """
    if not has_rtl(line):
        return "".join(char for char in line if char not in SHAPING_MARKS)
    reshaper, base_of = _reshaper()
    covered = _dejavu_coverage()
    shaped = "".join(
        char if ord(char) in covered else base_of.get(char, char) for char in reshaper.reshape(line)
    )
    return clean_text(get_display(shaped, base_dir=base_dir))


def font_runs(text: str) -> list[tuple[str | None, str]]:
    """Split cleaned text into (CID font name, or None for DejaVu, text) runs."""
    covered = _dejavu_coverage()
    runs: list[tuple[str | None, str]] = []
    for char in text:
        font = None if ord(char) in covered else _cid_font(char)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _paragraph_lines(text: str) -> list[str]:
    """Lines of multi-line text; a run of blank lines becomes one (a paragraph gap), and
    blank lines at either end are dropped."""
    lines: list[str] = []
    for line in text.split("\n"):
        if line.strip() or (lines and lines[-1].strip()):
            lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def markup(text: object, multiline: bool = False, wrap_width: float | None = None, size: float = 9.0,
           bold: bool = False) -> str:
    """Paragraph markup that prints `text` literally: cleaned, escaped (so "<b>" or "&" in a
    name stays text), CJK runs in their CID font, and line breaks as <br/> when `multiline`
    (blank lines kept as paragraph gaps). Each line is put in display order (`visual_order`)
    before ReportLab wraps it. ReportLab wraps left to right, so a right-to-left line longer
    than its space would print its wrapped lines last first: with `wrap_width` (points, at
    `size`, in the `bold` face when the paragraph's font is bold) such a line is first broken
    in reading order (`rtl_lines`), and each piece keeps the direction of its whole line."""
    cleaned = clean_text(text, multiline, keep_marks=True)
    logical = _paragraph_lines(cleaned) if multiline else [cleaned]
    lines = []
    for line in logical:
        base_dir = "R" if starts_rtl(line) else "L"
        pieces = [line] if wrap_width is None else rtl_lines(line, wrap_width, size, bold)
        lines += [visual_order(piece, base_dir) for piece in pieces]
    return "<br/>".join(
        "".join(escape(run) if font is None else f'<font name="{font}">{escape(run)}</font>' for font, run in font_runs(line))
        for line in lines
    )


def rtl_lines(line: str, width: float, size: float, bold: bool = False) -> list[str]:
    """A right-to-left logical line broken at spaces, in reading order, into lines that fit
    `width` points at `size` in the face it is drawn in (bold Arabic is about a fifth wider:
    a piece measured in regular weight would be wrapped again by ReportLab, left to right);
    a word longer than that stays whole, for ReportLab to break; any other line as it is."""
    if not has_rtl(line) or text_width(line, size, bold) <= width:
        return [line]
    out: list[str] = []
    for word in line.split(" "):
        if out and text_width(f"{out[-1]} {word}", size, bold) <= width:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    return out


def starts_rtl(text: object) -> bool:
    """Whether the first letter (or direction mark) of `text` with a direction is
    right-to-left, as the bidi algorithm decides a paragraph's direction (such a paragraph
    is right-aligned)."""
    for char in clean_text(text, keep_marks=True):
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of cleaned text drawn with `draw_text` (in display order: joined
    Arabic letters are narrower)."""
    base = FONT_BOLD if bold else FONT
    return sum(pdfmetrics.stringWidth(run, font or base, size) for font, run in font_runs(visual_order(text)))


def fit_text(text: str, width: float, size: float, bold: bool = False) -> str:
    """Cleaned single-line text, shortened with an ellipsis so it fits `width` points, in
    logical order (`draw_text` puts it in display order; shortened first, the ellipsis ends
    the text as read)."""
    text = clean_text(text, keep_marks=True)
    if text_width(text, size, bold) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + ELLIPSIS, size, bold) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS if low else ""


def draw_text(canvas, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "left") -> None:  # noqa: ANN001
    """Draw cleaned single-line logical-order text run by run (CJK in its CID font), in
    display order (`visual_order`); `align` left or right."""
    if align == "right":
        x -= text_width(text, size, bold)
    text = visual_order(text)
    base = FONT_BOLD if bold else FONT
    for font, run in font_runs(text):
        canvas.setFont(font or base, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font or base, size)
