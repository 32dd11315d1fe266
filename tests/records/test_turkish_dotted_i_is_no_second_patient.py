"""A Turkish ID with a dotted capital İ ('İZM-0042') and the same ID typed in lower case on a
Turkish keyboard ('izm-0042') are not two patients: the second is refused as looking the same.
(`casefold` keeps the dot of İ, U+0307, in the stored key, so the two keys differ.)"""

from __future__ import annotations

import pytest

from app.records import Store
from app.records.errors import DuplicateRecordError


@pytest.mark.parametrize(("first", "second"), [("\u0130ZM-0042", "izm-0042"), ("izm-0042", "\u0130ZM-0042"),
                                               ("D\u0130Y-7", "DIY-7")])
def test_an_id_with_a_dotted_capital_i_is_refused_beside_its_lower_case(store: Store, first: str, second: str) -> None:
    store.create_patient(first, name="Ay\u015fe Y\u0131lmaz")
    with pytest.raises(DuplicateRecordError, match=f"looks the same as the ID of patient {first}"):
        store.create_patient(second, name="Ay\u015fe Y\u0131lmaz")


def test_another_id_of_the_same_city_code_is_registered(store: Store) -> None:
    store.create_patient("\u0130ZM-0042", name="A")
    assert store.create_patient("izm-0043", name="B").patient_id == "izm-0043"
