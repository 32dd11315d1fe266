"""The patients list (an empty search) puts the most recently updated first; two patients saved
within the same millisecond (one clock reading) come newest-registered first, not in whatever
order the database's sort leaves a tie (a GUI test failed on a fast run that way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store, validate


def test_a_tie_of_update_times_lists_the_later_registered_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "now_iso", lambda: "2026-12-07T08:00:00.000+00:00")
    with Store.open(tmp_path / "data") as store:
        for pid in ("MRN-1001", "MRN-1002", "MRN-1003"):
            store.create_patient(pid, name="Anna Berg")
        assert [p.patient_id for p in store.search_patients("")] == ["MRN-1003", "MRN-1002", "MRN-1001"]
