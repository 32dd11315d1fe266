"""Chinese, Japanese and Korean text is drawn in fonts the PDF does not embed: a reader
without Asian fonts shows nothing there (not boxes), so the user is told which fields
depend on them, as for the scripts printed as "?"."""

from __future__ import annotations

from app.report import fonts
from app.report.pdf import ReportContext, unprinted_warning

READER_FONTS = "to the PDF reader's own Asian fonts: a reader without them shows nothing there"


def test_cjk_fields_are_said_to_rely_on_the_readers_asian_fonts() -> None:
    """Audit: 患者-003 "山田 太郎 (やまだ たろう) 王小明", clinician 김민준, printed blank in a reader
    without Asian fonts, and "Report saved" said nothing."""
    context = ReportContext(patient_id="患者-003", patient_name="山田 太郎 (やまだ たろう) 王小明",
                            clinician="김민준 선생님", notes="right eye closes", assessment_id=3)
    assert unprinted_warning(context) == (
        "the report leaves the patient ID (Chinese), the patient's name (Chinese, Hiragana) and the "
        f"clinician's name (Hangul) {READER_FONTS}; "
        "its record number (assessment 3) identifies the patient")  # the ID itself may show blank


def test_cjk_is_said_beside_what_could_not_be_printed_at_all() -> None:
    warning = unprinted_warning(ReportContext(patient_id="P-9", patient_name="สมชาย", notes="眼睑闭合不全\nok"))
    assert warning == ("the report could not print the patient's name (Thai) with the fonts it carries: it shows ? there; "
                       f"the report leaves the notes (Chinese) {READER_FONTS}; "
                       "the patient ID P-9 on it identifies the patient")


def test_only_the_cjk_characters_need_the_readers_fonts() -> None:
    assert fonts.reader_font_chars("Dr. 王 Łukasz محمد 김") == "王김"
    assert fonts.reader_font_chars("Jürgen Γιώργος Пётр राहुल") == ""  # embedded, or printed as "?"
