"""German names are typed with their umlauts or spelt out ('Müller' / 'Mueller', 'Jörg' /
'Joerg'): the patient search finds the patient either way, as a clerk on another keyboard
expects, while what was typed exactly still comes first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store
from app.records.validate import search_key, umlaut_spellings


@pytest.fixture
def store(tmp_path: Path):  # noqa: ANN201 - a Store
    with Store.open(tmp_path / "data") as store:
        store.create_patient("P-1", name="Anna Müller")
        store.create_patient("P-2", name="Jörg Mueller")
        store.create_patient("P-3", name="Mia Murphy")
        yield store


def _ids(store: Store, typed: str) -> list[str]:
    return [p.patient_id for p in store.search_patients(typed)]


@pytest.mark.parametrize(("typed", "found"), [("Mueller", {"P-1", "P-2"}), ("Müller", {"P-1", "P-2"}),
                                              ("joerg", {"P-2"}), ("jörg", {"P-2"}), ("muel", {"P-1", "P-2"})])
def test_either_spelling_finds_the_patient(store: Store, typed: str, found: set[str]) -> None:
    assert set(_ids(store, typed)) == found


def test_the_spelling_typed_comes_first(store: Store) -> None:
    assert _ids(store, "Mueller")[0] == "P-2" and _ids(store, "Müller")[0] == "P-1"


def test_an_ending_still_being_typed_is_not_read_as_an_umlaut(store: Store) -> None:
    assert _ids(store, "mue") == ["P-2"]  # not every "Mu..." (Murphy)
    assert umlaut_spellings(search_key("Anna")) == []


@pytest.mark.parametrize(("typed", "name"), [("Joel", "Jolanda Berg"), ("Noel", "Nolan Price"), ("Boer", "Boris Lang"),
                                             ("Michael", "Michalski Jan"), ("Baer", "Barton Lee")])
def test_a_shortened_spelling_finds_no_unrelated_name(tmp_path: Path, typed: str, name: str) -> None:
    with Store.open(tmp_path / "other") as store:
        store.create_patient("Q-1", name=name)
        assert _ids(store, typed) == []
