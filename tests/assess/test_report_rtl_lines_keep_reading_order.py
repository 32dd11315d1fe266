"""Right-to-left text broken into lines keeps its reading order: a bold title is broken as
wide as it is drawn, and every line of a paragraph is laid out in the paragraph's direction,
whichever script that line happens to start with."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader

from app.report import fonts
from app.report.pdf import ReportContext, _header, _styles, write_report

BODY = {"grade": "III", "probabilities": {"III": 0.7}, "affected_side": "left"}
# Ten words that fit one 16 pt title line in regular weight (483 pt of 493) but not in bold (566).
BOLD_TITLE = " ".join(f"قسم{number}" for number in range(1, 11))


def _joined_lines(text: str) -> list[list[int]]:
    """The numbers of each extracted line holding joined Arabic letters (as drawn), top to bottom."""
    arabic = [line for line in text.splitlines() if any(0xFE70 <= ord(char) <= 0xFEFF for char in line)]
    return [[int(n) for n in re.findall(r"\d+", line)] for line in arabic]


def test_a_bold_right_to_left_title_of_two_lines_starts_with_its_first_words(tmp_path: Path) -> None:
    """Audit: the break was measured in regular weight, so the bold title did not fit its
    'one line' and ReportLab wrapped it left to right: words 3-10 first, then words 1 and 2."""
    assert fonts.text_width(BOLD_TITLE, 16) < 493 < fonts.text_width(BOLD_TITLE, 16, bold=True)
    path = write_report(tmp_path / "r.pdf", BODY, ReportContext(clinic_name=BOLD_TITLE, patient_id="P-1"), None)
    page = PdfReader(str(path)).pages[0].extract_text()  # pypdf gives each line back in reading order
    title = _joined_lines(page[:page.index("Facial palsy assessment")])
    assert len(title) == 2 and sorted(n for numbers in title for n in numbers) == list(range(1, 11))
    assert 1 in title[0] and 10 in title[1]
    assert max(title[0]) < min(title[1])


def test_the_bold_break_fits_the_bold_width() -> None:
    shown = fonts.markup(BOLD_TITLE, wrap_width=493, size=16, bold=True).split("<br/>")
    assert len(shown) == 2
    assert all(fonts.text_width(line, 16, bold=True) <= 493 for line in shown)
    assert fonts.markup(BOLD_TITLE, wrap_width=493, size=16) == fonts.markup(BOLD_TITLE)  # regular: fits, unbroken


def test_a_right_to_left_title_is_right_aligned_and_a_latin_one_is_not() -> None:
    styles = _styles()
    for name, alignment in ((BOLD_TITLE, "right"), ("Klinik Nord – مستشفى الأمل", "left")):
        title = _header(ReportContext(clinic_name=name), {}, styles, 500)[0]
        assert {0: "left", 2: "right"}[title.style.alignment] == alignment, name


HEBREW_START = "המטופל הגיע לביקורת שנייה אחרי שלושה שבועות של טיפול תרופתי ופיזיותרפיה יומית בבית"
HEBREW_END = "ממליצים על המשך פיזיותרפיה ומעקב בעוד חודש"
ENGLISH_START = "Patient seen today with good progress; accompanied by her daughter שרה"
ENGLISH_END = "לוי who translated and signed the consent form"


def _two_lines(first: str, second: str) -> list[str]:
    """`markup` of `first second` in a width that breaks it between the two (as drawn, unescaped)."""
    width = fonts.text_width(first, 8.5) + 1
    assert fonts.text_width(second, 8.5) < width
    lines = fonts.markup(f"{first} {second}", multiline=True, wrap_width=width, size=8.5).split("<br/>")
    assert len(lines) == 2
    return lines


def test_a_right_to_left_note_line_that_starts_with_english_keeps_the_notes_direction() -> None:
    """Audit: the second line, starting with "synkinesis", was laid out left to right, so
    reading it from the right gave the Hebrew recommendation before the English words that
    end the first line's sentence."""
    first, second = _two_lines(f"{HEBREW_START} House-Brackmann grade IV with", f"synkinesis of the left eye {HEBREW_END}")
    assert first.startswith("House-Brackmann grade IV with ")
    assert second == f"{HEBREW_END[::-1]} synkinesis of the left eye"  # the English read first, at the right


def test_an_english_note_line_that_starts_with_a_hebrew_name_keeps_the_notes_direction() -> None:
    """Audit: the line starting with the surname was laid out right to left, which moved the
    surname to the end of the line."""
    first, second = _two_lines(ENGLISH_START, ENGLISH_END)
    assert first == escape(f"{ENGLISH_START[:-3]}{'שרה'[::-1]}")
    assert second == f"{'לוי'[::-1]} who translated and signed the consent form"
