"""`--deidentify --pseudonym` refuses the patient's identifiers in the spellings study codes are
commonly made in, not only as stored: the ID without its separators, the date of birth's digits
in day-month-year, month-day-year or compact order, and name words run together or into digits.
Ordinary study codes, and codes sharing a short ID's digits inside a longer number, are taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_folder import export_patient
from models.errors import InputError

ID, NAME, DOB = "the patient's ID", "a word of the patient's name", "the patient's date of birth"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-77", name="Anna de Vries", birth_date="1970-01-31")
        store.create_patient("7", name="Li Wei", birth_date="2001-02-03")
    return tmp_path / "data"


@pytest.mark.parametrize(("pseudonym", "part"), [
    ("MRN77", ID), ("mrn 77", ID), ("S-MRN77", ID),
    ("AnnaDeVries", NAME), ("VRIES01", NAME), ("anna1", NAME), ("ANNADEVRIES", NAME),
    ("31.01.1970", DOB), ("31-01-1970", DOB), ("19700131", DOB), ("X-19700131", DOB), ("01/31/1970", DOB),
    ("31.01.70", DOB), ("S1-310170", DOB),
])
def test_a_respelt_identifier_is_refused(data: Path, tmp_path: Path, pseudonym: str, part: str) -> None:
    with Store.open(data) as store, pytest.raises(InputError, match=f"the pseudonym contains {part};"):
        export_patient(store, "MRN-77", tmp_path / "usb", deidentify=True, pseudonym=pseudonym)
    assert not (tmp_path / "usb").exists()


@pytest.mark.parametrize("pseudonym", ["DE-001", "STUDY-0042", "PALSY-2026-007", "MRN-770", "STUDY-1970"])
def test_an_ordinary_study_code_is_taken(data: Path, tmp_path: Path, pseudonym: str) -> None:
    with Store.open(data) as store:
        assert export_patient(store, "MRN-77", tmp_path / "usb", deidentify=True, pseudonym=pseudonym).name == pseudonym


@pytest.mark.parametrize("pseudonym", ["STUDY-17", "PALSY-2026-007", "S-0070", "S7-023", "P7-007", "SITE7-0042",
                                       "PG-7A", "S-01-02-03", "SITE01-02-03"])
def test_a_short_id_counts_only_as_a_whole_word(data: Path, tmp_path: Path, pseudonym: str) -> None:
    """An ID of digits alone is in many a site or arm code ('S7-023' for patient 7), and three
    small fields can spell a two-digit-year birth date by chance (2001-02-03: 'S-01-02-03')."""
    with Store.open(data) as store:
        assert export_patient(store, "7", tmp_path / "usb", deidentify=True, pseudonym=pseudonym).name == pseudonym


@pytest.mark.parametrize(("pseudonym", "part"), [("STUDY-7", ID), ("7", ID), ("01.02.03", DOB), ("S-010203", DOB)])
def test_a_short_id_and_a_short_date_as_whole_words_are_refused(data: Path, tmp_path: Path, pseudonym: str,
                                                              part: str) -> None:
    with Store.open(data) as store, pytest.raises(InputError, match=f"the pseudonym contains {part};"):
        export_patient(store, "7", tmp_path / "usb", deidentify=True, pseudonym=pseudonym)


def test_the_command_names_the_part_without_repeating_the_date(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["records", "--data", str(data), "export", "MRN-77", "--out", str(tmp_path / "usb"), "--deidentify"]
    assert main([*args, "--pseudonym", "31.01.1970"]) == 2
    err = capsys.readouterr().err
    assert f"the pseudonym contains {DOB}" in err and "31.01.1970" not in err and "1970" not in err


@pytest.mark.parametrize(("name", "pseudonym"), [("Wu Meiling", "WU-01"), ("Meiling Wu", "wu01"), ("Lê Văn Tám", "LE-3"),
                                                 ("山田 太郎", "山田-1"), ("Ann Le", "LE-04"),
                                                 ("Li Wei", "LI-STUDY-02")])
def test_a_two_letter_given_or_family_name_is_refused(tmp_path: Path, name: str, pseudonym: str) -> None:
    """A name's first or last word of two letters is a whole name (Wu, Li, Lê; two ideographs),
    not a particle as 'de' inside 'Anna de Vries' (whose 'DE-001' is taken, above)."""
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P-1", name=name)
        with pytest.raises(InputError, match=f"the pseudonym contains {NAME};"):
            export_patient(store, "P-1", tmp_path / "usb", deidentify=True, pseudonym=pseudonym)
