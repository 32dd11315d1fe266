"""Arabic and Hebrew in the PDF report: printed in display order with Arabic letters joined,
so that the patient's name reads (and copies) as written; other scripts are untouched."""

from __future__ import annotations

import re
from pathlib import Path

import arabic_reshaper
import pypdf._text_extraction
import pytest
from arabic_reshaper.ligatures import LIGATURES
from bidi.algorithm import get_display
from pypdf import PdfReader

from app.report import fonts
from app.report.pdf import ReportContext, write_report

BODY = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}},
}
ARABIC_NAME = "محمد عبد الله"  # "الله" would become the Allah ligature U+FDF2, which DejaVu lacks
HEBREW_CLINICIAN = "ד\"ר שרה כהן"
MIXED_CLINIC = "Klinik Nord – مستشفى الأمل"
ARABIC_NOTES = "المريض يتحسن ببطء\nلا ألم عند الابتسام"


def _expected(text: str) -> str:
    """What python-bidi and arabic_reshaper make of `text`, with only the lam-alef ligatures
    (the ones DejaVu Sans has)."""
    config = {"delete_harakat": False, "support_ligatures": True}
    config |= {name: name.startswith("ARABIC LIGATURE LAM WITH ALEF") for name, _ in LIGATURES}
    return get_display(arabic_reshaper.ArabicReshaper(configuration=config).reshape(text))


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _drawn_text(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The text as drawn, left to right: pypdf otherwise reverses runs of RTL characters
    itself (as a reader does when copying), which would hide the order they were drawn in."""
    with monkeypatch.context() as patch:
        patch.setattr(pypdf._text_extraction, "is_char_rtl", lambda *_args: False)
        return _text(path)


def _report(tmp_path: Path, name: str = "r.pdf", **context) -> Path:  # noqa: ANN003
    return write_report(tmp_path / name, BODY, ReportContext(assessment_date="2026-11-24", **context), None)


def test_arabic_and_hebrew_print_in_display_order_with_joined_letters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _report(
        tmp_path, patient_id="P-AR-7", patient_name=ARABIC_NAME, clinician=HEBREW_CLINICIAN,
        clinic_name=MIXED_CLINIC, notes=ARABIC_NOTES, confirmed_grade="III",
    )
    text = _drawn_text(path, monkeypatch)
    for logical in (ARABIC_NAME, HEBREW_CLINICIAN, "مستشفى الأمل", *ARABIC_NOTES.split("\n")):
        visual = _expected(logical)
        assert visual != logical
        assert visual in text, logical
        assert logical not in text, logical  # not in logical (reversed-looking) order
    assert "24-11-2026" not in text  # the header's date after the Arabic name keeps its order
    assert "Klinik Nord" in text  # the Latin part of a mixed line stays left to right
    assert text.count(_expected(ARABIC_NAME)) >= 2  # patient table and running header
    assert fonts.PLACEHOLDER not in text
    assert "\ufdf2" not in text  # no ligature DejaVu lacks
    assert any(0xFE70 <= ord(char) <= 0xFEFF for char in text)  # joined (presentation) forms
    # Copying (pypdf reverses RTL runs, as readers do) gives the name in reading order.
    assert _expected(ARABIC_NAME)[::-1] in _text(path)


def test_visual_order_keeps_every_letter_drawable() -> None:
    covered = fonts._dejavu_coverage()
    for logical in (ARABIC_NAME, "عبد الله أكبر", "لا إله", "سلام (١٢٣) abc", HEBREW_CLINICIAN):
        visual = fonts.visual_order(fonts.clean_text(logical))
        assert fonts.PLACEHOLDER not in visual, logical
        assert all(ord(char) in covered for char in visual), logical
    assert fonts.visual_order("שלום abc") == get_display("שלום abc")
    assert {"\u064f", "\u0651"} <= set(fonts.visual_order("مُحَمَّد"))  # vowel marks kept, not deleted


def test_rtl_text_is_shortened_at_its_logical_end() -> None:
    long_name = "محمد بن عبد الرحمن بن عبد العزيز آل سعود الهاشمي القرشي"
    short = fonts.fit_text(long_name, 80, 9)
    assert short.endswith(fonts.ELLIPSIS) and long_name.startswith(short[:-1].rstrip())
    assert fonts.text_width(short, 9) <= 80
    assert fonts.visual_order(short).startswith(fonts.ELLIPSIS)  # drawn at the left end


@pytest.mark.parametrize("text", ["Łódź Ğür", "Γεωργία Παπαδοπούλου", "王秀英 / 김민수 / やまだ", "Иванова (3)"])
def test_text_without_rtl_letters_is_unchanged(text: str) -> None:
    cleaned = fonts.clean_text(text)
    assert fonts.visual_order(cleaned) == cleaned
    assert fonts.fit_text(cleaned, 1000, 9) == cleaned


def test_latin_greek_cjk_report_text_is_unchanged_by_the_rtl_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    context = {
        "clinic_name": "Klinika Łódź", "patient_id": "ĞÜR-7", "patient_name": "Γεωργία Παπαδοπούλου",
        "clinician": "王秀英 / 김민수", "notes": "Пациентка: улучшение.\n患者好转。",
    }
    with_path = _text(_report(tmp_path, "new.pdf", **context))
    monkeypatch.setattr(fonts, "visual_order", lambda line, base_dir=None: line)
    without = _text(_report(tmp_path, "old.pdf", **context))
    assert with_path == without
    assert "Γεωργία Παπαδοπούλου" in with_path and "患者好转。" in with_path


def test_brackets_and_guillemets_are_mirrored_in_right_to_left_text() -> None:
    """Review: python-bidi's Rust get_display does not mirror, so "علي (ابن محمد)" printed
    ")...(" ; written out by hand here, not by the library under test."""
    assert fonts.visual_order("(שלום)") == "(םולש)"
    shown = fonts.visual_order("علي (ابن محمد)")
    assert shown.startswith("(") and shown.endswith("ﻲﻠﻋ") and ") ﻲﻠﻋ" in shown
    assert fonts.visual_order("«שלום»").startswith("«")


def test_a_zero_width_non_joiner_keeps_persian_words_apart_then_goes() -> None:
    """Review: clean_text dropped U+200C before shaping, so "محمدی‌نژاد" was joined across it."""
    shown = fonts.visual_order(fonts.clean_text("محمدی\u200cنژاد", keep_marks=True))
    assert "\u200c" not in shown
    assert "ﯼ" in shown and "ﻧ" in shown  # ی final, ن initial: two words
    assert fonts.visual_order("a\u200cb") == "ab"  # left-to-right text as before: the mark removed


def test_a_long_right_to_left_note_wraps_in_reading_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: ReportLab wraps left to right, so the display-ordered note printed its last
    words on the first line."""
    words = [f"كلمة{number}" for number in range(1, 61)]
    path = _report(tmp_path, notes=" ".join(words))
    text = _text(path)  # pypdf gives each line back in reading order
    start = text.index("Notes")
    notes = text[start:text.index("Model", start)]
    lines = [[int(n) for n in re.findall(r"\d+", line)] for line in notes.splitlines()]
    lines = [numbers for numbers in lines if numbers]
    assert len(lines) > 1 and sorted(n for numbers in lines for n in numbers) == list(range(1, 61))
    assert [min(numbers) for numbers in lines] == sorted(min(numbers) for numbers in lines)
    assert min(lines[0]) == 1  # the note starts on its first printed line
    assert fonts.rtl_lines(" ".join(words), 1e6, 9) == [" ".join(words)]  # fits: unbroken


def test_a_long_right_to_left_name_wraps_in_reading_order(tmp_path: Path) -> None:
    """The notes wrapped in reading order, but the patient's name, the clinic's and the
    clinician's still printed their last words on the first line (audit of awkward reports)."""
    words = [f"اسم{number}" for number in range(1, 31)]
    path = _report(tmp_path, patient_name=" ".join(words), patient_id="P-AR-8")
    page = PdfReader(str(path)).pages[0].extract_text()
    start = page.index("Name")
    table = page[start:page.index("Date of birth", start)]
    arabic = [line for line in table.splitlines() if any(0xFE70 <= ord(char) <= 0xFEFF for char in line)]
    lines = [[int(n) for n in re.findall(r"\d+", line)] for line in arabic]  # joined forms, as drawn
    assert len(lines) > 1 and sorted(n for numbers in lines for n in numbers) == list(range(1, 31))
    assert [min(numbers) for numbers in lines] == sorted(min(numbers) for numbers in lines)

