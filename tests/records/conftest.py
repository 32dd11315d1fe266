"""Fixtures for the record store tests: real SQLite files in temporary folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.records import Store
from tests.records.records_helpers import tiny_png


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def patient_with_draft(store: Store) -> tuple[Store, int]:
    """A store with patient MRN-7 and a draft assessment holding `rest` and `close_eyes`."""
    store.create_patient("MRN-7", name="Ada Lovelace", birth_date="1980-12-10", affected_side="left")
    aid = store.start_assessment("MRN-7").id
    store.save_capture(aid, "rest", tiny_png(1), {"sharpness": 0.9})
    store.save_capture(aid, "close_eyes", tiny_png(2), {"sharpness": 0.8})
    return store, aid
