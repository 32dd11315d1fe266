"""A name the report's fonts cannot print (Devanagari, Thai, Urdu's ے ...) shows as "?" on the
page: the user is told which field and script, and what still identifies the patient; the
PDF's properties keep the text whole."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from app.report import fonts
from app.report.pdf import ReportContext, unprinted_warning, write_report

BODY = {"grade": "III", "probabilities": {"III": 0.7}, "affected_side": "left"}


@pytest.mark.parametrize(("text", "scripts"), [
    ("राहुल शर्मा", ["Devanagari"]),
    ("สมชาย ใจดี", ["Thai"]),
    ("မောင်", ["Burmese"]),
    ("አበበ", ["Ethiopic"]),
    ("عمران خان ے", ["Arabic"]),  # Urdu's yeh barree: DejaVu has the Arabic letters but not it
    ("unicorn \U0001F984", ["symbols"]),
    ("Jürgen Łukasz Γιώργος Пётр محمد 山田 김민준", []),
])
def test_the_scripts_the_report_cannot_print_are_named(text: str, scripts: list[str]) -> None:
    assert fonts.script_names(fonts.unprintable(text)) == scripts
    assert (fonts.PLACEHOLDER in fonts.clean_text(text)) == bool(scripts)


def test_a_name_in_devanagari_is_said_with_the_id_that_identifies_the_patient() -> None:
    warning = unprinted_warning(ReportContext(patient_id="IN-01", patient_name="राहुल शर्मा"))
    assert warning == ("the report could not print the patient's name (Devanagari) with the fonts it carries: "
                       "it shows ? there; the patient ID IN-01 on it identifies the patient")


def test_an_id_it_cannot_print_is_said_with_the_record_number_or_the_properties() -> None:
    context = ReportContext(clinic_name="दिल्ली क्लिनिक", patient_id="राहुल-01", patient_name="สมชาย", assessment_id=12)
    warning = unprinted_warning(context)
    assert warning.startswith("the report could not print the clinic name (Devanagari), the patient ID (Devanagari) "
                              "and the patient's name (Thai) with the fonts it carries")
    assert warning.endswith("its record number (assessment 12) identifies the patient")
    context.assessment_id = None  # `palsy assess`: no record
    assert unprinted_warning(context).endswith("the PDF's properties (title) keep the patient ID as typed")
    assert unprinted_warning(ReportContext(clinic_name="ร้าน")) == (  # `palsy assess` without --patient-id
        "the report could not print the clinic name (Thai) with the fonts it carries: it shows ? there")


def test_a_report_it_prints_whole_says_nothing() -> None:
    assert unprinted_warning(ReportContext(clinic_name="Klinik Köln", patient_id="MÜ-ß-01", patient_name="محمد عبد الله",
                                           clinician="Dr. Łukasz", notes="ok\nok")) == ""


def test_the_properties_keep_the_text_the_page_shows_as_question_marks(tmp_path: Path) -> None:
    context = ReportContext(clinic_name="दिल्ली क्लिनिक", patient_id="राहुल-शर्मा", assessment_id=3)
    path = write_report(tmp_path / "report.pdf", BODY, context)
    info = PdfReader(str(path)).metadata
    assert info.title == "Facial palsy assessment राहुल-शर्मा"
    assert info.author == "दिल्ली क्लिनिक"
    assert "patient राहुल-शर्मा" in info.subject
    assert "?????-?????" in PdfReader(str(path)).pages[0].extract_text()  # the page itself is unchanged


def test_palsy_assess_warns_of_a_name_it_cannot_print(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    import app.report.outputs
    import models.pipeline.assess
    from app.commands.assess import assess_and_write

    measured = SimpleNamespace(grade="III", function_percent=50.0)
    result = SimpleNamespace(grade="III", top_probability=0.7, measured=measured, affected_side="left", flags=[], model={})
    monkeypatch.setattr(models.pipeline.assess, "assess", lambda *args, **kwargs: result)
    monkeypatch.setattr(models.pipeline.assess, "add_registered_side", lambda *args: None)
    outputs = SimpleNamespace(assessment_json=tmp_path / "a.json", report_pdf=tmp_path / "r.pdf", folder=tmp_path)
    monkeypatch.setattr(app.report.outputs, "write_outputs", lambda *args: outputs)
    assess_and_write({}, None, tmp_path, ReportContext(patient_id="राहुल-शर्मा"))
    err = capsys.readouterr().err
    assert "palsy: warning: the report could not print the patient ID (Devanagari)" in err
    assert "the PDF's properties (title) keep the patient ID as typed" in err
    assess_and_write({}, None, tmp_path, ReportContext(patient_id="राहुल-शर्मा"), quiet=True)
    assert capsys.readouterr().err == ""  # --quiet: errors only
