"""One person under two IDs (audit F3, entry): the store names the patients with a new
patient's name and date of birth, as the search compares names; the patient form asks first."""

from __future__ import annotations

import pytest

from app.pages.patient_logic import same_person_warning
from app.records import Store
from app.records_gateway import PatientInfo, same_person_ids


@pytest.fixture
def jose(store: Store) -> Store:
    store.create_patient("AB12", name="José Núñez", birth_date="1970-01-31")
    store.create_patient("AB14", name="José Núñez", birth_date="1971-01-31")
    store.create_patient("AB15", name="José Núñez Pérez", birth_date="1970-01-31")
    return store


@pytest.mark.parametrize("name", ["José Núñez", "jose  NUNEZ", " Jose Nunez ", "JOSÉ\u00a0NÚÑEZ"])
def test_the_same_name_and_date_of_birth_name_the_other_patient(jose: Store, name: str) -> None:
    assert jose.same_person_candidates(name, "1970-01-31") == ["AB12"]


def test_each_such_patient_is_named_by_id(jose: Store) -> None:
    jose.create_patient("AB13", name="Jose Nunez", birth_date="1970-01-31")  # not refused: the form asks
    assert jose.same_person_candidates("José Núñez", "1970-01-31") == ["AB12", "AB13"]
    assert jose.same_person_candidates("José Núñez", "1970-01-31", exclude_id="ab13") == ["AB12"]


@pytest.mark.parametrize(("name", "born"), [("José Núñez", None), ("José Núñez", ""), ("", "1970-01-31"),
                                            ("José", "1970-01-31"), ("José Núñez", "1970-02-01")])
def test_no_match_without_a_date_of_birth_or_with_another_name_or_date(jose: Store, name: str, born: str | None) -> None:
    assert jose.same_person_candidates(name, born) == []


def test_a_patient_recorded_without_a_date_of_birth_is_no_match(store: Store) -> None:
    store.create_patient("AB12", name="José Núñez")
    assert store.same_person_candidates("José Núñez", "1970-01-31") == []


def test_the_form_s_check_compares_as_the_store_does() -> None:
    found = [PatientInfo("AB12", "José Núñez", "1970-01-31"), PatientInfo("AB14", "José Núñez", "1971-01-31"),
             PatientInfo("AB15", "José Núñez Pérez", "1970-01-31"), PatientInfo("ab13", "JOSE NUNEZ", "1970-01-31")]
    assert same_person_ids(PatientInfo("AB13", "jose  nunez", "1970-01-31"), found) == ["AB12"]
    assert same_person_ids(PatientInfo("AB13", "jose nunez", ""), found) == []


def test_the_warning_names_the_other_ids_and_what_to_do() -> None:
    assert same_person_warning(["X-1"]) == (
        "\u26a0 Check first: X-1 is already registered with this name and date of birth. If this is the same person, "
        "press Open X-1 to select them on the patients page. If it is a different person, press Save anyway.")
    assert same_person_warning(["X-1", "X-2", "X-3"]).startswith(
        "\u26a0 Check first: X-1, X-2 and X-3 are already registered with this name and date of birth.")
    assert "or search there for X-2" in same_person_warning(["X-1", "X-2"])
