"""`--deidentify --pseudonym` refuses a pseudonym that is a real patient ID or holds the
patient's ID, a word of their name (of 3 letters or more) or their date of birth, and says
which: the export would be marked de-identified and carry it as its folder name and patient ID.
A study code sharing a short name particle ("DE-001" for Anna de Vries, or for "de Vries, Anna"
written family name first) is taken; a capitalised two-letter first or last word (Wu, Lê, "Da
Silva Maria") is a name and counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.records import Store
from app.records.export_folder import export_patient
from models.errors import InputError


@pytest.fixture
def data(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("MRN-1001", name="Jane Secretname", birth_date="1961-04-02")
        store.start_assessment("MRN-1001")
        store.create_patient("MRN-2002", name="Otto Other")
    return tmp_path / "data"


@pytest.mark.parametrize(("pseudonym", "part"), [
    ("MRN-1001", "the patient's ID"), ("mrn-1001", "the patient's ID"), ("X-MRN-1001", "the patient's ID"),
    ("Secretname", "a word of the patient's name"), ("STUDY-jane", "a word of the patient's name"),
    ("1961-04-02", "the patient's date of birth"), ("S-1961-04-02", "the patient's date of birth"),
])
def test_a_pseudonym_holding_the_patients_identifiers_is_refused(
    data: Path, tmp_path: Path, pseudonym: str, part: str,
) -> None:
    with Store.open(data) as store, pytest.raises(InputError, match=f"the pseudonym contains {part};"):
        export_patient(store, "MRN-1001", tmp_path / "usb", deidentify=True, pseudonym=pseudonym)
    assert not (tmp_path / "usb").exists()


@pytest.mark.parametrize(("name", "pseudonym"), [
    ("Anna de Vries", "DE-001"), ("Maria da Silva", "PT-DA-017"), ("Samir el Amin", "EL-05"),
    # family name first: the particle, written in lower case, is at the start of the name
    ("de Vries, Anna", "DE-001"), ("da Silva Maria", "DA-014"), ("el Amrani Youssef", "EL-3"), ("op de Beeck Jan", "OP-001"),
    ("af Klint Hilma", "AF-001"),
])
def test_a_study_code_sharing_a_short_name_particle_is_taken(tmp_path: Path, name: str, pseudonym: str) -> None:
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P-0042", name=name)
        assert export_patient(store, "P-0042", tmp_path / "usb", deidentify=True, pseudonym=pseudonym).name == pseudonym


def test_a_name_word_of_three_letters_is_refused(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store, pytest.raises(InputError, match="a word of the patient's name"):
        store.create_patient("P-0046", name="Rose May")
        export_patient(store, "P-0046", tmp_path / "usb", deidentify=True, pseudonym="MAY-2025-03")


def test_another_patients_id_is_refused_as_a_pseudonym(data: Path, tmp_path: Path) -> None:
    with Store.open(data) as store, pytest.raises(InputError, match="the ID of another patient on this station"):
        export_patient(store, "MRN-1001", tmp_path / "usb", deidentify=True, pseudonym="mrn-2002")
    assert not (tmp_path / "usb").exists()


def test_a_study_code_is_taken(data: Path, tmp_path: Path) -> None:
    with Store.open(data) as store:
        assert export_patient(store, "MRN-1001", tmp_path / "usb", deidentify=True, pseudonym="STUDY-7").name == "STUDY-7"
        # a plain export is the patient's own record: its ID is the point
        assert export_patient(store, "MRN-1001", tmp_path / "plain").name == "MRN-1001"


def test_the_command_refuses_it_in_one_line_without_repeating_it(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["records", "--data", str(data), "export", "MRN-1001", "--out", str(tmp_path / "usb"), "--deidentify"]
    assert main([*args, "--pseudonym", "Secretname"]) == 2
    err = capsys.readouterr().err
    assert "pseudonym contains a word of the patient's name" in err and "Secretname" not in err and "Traceback" not in err


@pytest.mark.parametrize(("name", "pseudonym"), [("Da Silva Maria", "DA-014"), ("Lê Van", "LE-7"), ("Meiling Wu", "WU-01"),
                                                 ("li wu", "WU-001"), ("wu li", "WU-001"), ("mei lê", "LE-2")])
def test_a_two_letter_end_word_that_is_no_particle_counts(tmp_path: Path, name: str, pseudonym: str) -> None:
    with Store.open(tmp_path / "data") as store, pytest.raises(InputError, match="a word of the patient's name"):
        store.create_patient("P-0047", name=name)
        export_patient(store, "P-0047", tmp_path / "usb", deidentify=True, pseudonym=pseudonym)
